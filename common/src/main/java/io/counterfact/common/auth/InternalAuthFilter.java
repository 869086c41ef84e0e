package io.counterfact.common.auth;

import io.counterfact.common.http.Problem;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Instant;
import java.util.Set;

/**
 * Every service but the gateway refuses a call that does not carry a valid internal token from the gateway
 * ({@code 401}), and a write from a caller whose role may not write ({@code 403}); a method marked
 * {@link ChangesNothing} is not a write. Health, metrics and OpenAPI live
 * under {@code /q/} outside JAX-RS, so probes need no token.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class InternalAuthFilter implements ContainerRequestFilter {

    /** Request property under which the verified {@link InternalToken.Claims} are available to resources. */
    public static final String CLAIMS = "counterfact.claims";
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private volatile String secret;

    @Context
    ResourceInfo resource;

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
        if (!claims.role().mayWrite() && !READS.contains(request.getMethod()) && !changesNothing()) {
            request.abortWith(Problem.response(403, "Forbidden", "role " + claims.role().name().toLowerCase()
                    + " may only read; " + request.getMethod() + " needs role analyst"));
            return;
        }
        request.setProperty(CLAIMS, claims);
    }

    private boolean changesNothing() {
        return resource != null && resource.getResourceMethod() != null
                && resource.getResourceMethod().isAnnotationPresent(ChangesNothing.class);
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
