package io.counterfact.engine.linalg;

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
     * once, and returns when all are done. Exceptions thrown by the body propagate to the caller.
     */
    public static void forRanges(int count, RangeBody body) {
        if (count <= 0) {
            return;
        }
        if (count == 1 || PARALLELISM == 1) {
            body.run(0, count);
            return;
        }
        // a few ranges per thread balance uneven ranges without much scheduling cost
        int tasks = Math.min(count, PARALLELISM * 4);
        RangeTask root = new RangeTask(body, count, tasks, 0, tasks);
        if (ForkJoinTask.inForkJoinPool()) {
            root.invoke();
        } else {
            POOL.invoke(root);
        }
    }

    private static final class RangeTask extends RecursiveAction {
        private final RangeBody body;
        private final int count;
        private final int tasks;
        private final int firstTask;
        private final int endTask;

        RangeTask(RangeBody body, int count, int tasks, int firstTask, int endTask) {
            this.body = body;
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
                    body.run(from, to);
                }
                return;
            }
            int mid = (firstTask + endTask) >>> 1;
            invokeAll(new RangeTask(body, count, tasks, firstTask, mid),
                    new RangeTask(body, count, tasks, mid, endTask));
        }
    }
}
