package io.counterfact.common.http;

import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;
import org.jboss.resteasy.reactive.server.spi.ServerHttpRequest;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every service bounds each route's request body itself, so that a direct call cannot do what the gateway refuses:
 * Quarkus' {@code quarkus.http.limits.max-body-size} is one limit for the whole service (and answers without a
 * problem body), while a service that takes 2 GiB row uploads must not parse a 2 GiB JSON document.
 *
 * <p>The limit of a resource method is named by {@link BodyLimit} ({@value BodyLimits#JSON}, 1 MiB, without one). A
 * declared Content-Length past it is refused at once, without reading the body; any body is counted as it is read
 * (a lying Content-Length, none, chunked), and the read that passes the limit throws {@link BodyTooLargeException}
 * (413 problem+json). Either way the connection is closed after the answer ({@link RefusedBody}): the rest of the
 * body is not read, let alone parsed. Whatever a reader made of the failed read (a CSV reader may report it as a
 * malformed row, a deserializer wrap it), the answer is that 413.
 *
 * <p>Runs after {@code InternalAuthFilter}: a call without a valid token is a 401 whatever its body.
 */
@Provider
@Priority(Priorities.AUTHORIZATION + 100)
public class BodyLimitFilter implements ContainerRequestFilter, ContainerResponseFilter {

    /** Request property: the {@link BodyTooLargeException} of a body read past its limit. */
    static final String REFUSED = "counterfact.body-refused";

    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        long limit = BodyLimits.bytes(BodyLimits.nameFor(resource.getResourceMethod(), resource.getResourceClass()));
        RoutingContext routing = routing(request);
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                request.abortWith(Problem.response(400, "Bad Request", "Content-Length '" + length
                        + "' is not a number"));
                return;
            }
            if (declared > limit) {
                // a client that waits for 100 Continue will not send the body at all: nothing to linger for
                RefusedBody.closeAfterAnswer(routing,
                        !"100-continue".equalsIgnoreCase(request.getHeaderString("Expect")));
                BodyTooLargeException refused = BodyTooLargeException.declared(declared, limit);
                request.abortWith(Problem.response(refused.status(), refused.title(), refused.getMessage()));
                return;
            }
            if (declared == 0) {
                return;
            }
        } else if (request.getHeaderString("Transfer-Encoding") == null && !request.hasEntity()) {
            return; // no body (reading the stream of an HTTP request without one would only wait for nothing)
        }
        AtomicBoolean refused = new AtomicBoolean();
        request.setEntityStream(new LimitedInputStream(request.getEntityStream(), limit, () -> {
            BodyTooLargeException tooLarge = BodyTooLargeException.read(limit);
            if (refused.compareAndSet(false, true)) {
                request.setProperty(REFUSED, tooLarge);
                RefusedBody.closeAfterAnswer(routing, true);
            }
            return tooLarge;
        }));
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(REFUSED) instanceof BodyTooLargeException tooLarge && response.getStatus() != 413) {
            response.setStatus(413);
            response.setEntity(Problem.of(413, tooLarge.title(), tooLarge.getMessage()), null,
                    MediaType.valueOf(Problem.MEDIA_TYPE));
        }
    }

    /** The Vert.x request under Quarkus REST's, or null (another JAX-RS runtime: the connection is left alone). */
    private static RoutingContext routing(ContainerRequestContext request) {
        return request instanceof ResteasyReactiveContainerRequestContext rr
                && rr.getServerRequestContext() instanceof ServerHttpRequest http
                ? http.unwrap(RoutingContext.class) : null;
    }
}
