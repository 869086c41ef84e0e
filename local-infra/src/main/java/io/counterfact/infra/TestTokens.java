package io.counterfact.infra;

import io.counterfact.common.auth.InternalToken;
import io.counterfact.common.auth.Role;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /**
     * Headers a service must refuse with 401, each with what is wrong with it: none, not ours, a client's API key,
     * signed with another secret, expired, its claims altered after signing (a viewer made analyst), its signature cut.
     */
    public static Map<String, String> refused() {
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("missing", null);
        refused.put("not a bearer token", "Basic dGVzdDp0ZXN0");
        refused.put("a client's API key", "Bearer dev-token");
        refused.put("forged: signed with another secret", "Bearer " + InternalToken.issue(
                "another-secret-of-enough-length", "mallory", Role.ANALYST, "test", Duration.ofMinutes(10)));
        refused.put("expired", "Bearer " + InternalToken.issue(
                SECRET, "test-analyst", Role.ANALYST, "test", Duration.ofSeconds(-1)));
        refused.put("claims altered after signing", "Bearer " + promoted(viewer().substring(7)));
        String valid = analyst().substring(7);
        refused.put("signature cut off", "Bearer " + valid.substring(0, valid.lastIndexOf('.') + 1));
        return refused;
    }

    /** The viewer token with its claims rewritten to role analyst, keeping the viewer's signature. */
    private static String promoted(String viewerToken) {
        String[] parts = viewerToken.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"viewer\"", "\"analyst\"");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }
}
