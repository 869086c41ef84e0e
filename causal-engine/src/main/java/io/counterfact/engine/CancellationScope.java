package io.counterfact.engine;

/** Holds the current thread's {@link Cancellation} (an interface cannot hold a private field). */
final class CancellationScope {

    static final ThreadLocal<Cancellation> CURRENT = new ThreadLocal<>();

    private CancellationScope() {
    }
}
