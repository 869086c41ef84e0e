package io.counterfact.common.http;

/**
 * A request body past its route's limit: 413. Unchecked, so that it passes unchanged through the JSON and CSV
 * parsers reading the body (they wrap or swallow IOExceptions) up to the problem mapper.
 */
public class BodyTooLargeException extends ProblemException {

    public BodyTooLargeException(String detail) {
        super(413, "Content Too Large", detail);
    }

    public static BodyTooLargeException declared(long declared, long limit) {
        return new BodyTooLargeException("request body of " + declared + " bytes exceeds this route's limit of "
                + BodyLimits.describe(limit));
    }

    public static BodyTooLargeException read(long limit) {
        return new BodyTooLargeException("request body exceeds this route's limit of " + BodyLimits.describe(limit)
                + "; it was refused as soon as the limit was passed and nothing of it is stored");
    }
}
