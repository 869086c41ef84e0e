package io.counterfact.common.http;

/** Thrown by a service class to answer with a problem detail; mapped by {@link ProblemMappers}. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final transient java.util.Map<String, String> headers;
    private final transient java.util.List<Problem.Fault> faults;

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, java.util.Map.of());
    }

    public ProblemException(int status, String title, String detail, java.util.Map<String, String> headers) {
        this(status, title, detail, headers, null);
    }

    public ProblemException(int status, String title, String detail, java.util.Map<String, String> headers,
                            java.util.List<Problem.Fault> faults) {
        super(detail);
        this.status = status;
        this.title = title;
        this.headers = headers;
        this.faults = faults;
    }

    /** A 400 listing every fault found (detail summarises the first ones). */
    public static ProblemException badInput(String detail, java.util.List<Problem.Fault> faults) {
        return new ProblemException(400, "Bad Request", detail, java.util.Map.of(), faults);
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

    public java.util.List<Problem.Fault> faults() {
        return faults;
    }

    public java.util.Map<String, String> headers() {
        return headers;
    }
}
