package io.counterfact.common.auth;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InternalTokenTest {

    private static final String SECRET = "a-test-secret-of-some-length";

    @Test
    void aTokenVerifiesUnderItsSecretAndCarriesItsClaims() throws Exception {
        String token = InternalToken.issue(SECRET, "dev", Role.VIEWER, "req-1", Duration.ofMinutes(1));
        InternalToken.Claims claims = InternalToken.verify(SECRET, token, Instant.now());
        assertEquals("dev", claims.subject());
        assertEquals(Role.VIEWER, claims.role());
        assertEquals("req-1", claims.requestId());
    }

    @Test
    void otherSecretTamperingExpiryAndGarbageAreRefused() {
        String token = InternalToken.issue(SECRET, "dev", Role.VIEWER, null, Duration.ofMinutes(1));
        assertThrows(InternalToken.InvalidTokenException.class,
                () -> InternalToken.verify("another-secret-of-some-length", token, Instant.now()));
        String forged = InternalToken.issue("another-secret-of-some-length", "dev", Role.ANALYST, null, Duration.ofMinutes(1));
        String swapped = forged.substring(0, forged.lastIndexOf('.')) + token.substring(token.lastIndexOf('.'));
        assertThrows(InternalToken.InvalidTokenException.class, () -> InternalToken.verify(SECRET, swapped, Instant.now()));
        assertThrows(InternalToken.InvalidTokenException.class,
                () -> InternalToken.verify(SECRET, token, Instant.now().plus(Duration.ofMinutes(2))));
        assertThrows(InternalToken.InvalidTokenException.class, () -> InternalToken.verify(SECRET, "dev-token", Instant.now()));
        assertThrows(InternalToken.InvalidTokenException.class, () -> InternalToken.verify(SECRET, null, Instant.now()));
    }
}
