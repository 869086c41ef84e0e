package io.counterfact.common.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracingTest {

    static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void aSpanContinuesTheTraceOfItsParentWithItsOwnSpanId() {
        Span span = Tracing.start("child", SpanKind.SERVER, PARENT);
        String child = Tracing.traceparent(span);
        span.end();
        assertTrue(child.matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-[0-9a-f]{2}"), child);
        assertNotEquals(PARENT, child, "a span id of its own");
        assertEquals("0af7651916cd43dd8448eb211c80319c", Tracing.traceId(child));
    }

    @Test
    void withoutAValidParentASpanStartsANewTrace() {
        for (String parent : new String[]{null, "", "garbage", "00-00000000000000000000000000000000-b7ad6b7169203331-01"}) {
            Span span = Tracing.start("root", SpanKind.SERVER, parent);
            String traceparent = Tracing.traceparent(span);
            span.end();
            assertTrue(traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"), parent + " -> " + traceparent);
            assertNotEquals("0af7651916cd43dd8448eb211c80319c", Tracing.traceId(traceparent));
        }
        assertNull(Tracing.traceId("garbage"));
    }
}
