package io.counterfact.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

import java.util.stream.Collectors;

/** Turns every failure into a problem detail, so that no client ever sees an HTML or empty error body. */
public final class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private ProblemMappers() {
    }

    @Provider
    public static class ProblemExceptionMapper implements ExceptionMapper<ProblemException> {
        @Override
        public Response toResponse(ProblemException e) {
            Response.ResponseBuilder r = Response.status(e.status()).type(Problem.MEDIA_TYPE)
                    .entity(new Problem("about:blank", e.title(), e.status(), e.getMessage(), null, e.faults()));
            e.headers().forEach(r::header);
            return r.build();
        }
    }

    /** 404 for an unknown path, 405, 406, 415 for a wrong content type...: keep the status, explain it. */
    @Provider
    public static class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof ProblemException problem) {
                    return new ProblemExceptionMapper().toResponse(problem); // e.g. a body past its limit, wrapped
                }
                if (status == 400 && cause instanceof JsonProcessingException json) {
                    return JsonProcessingExceptionMapper.describe(json); // malformed JSON body, wrapped by the reader
                }
            }
            String detail = switch (status) {
                case 415 -> "unsupported content type" + (e.getMessage() != null ? ": " + e.getMessage() : "");
                case 413 -> "request body too large";
                default -> e.getMessage();
            };
            if (status >= 500) {
                LOG.error("request failed", e);
            }
            return Problem.response(status, Response.Status.fromStatusCode(status) != null
                    ? Response.Status.fromStatusCode(status).getReasonPhrase() : "Error", detail);
        }
    }

    /**
     * Malformed JSON, or JSON of the wrong shape: 400 naming the line, column and field. A document past the
     * parser's limits ({@code JsonReadLimits}): 413 for its length, 400 for too deep a nesting or too long a
     * string, number or name. Jackson's words are cleaned of Java type names ({@link JsonErrorText}).
     */
    @Provider
    public static class JsonProcessingExceptionMapper implements ExceptionMapper<JsonProcessingException> {
        @Override
        public Response toResponse(JsonProcessingException e) {
            return describe(e);
        }

        static Response describe(JsonProcessingException e) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof ProblemException problem) {
                    // thrown by the body's stream (past its limit) and wrapped by the deserializer on its way out
                    return new ProblemExceptionMapper().toResponse(problem);
                }
            }
            StreamConstraintsException limit = constraint(e);
            boolean tooLong = limit != null && String.valueOf(limit.getOriginalMessage()).startsWith("Document length");
            StringBuilder detail = new StringBuilder(limit != null ? "JSON document over a limit" : "malformed JSON");
            if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
                detail.append(" at field '").append(m.getPath().stream()
                        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .collect(Collectors.joining(".")).replace(".[", "[")).append("'");
            }
            if (e.getLocation() != null) {
                detail.append(" (line ").append(e.getLocation().getLineNr())
                        .append(", column ").append(e.getLocation().getColumnNr()).append(")");
            }
            detail.append(": ").append(JsonErrorText.clean((limit != null ? limit : e).getOriginalMessage()));
            return tooLong ? Problem.response(413, "Content Too Large", detail.toString())
                    : Problem.response(400, "Bad Request", detail.toString());
        }

        /**
         * Whether the parser stopped at a limit (of the JSON reader, or of the body's length) rather than at a
         * mistake in the document: a resource that words its own malformed-JSON answer leaves these to this mapper.
         */
        public static boolean overALimit(JsonProcessingException e) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof ProblemException) {
                    return true;
                }
            }
            return constraint(e) != null;
        }

        /** The limit a document ran into, if that is what failed (also when a mapping exception wraps it). */
        private static StreamConstraintsException constraint(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StreamConstraintsException limit) {
                    return limit;
                }
            }
            return null;
        }
    }

    /** Overrides Quarkus' built-in mapper for JSON of the wrong shape, which answers without a problem body. */
    @Provider
    public static class MismatchedInputExceptionMapper implements ExceptionMapper<MismatchedInputException> {
        @Override
        public Response toResponse(MismatchedInputException e) {
            return JsonProcessingExceptionMapper.describe(e);
        }
    }

    /** Anything unexpected: 500 with no internals in the body, the stack trace in the log. */
    @Provider
    public static class UnexpectedExceptionMapper implements ExceptionMapper<Exception> {
        @Override
        public Response toResponse(Exception e) {
            if (e instanceof WebApplicationException w) {
                return new WebApplicationExceptionMapper().toResponse(w);
            }
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof ProblemException problem) {
                    return new ProblemExceptionMapper().toResponse(problem); // thrown while reading the body, wrapped
                }
                if (cause instanceof JsonProcessingException json) {
                    return JsonProcessingExceptionMapper.describe(json);
                }
            }
            LOG.error("unexpected failure", e);
            return Problem.response(500, "Internal Server Error", "unexpected failure; see the service log");
        }
    }
}
