package io.counterfact.engine.linalg;

import io.counterfact.engine.Cancellation;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

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

    private Parallel() {
    }

    /** Number of worker threads. */
    public static int parallelism() {
        return PARALLELISM;
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
        // a few ranges per thread balance uneven ranges without much scheduling cost
        int tasks = Math.min(count, PARALLELISM * 4);
        RangeTask root = new RangeTask(body, cancellation, count, tasks, 0, tasks);
        if (ForkJoinTask.inForkJoinPool()) {
            root.invoke();
        } else {
            POOL.invoke(root);
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
