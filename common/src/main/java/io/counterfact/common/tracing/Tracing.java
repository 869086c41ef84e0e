package io.counterfact.common.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.List;
import java.util.Map;

/**
 * OpenTelemetry tracing for the services, without a framework extension (Quarkus' is not published for this
 * platform version): one SDK per process, configured by the standard {@code OTEL_*} variables (e.g.
 * {@code OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4317}, or {@code logging} to see
 * spans in the log). Nothing is exported unless a variable says so, but trace context is always created and
 * propagated: every HTTP hop carries the W3C {@code traceparent} header and every event its {@code traceparent}
 * attribute (common/EVENTS.md), so one trace runs from the gateway through Kafka to the views.
 */
public final class Tracing {

    public static final String HEADER = "traceparent";
    private static final String SCOPE = "io.counterfact";
    private static final TextMapGetter<String> ONE_VALUE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(HEADER);
        }

        @Override
        public String get(String carrier, String key) {
            return HEADER.equals(key) ? carrier : null;
        }
    };

    private static volatile OpenTelemetry openTelemetry;

    private Tracing() {
    }

    /** The process's SDK, configured from the environment on first use. */
    public static OpenTelemetry openTelemetry() {
        OpenTelemetry otel = openTelemetry;
        if (otel == null) {
            synchronized (Tracing.class) {
                otel = openTelemetry;
                if (otel == null) {
                    otel = AutoConfiguredOpenTelemetrySdk.builder()
                            .addPropertiesSupplier(() -> Map.of(
                                    "otel.service.name", serviceName(),
                                    "otel.traces.exporter", "none",  // the OTEL_* variables override these defaults
                                    "otel.metrics.exporter", "none",
                                    "otel.logs.exporter", "none"))
                            .build().getOpenTelemetrySdk();
                    openTelemetry = otel;
                }
            }
        }
        return otel;
    }

    /** Replaces the SDK (tests install one with an in-memory exporter). */
    public static synchronized void install(OpenTelemetry otel) {
        openTelemetry = otel;
    }

    public static Tracer tracer() {
        return openTelemetry().getTracer(SCOPE);
    }

    /**
     * Starts a span that continues the trace of {@code traceparent} (its child), or a new trace if it is null or not
     * a valid W3C traceparent. The caller ends it.
     */
    public static Span start(String name, SpanKind kind, String traceparent) {
        return tracer().spanBuilder(name).setSpanKind(kind).setParent(parent(traceparent)).startSpan();
    }

    /** @return the span's context as a W3C traceparent (what a child of it, in another process, continues from) */
    public static String traceparent(Span span) {
        SpanContext c = span.getSpanContext();
        if (!c.isValid()) {
            return null;
        }
        return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
    }

    /** @return the trace id of a valid traceparent, or null */
    public static String traceId(String traceparent) {
        SpanContext c = Span.fromContext(parent(traceparent)).getSpanContext();
        return c.isValid() ? c.getTraceId() : null;
    }

    static Context parent(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent.trim(), ONE_VALUE);
    }

    private static String serviceName() {
        try {
            return ConfigProvider.getConfig().getOptionalValue("quarkus.application.name", String.class)
                    .orElse("counterfact");
        } catch (RuntimeException | LinkageError e) {
            return "counterfact"; // no MicroProfile Config (a plain-Java caller)
        }
    }
}
