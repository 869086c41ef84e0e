package io.counterfact.common.json;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonReadLimitsTest {

    private static ObjectMapper limited() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.getFactory().setStreamReadConstraints(JsonReadLimits.constraints(
                org.eclipse.microprofile.config.ConfigProvider.getConfig()));
        return mapper;
    }

    @Test
    void aDeepNestingIsRefusedLongBeforeTheStackRunsOut() {
        ObjectMapper mapper = limited();
        StreamConstraintsException e = assertThrows(StreamConstraintsException.class,
                () -> mapper.readTree("[".repeat(100_000)));
        assertTrue(e.getOriginalMessage().startsWith("Document nesting depth (201)"), e.getOriginalMessage());
        com.fasterxml.jackson.databind.JsonNode deepest = assertDoesNotThrowReading(mapper, 200);
        for (int level = 1; level < 200; level++) {
            deepest = deepest.get(0);
        }
        assertEquals(0, deepest.size(), "200 levels are allowed");
    }

    private static com.fasterxml.jackson.databind.JsonNode assertDoesNotThrowReading(ObjectMapper mapper, int depth) {
        try {
            return mapper.readTree("[".repeat(depth) + "]".repeat(depth));
        } catch (Exception e) {
            throw new AssertionError(depth + " levels were refused", e);
        }
    }

    @Test
    void anOverlongNumberIsRefused() {
        assertThrows(StreamConstraintsException.class, () -> limited().readTree("[" + "9".repeat(101) + "]"));
    }
}
