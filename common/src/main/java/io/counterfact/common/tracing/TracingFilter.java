package io.counterfact.common.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * A server span for every JAX-RS call of a service, child of the caller's {@code traceparent} (the gateway's span).
 * The request's {@code traceparent} header is replaced by this span's context, so whatever the resource does with
 * it (estimation-service stores it with the command and puts it on its events) continues from this span.
 * Runs before authentication, so refused calls are traced too.
 */
@Provider
@Priority(Priorities.AUTHENTICATION - 100)
public class TracingFilter implements ContainerRequestFilter, ContainerResponseFilter {

    static final String SPAN = "counterfact.span";

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        Span span = Tracing.start(request.getMethod() + " " + path, SpanKind.SERVER,
                request.getHeaderString(Tracing.HEADER));
        span.setAttribute("http.request.method", request.getMethod());
        span.setAttribute("url.path", path);
        request.setProperty(SPAN, span);
        String traceparent = Tracing.traceparent(span);
        if (traceparent != null) {
            request.getHeaders().putSingle(Tracing.HEADER, traceparent);
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(SPAN) instanceof Span span) {
            span.setAttribute("http.response.status_code", response.getStatus());
            if (response.getStatus() >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }
    }
}
