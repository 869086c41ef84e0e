package io.counterfact.gateway.auth;

import io.counterfact.common.auth.Role;
import io.counterfact.gateway.config.GatewayConfig;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The configured API keys: {@code analyst} ({@code counterfact.auth.analyst-token}), {@code viewer}
 * ({@code counterfact.auth.viewer-token}) and any named extra keys ({@code counterfact.auth.keys.<name>}).
 *
 * <p>A presented key is compared with every configured key, always all of them, through SHA-256 digests and
 * {@link MessageDigest#isEqual}: the time taken depends neither on how much of a key matches nor on its length.
 */
@Singleton
public class ApiKeys {

    public static final String ANALYST = "analyst";
    public static final String VIEWER = "viewer";

    private record Entry(ApiKey key, byte[] digest) {
    }

    private final List<Entry> entries;

    @Inject
    public ApiKeys(GatewayConfig config) {
        this(keysOf(config.auth()));
    }

    /** @param tokens key name to (token, role) */
    public ApiKeys(Map<String, Map.Entry<String, Role>> tokens) {
        List<Entry> list = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        tokens.forEach((name, tokenAndRole) -> {
            String token = tokenAndRole.getKey();
            if (token == null || token.isBlank()) {
                throw new IllegalStateException("API key '" + name + "' is empty: set counterfact.auth."
                        + (name.equals(ANALYST) ? "analyst-token (COUNTERFACT_TOKEN)"
                        : name.equals(VIEWER) ? "viewer-token (COUNTERFACT_VIEWER_TOKEN)" : "keys." + name + ".token"));
            }
            if (!seen.add(token)) {
                throw new IllegalStateException("API key '" + name + "' has the same token as another key: "
                        + "every key must be distinct, or its role would be ambiguous");
            }
            list.add(new Entry(new ApiKey(name, tokenAndRole.getValue()), sha256(token)));
        });
        this.entries = List.copyOf(list);
    }

    private static Map<String, Map.Entry<String, Role>> keysOf(GatewayConfig.Auth auth) {
        Map<String, Map.Entry<String, Role>> keys = new LinkedHashMap<>();
        keys.put(ANALYST, Map.entry(auth.analystToken(), Role.ANALYST));
        keys.put(VIEWER, Map.entry(auth.viewerToken(), Role.VIEWER));
        auth.keys().forEach((name, key) -> {
            if (keys.containsKey(name)) {
                throw new IllegalStateException("extra API key name '" + name + "' is reserved");
            }
            keys.put(name, Map.entry(key.token(), key.role()));
        });
        return keys;
    }

    /**
     * @param authorization the {@code Authorization} header, or {@code null}
     * @return the key it carries, if it carries a configured one as {@code Bearer <key>}
     */
    public Optional<ApiKey> authenticate(String authorization) {
        String token = bearer(authorization);
        if (token == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(token);
        ApiKey found = null;
        for (Entry entry : entries) { // no early exit
            if (MessageDigest.isEqual(entry.digest(), digest)) {
                found = entry.key();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The key names and roles, for the start-up log (never the tokens). */
    public List<ApiKey> keys() {
        return entries.stream().map(Entry::key).toList();
    }

    static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
