package io.counterfact.engine;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Asks a running estimation to stop. The engine calls {@link #check()} at its checkpoints: every bootstrap and
 * refutation replicate, every cross-fitting fold, every Newton (IRLS) iteration of the logistic regression, every
 * few hundred units of the matching loop, and every range of work handed to its pool. A check that finds the
 * estimation should stop throws {@link CancelledException} (unchecked), which unwinds the estimation; nothing the
 * engine computed so far is returned.
 *
 * <p>An implementation must be cheap and thread-safe: it is called from the engine's pool threads, many thousand
 * times a second (a volatile read and a clock read, not a database query: a caller that learns about a cancellation
 * from elsewhere sets a flag that {@code check} reads).
 *
 * <p>How it reaches the checkpoints: {@link CausalEngine#estimate(io.counterfact.engine.data.DataFrame,
 * EstimationSpec, ProgressListener, Cancellation)} makes it the <em>current</em> cancellation of the calling thread
 * for the duration of the estimation ({@link #runWith}), and {@link io.counterfact.engine.linalg.Parallel} carries
 * the current one of the thread that hands out work to the pool threads that run it. The checkpoints deep inside the
 * estimators ({@link #checkpoint()}) read it there, so the estimators' signatures and the {@link Estimator} interface
 * stay as they are.
 */
@FunctionalInterface
public interface Cancellation {

    /** Never stops: what an estimation without a caller's cancellation runs with. */
    Cancellation NONE = () -> { };

    /** @throws CancelledException if the estimation is to stop now */
    void check();

    /** Checks the current thread's cancellation ({@link #NONE} outside {@link #runWith}). */
    static void checkpoint() {
        current().check();
    }

    /** The current thread's cancellation; {@link #NONE} if none was installed. */
    static Cancellation current() {
        Cancellation c = CancellationScope.CURRENT.get();
        return c == null ? NONE : c;
    }

    /** Runs {@code body} with {@code cancellation} as the current thread's, restoring the previous one after. */
    static <T> T runWith(Cancellation cancellation, Supplier<T> body) {
        Objects.requireNonNull(cancellation, "cancellation");
        Cancellation previous = CancellationScope.CURRENT.get();
        CancellationScope.CURRENT.set(cancellation);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CancellationScope.CURRENT.remove();
            } else {
                CancellationScope.CURRENT.set(previous);
            }
        }
    }

    /** As {@link #runWith(Cancellation, Supplier)} for a body without a value. */
    static void runWith(Cancellation cancellation, Runnable body) {
        runWith(cancellation, () -> {
            body.run();
            return null;
        });
    }
}
