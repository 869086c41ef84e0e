package io.counterfact.common.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * An RFC 9457 problem detail, the body of every error answer ({@code application/problem+json}). {@code detail}
 * names what is at fault: the row, column or field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<Fault> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One fault among several found in the same input (e.g. the first bad rows of an upload). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Fault(Long row, String column, String field, String reason) {
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null, null);
    }

    public static Response response(int status, String title, String detail) {
        return Response.status(status).type(MEDIA_TYPE).entity(of(status, title, detail)).build();
    }
}
