package io.counterfact.infra;

import io.counterfact.common.auth.InternalToken;
import io.counterfact.common.auth.Role;

import java.time.Duration;

/**
 * Authorization headers as the gateway would send them, signed with the secret every service's %test profile uses.
 * For tests only: the secret is a test value, not a production one.
 */
public final class TestTokens {

    public static final String SECRET = "test-internal-secret-not-for-production";

    private TestTokens() {
    }

    public static String analyst() {
        return "Bearer " + InternalToken.issue(SECRET, "test-analyst", Role.ANALYST, "test", Duration.ofMinutes(10));
    }

    public static String viewer() {
        return "Bearer " + InternalToken.issue(SECRET, "test-viewer", Role.VIEWER, "test", Duration.ofMinutes(10));
    }
}
