package io.counterfact.engine.linalg;

import io.counterfact.engine.Cancellation;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.Supplier;

/**
 * The engine's worker pool, sized to the processors this JVM may use (a container's CPU limit,
 * not the host's core count).
 *
 * <p>Work is handed out as index ranges. Callers that reduce results keep one partial result per
 * fixed-size item and sum the partials in index order, so a result never depends on how many
 * threads ran it.
 *
 * <p>The calling thread's {@link Cancellation#current() cancellation} goes with the work: each range runs with it as
 * its thread's current one, and is checked before the range starts, so an estimation asked to stop stops handing out
 * work, and the checkpoints inside the bodies see the caller's cancellation on the pool's threads too.
 *
 * <p>A caller may hold its work to fewer threads ({@link #withParallelism}): its ranges then run on a smaller pool of
 * that size, shared by every caller with the same limit (estimation-service runs its heavy commands so, so that
 * together they take only their share of the pod's CPUs and the light ones keep the rest).
 */
public final class Parallel {

    /** A body run on the half-open index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final int PARALLELISM = Math.max(1, Runtime.getRuntime().availableProcessors());

    private static final ForkJoinPool POOL = new ForkJoinPool(PARALLELISM, pool -> {
        ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        thread.setName("counterfact-engine-" + thread.getPoolIndex());
        // the pool must never keep a service JVM alive on shutdown
        thread.setDaemon(true);
        return thread;
    }, null, false);

    /** The smaller pools of {@link #withParallelism}, one per size, created on first use. */
    private static final ConcurrentHashMap<Integer, ForkJoinPool> LIMITED = new ConcurrentHashMap<>();

    /** The pool the current thread hands its work to; null: {@link #POOL}. */
    private static final ThreadLocal<ForkJoinPool> CURRENT_POOL = new ThreadLocal<>();

    private Parallel() {
    }

    /** Number of worker threads. */
    public static int parallelism() {
        return PARALLELISM;
    }

    /**
     * Runs {@code body} with the parallel work it hands out ({@link #forRanges}, on this thread) limited to
     * {@code threads} pool threads, in a pool of that size shared with every other caller of the same limit; at or
     * above {@link #parallelism()}, the engine's own pool. Results do not change (see the class comment), only how
     * many threads compute them.
     */
    public static <T> T withParallelism(int threads, Supplier<T> body) {
        ForkJoinPool previous = CURRENT_POOL.get();
        ForkJoinPool pool = threads >= PARALLELISM ? null : LIMITED.computeIfAbsent(Math.max(1, threads),
                n -> new ForkJoinPool(n, p -> {
                    ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                    thread.setName("counterfact-engine-" + n + "-" + thread.getPoolIndex());
                    thread.setDaemon(true);
                    return thread;
                }, null, false));
        CURRENT_POOL.set(pool);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CURRENT_POOL.remove();
            } else {
                CURRENT_POOL.set(previous);
            }
        }
    }

    /**
     * Runs {@code body} over {@code [0, count)} split into contiguous ranges, each index exactly
     * once, and returns when all are done. Exceptions thrown by the body propagate to the caller (among them a
     * {@link io.counterfact.engine.CancelledException} from the caller's cancellation).
     */
    public static void forRanges(int count, RangeBody body) {
        if (count <= 0) {
            return;
        }
        Cancellation cancellation = Cancellation.current();
        cancellation.check();
        if (count == 1 || PARALLELISM == 1) {
            body.run(0, count);
            return;
        }
        ForkJoinPool limited = CURRENT_POOL.get();
        ForkJoinPool pool = limited == null ? POOL : limited;
        // a few ranges per thread balance uneven ranges without much scheduling cost
        int tasks = Math.min(count, pool.getParallelism() * 4);
        RangeTask root = new RangeTask(body, cancellation, count, tasks, 0, tasks);
        if (ForkJoinTask.inForkJoinPool()) {
            // nested work stays in the pool it runs in (a limited one included)
            root.invoke();
        } else {
            pool.invoke(root);
        }
    }

    private static final class RangeTask extends RecursiveAction {
        private final RangeBody body;
        private final Cancellation cancellation;
        private final int count;
        private final int tasks;
        private final int firstTask;
        private final int endTask;

        RangeTask(RangeBody body, Cancellation cancellation, int count, int tasks, int firstTask, int endTask) {
            this.body = body;
            this.cancellation = cancellation;
            this.count = count;
            this.tasks = tasks;
            this.firstTask = firstTask;
            this.endTask = endTask;
        }

        @Override
        protected void compute() {
            if (endTask - firstTask == 1) {
                int from = (int) ((long) count * firstTask / tasks);
                int to = (int) ((long) count * endTask / tasks);
                if (to > from) {
                    // a pool thread (possibly helping with another estimation's work while it waits for its own) runs
                    // this range under the caller's cancellation, NONE included, and gets its own back after
                    Cancellation.runWith(cancellation, () -> {
                        cancellation.check();
                        body.run(from, to);
                    });
                }
                return;
            }
            int mid = (firstTask + endTask) >>> 1;
            invokeAll(new RangeTask(body, cancellation, count, tasks, firstTask, mid),
                    new RangeTask(body, cancellation, count, tasks, mid, endTask));
        }
    }
}
