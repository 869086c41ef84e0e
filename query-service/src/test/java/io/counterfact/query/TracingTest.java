package io.counterfact.query;

import io.counterfact.common.tracing.Tracing;
import io.counterfact.infra.TestTokens;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static io.counterfact.query.DatasetEventsConsumerTest.eventually;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trace context of an event reaches the view: applying it is a span in the publisher's trace. */
@QuarkusTest
class TracingTest {

    static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c"; // Fixtures.TRACEPARENT's
    static final String PUBLISHER_SPAN = "b7ad6b7169203331";

    @BeforeAll
    static void recordSpans() {
        Tracing.install(OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build()).build());
    }

    @AfterAll
    static void stopRecording() {
        Tracing.install(OpenTelemetrySdk.builder().build());
    }

    @Test
    void applyingAnEventIsAChildOfTheSpanThatPublishedIt() {
        String datasetId = EstimationEventsConsumerTest.datasetWithVersion();
        String id = EstimationFixtures.estimationId();
        EstimationEventsConsumerTest.send(EstimationFixtures.accepted(id, datasetId, "aipw", Instant.now()));
        eventually(() -> assertTrue(span("apply io.counterfact.estimation.accepted", id).isPresent()));
        SpanData apply = span("apply io.counterfact.estimation.accepted", id).orElseThrow();
        assertEquals(SpanKind.CONSUMER, apply.getKind());
        assertEquals(TRACE_ID, apply.getTraceId());
        assertEquals(PUBLISHER_SPAN, apply.getParentSpanId());
        assertEquals("counterfact.estimation-events",
                apply.getAttributes().asMap().entrySet().stream()
                        .filter(e -> e.getKey().getKey().equals("messaging.destination.name"))
                        .findFirst().orElseThrow().getValue());
    }

    @Test
    void aCallContinuesTheTraceOfTheGateway() {
        String gatewaySpan = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        given().header("Authorization", TestTokens.viewer()).header("traceparent", gatewaySpan)
                .when().get("/api/views/datasets").then().statusCode(200);
        eventually(() -> assertTrue(SPANS.getFinishedSpanItems().stream().anyMatch(s ->
                s.getTraceId().equals("4bf92f3577b34da6a3ce929d0e0e4736"))));
        SpanData server = SPANS.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals("4bf92f3577b34da6a3ce929d0e0e4736")).findFirst().orElseThrow();
        assertEquals(SpanKind.SERVER, server.getKind());
        assertEquals("00f067aa0ba902b7", server.getParentSpanId());
        assertEquals("GET /api/views/datasets", server.getName());
    }

    private static Optional<SpanData> span(String name, String subject) {
        return SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)
                && subject.equals(s.getAttributes().asMap().entrySet().stream()
                .filter(e -> e.getKey().getKey().equals("counterfact.subject")).map(e -> String.valueOf(e.getValue()))
                .findFirst().orElse(null))).findFirst();
    }
}
