package io.counterfact.engine;

/**
 * Thrown at a checkpoint by a {@link Cancellation} that says the estimation is to stop (cancelled by its caller, past
 * its time limit, or its service going down). The caller that installed the cancellation knows why; the message is
 * for logs. Carries no stack trace: it is control flow, thrown from the engine's innermost loops.
 */
public class CancelledException extends RuntimeException {

    public CancelledException(String message) {
        super(message, null, false, false);
    }
}
