package io.counterfact.estimation.replica;

/**
 * A record that can never be applied, however often it is retried (not the contract's shape, an unknown type or
 * schema version, an undecodable row group): it goes to the dead-letter topic and consumption goes on.
 */
public class PoisonRecordException extends RuntimeException {

    public PoisonRecordException(String message) {
        super(message);
    }

    public PoisonRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
