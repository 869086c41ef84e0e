package io.counterfact.engine;

/**
 * The estimation request cannot be run as given: an unknown method, option or column, a column of
 * the wrong type, or data that make the requested estimate undefined (a constant treatment,
 * collinear covariates, perfect separation, no overlap). The service answers it with HTTP 400.
 *
 * <p>{@link #field()} names the request field at fault in the API's JSON spelling
 * ({@code "treatment"}, {@code "covariates[2]"}, {@code "options.trim"}); the message names the
 * column and says what is wrong with it.
 */
public class InvalidSpecException extends RuntimeException {

    private final String field;

    public InvalidSpecException(String field, String message) {
        super(message);
        this.field = field;
    }

    public InvalidSpecException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The request field at fault, e.g. {@code "covariates[2]"}. */
    public String field() {
        return field;
    }
}
