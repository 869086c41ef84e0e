package io.counterfact.estimation.replica;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Wakes the callers waiting for a version in this process as soon as a transaction here changed a version's state;
 * waiters also poll the database, since another pod's consumer may complete the version.
 */
@ApplicationScoped
public class ReplicaSignals {

    private final Object monitor = new Object();
    private long generation;

    public void changed() {
        synchronized (monitor) {
            generation++;
            monitor.notifyAll();
        }
    }

    long generation() {
        synchronized (monitor) {
            return generation;
        }
    }

    /** Waits until {@link #changed()} moves past {@code seen}, or {@code millis} pass. */
    void awaitChange(long seen, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (monitor) {
            while (generation == seen) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return;
                }
                monitor.wait(left);
            }
        }
    }
}
