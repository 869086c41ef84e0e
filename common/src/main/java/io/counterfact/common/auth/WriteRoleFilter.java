package io.counterfact.common.auth;

import io.counterfact.common.http.Problem;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;

import java.util.Set;

/**
 * A write from a caller whose role may not write is {@code 403}; a method marked {@link ChangesNothing} (e.g. DAG
 * analysis) is not a write. Runs after matching, on the claims {@link InternalAuthFilter} verified before it.
 */
@Provider
@Priority(Priorities.AUTHORIZATION)
public class WriteRoleFilter implements ContainerRequestFilter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        if (!(request.getProperty(InternalAuthFilter.CLAIMS) instanceof InternalToken.Claims claims)) {
            // InternalAuthFilter refuses every call without claims first; never let one through here either
            request.abortWith(Problem.response(401, "Unauthorized",
                    "missing internal token: services accept calls only through the gateway"));
            return;
        }
        if (!claims.role().mayWrite() && !READS.contains(request.getMethod()) && !changesNothing()) {
            request.abortWith(Problem.response(403, "Forbidden", "role " + claims.role().name().toLowerCase()
                    + " may only read; " + request.getMethod() + " needs role analyst"));
        }
    }

    private boolean changesNothing() {
        return resource != null && resource.getResourceMethod() != null
                && resource.getResourceMethod().isAnnotationPresent(ChangesNothing.class);
    }
}
