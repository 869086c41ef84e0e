package io.counterfact.estimation.command;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run {@code POST /api/dags/analyze}: a fixed number (COUNTERFACT_DAGS_WORKERS, 2 by
 * default) with a bounded queue (COUNTERFACT_DAGS_QUEUE, 32), so DAG analyses never run on the event
 * loop, never take the request workers that the rest of the service needs, and a burst of large
 * graphs waits (or is refused with 503) instead of growing threads or memory without bound.
 */
@ApplicationScoped
public class DagAnalysisPool {

    private final ExecutorService executor;

    public DagAnalysisPool(@ConfigProperty(name = "counterfact.dags.workers", defaultValue = "2") int workers,
                           @ConfigProperty(name = "counterfact.dags.queue", defaultValue = "32") int queue) {
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, queue)), r -> {
            Thread t = new Thread(r, "dag-analysis-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Runs the task on a pool thread; throws RejectedExecutionException when the queue is full. */
    void execute(Runnable task) {
        executor.execute(task);
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
