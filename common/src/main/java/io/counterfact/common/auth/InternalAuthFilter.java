package io.counterfact.common.auth;

import io.counterfact.common.http.Problem;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Instant;

/**
 * Every service but the gateway refuses a call that does not carry a valid internal token from the gateway
 * ({@code 401}). The check runs before the request is matched to a resource ({@link PreMatching}), so an
 * unauthenticated caller learns nothing about the routes (no 404, 405 or 415 before the 401) and no body is read;
 * which role may call which method is {@link WriteRoleFilter}'s, after matching. Health, metrics and OpenAPI live
 * under {@code /q/} outside JAX-RS, so probes need no token.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class InternalAuthFilter implements ContainerRequestFilter {

    /** Request property under which the verified {@link InternalToken.Claims} are available to resources. */
    public static final String CLAIMS = "counterfact.claims";

    private volatile String secret;

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        InternalToken.Claims claims;
        try {
            claims = InternalToken.verify(secret(), token, Instant.now());
        } catch (InternalToken.InvalidTokenException e) {
            request.abortWith(Problem.response(401, "Unauthorized",
                    e.getMessage() + ": services accept calls only through the gateway"));
            return;
        }
        request.setProperty(CLAIMS, claims);
    }

    private String secret() {
        String s = secret;
        if (s == null) {
            s = ConfigProvider.getConfig().getValue("counterfact.internal.secret", String.class);
            secret = s;
        }
        return s;
    }
}
