package io.counterfact.query.consumer;

/**
 * A record that can never be applied (not JSON, invalid against its schema, an unknown type or schema version, data
 * the views refuse): it goes to the dead-letter topic and the partition moves on. Its message is the reason, which
 * travels with the dead letter.
 */
public class PoisonEventException extends RuntimeException {

    public PoisonEventException(String reason) {
        super(reason);
    }

    public PoisonEventException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
