package io.counterfact.common.http;

/** Thrown by a service class to answer with a problem detail; mapped by {@link ProblemMappers}. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final transient java.util.Map<String, String> headers;

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, java.util.Map.of());
    }

    public ProblemException(int status, String title, String detail, java.util.Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.title = title;
        this.headers = headers;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "Conflict", detail);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public java.util.Map<String, String> headers() {
        return headers;
    }
}
