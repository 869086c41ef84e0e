package io.counterfact.common.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The token by which the gateway vouches for a caller to the services behind it: {@code cf1.<claims>.<mac>}, the
 * claims base64url JSON {@code {"sub", "role", "exp", "rid"}}, the MAC an HMAC-SHA256 under a secret shared by the
 * gateway and the services ({@code counterfact.internal.secret}). Short-lived, so a leaked one is of little use;
 * a client's own API key is never accepted by a service, only by the gateway.
 */
public final class InternalToken {

    private static final String VERSION = "cf1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** What a verified token says about its caller. */
    public record Claims(String subject, Role role, Instant expires, String requestId) {
    }

    /** Why a token was refused (the message is safe to show to the caller). */
    public static final class InvalidTokenException extends Exception {
        public InvalidTokenException(String message) {
            super(message);
        }
    }

    private InternalToken() {
    }

    public static String issue(String secret, String subject, Role role, String requestId, Duration ttl) {
        ObjectNode claims = JSON.createObjectNode()
                .put("sub", subject)
                .put("role", role.name().toLowerCase())
                .put("exp", Instant.now().plus(ttl).getEpochSecond());
        if (requestId != null) {
            claims.put("rid", requestId);
        }
        String body = VERSION + "." + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        return body + "." + B64.encodeToString(mac(secret, body));
    }

    public static Claims verify(String secret, String token, Instant now) throws InvalidTokenException {
        if (token == null) {
            throw new InvalidTokenException("missing internal token");
        }
        int lastDot = token.lastIndexOf('.');
        if (!token.startsWith(VERSION + ".") || lastDot <= VERSION.length()) {
            throw new InvalidTokenException("malformed internal token");
        }
        String body = token.substring(0, lastDot);
        byte[] given;
        try {
            given = B64D.decode(token.substring(lastDot + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed internal token");
        }
        if (!MessageDigest.isEqual(given, mac(secret, body))) { // constant time
            throw new InvalidTokenException("internal token signature does not verify");
        }
        try {
            JsonNode claims = JSON.readTree(B64D.decode(body.substring(VERSION.length() + 1)));
            Instant expires = Instant.ofEpochSecond(claims.path("exp").asLong());
            if (!now.isBefore(expires)) {
                throw new InvalidTokenException("internal token expired");
            }
            Role role = Role.valueOf(claims.path("role").asText().toUpperCase());
            return new Claims(claims.path("sub").asText(), role, expires,
                    claims.hasNonNull("rid") ? claims.get("rid").asText() : null);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new InvalidTokenException("malformed internal token claims");
        }
    }

    private static byte[] mac(String secret, String body) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalStateException("counterfact.internal.secret must be set to at least 16 characters");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }
}
