package io.counterfact.gateway.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class RequestIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0f8fad5b-d9cb-469f-a165-70867728950e", "trace:1.2/3+4=5@x_y"})
    void safeIdsAreKept(String id) {
        assertEquals(id, RequestIds.accept(id));
        assertEquals(id, RequestIds.accept("  " + id + " "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "a\nb", "a\r\nX-Evil: 1", "<x>", "a,b", "ü"})
    void unsafeIdsAreReplacedByAUuid(String id) {
        String accepted = RequestIds.accept(id);
        assertNotEquals(id, accepted);
        assertDoesNotThrow(() -> UUID.fromString(accepted));
    }

    @Test
    void lengthIsBounded() {
        assertEquals("x".repeat(128), RequestIds.accept("x".repeat(128)));
        assertDoesNotThrow(() -> UUID.fromString(RequestIds.accept("x".repeat(129))));
        assertDoesNotThrow(() -> UUID.fromString(RequestIds.accept(null)));
    }
}
