package io.counterfact.estimation.command;

import io.counterfact.engine.Cancellation;
import io.counterfact.engine.CancelledException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The commands this pod is running, each with the {@link Control} its engine run checks at its checkpoints: stopped
 * when the estimation is cancelled, when it passes its time limit, or when the service shuts down.
 *
 * <p>How a cancellation reaches the run: {@code DELETE} (on whichever pod the gateway sent it to) moves the row to
 * CANCELLED in the database, with its event, in one transaction. The pod running the command learns it by polling:
 * every {@code counterfact.estimation.cancel-poll-interval} (200 ms), while it runs anything, one query asks which of
 * the ids it runs are CANCELLED (a primary-key look-up per running command, so a few per pod), and their controls are
 * stopped; the run stops at its next checkpoint. On the pod that answered the DELETE the control is stopped at once.
 * Why the database and not a Kafka control message: the row is already the authority every worker consults (a
 * terminal row is never started or finished again), so the cancellation is durable the moment DELETE answers, whatever
 * happens to the worker (dead, restarting, in a rebalance) and whichever pod takes the command next; a control topic
 * would need every pod to read every message (a consumer group per pod), and an ordering between the control message
 * and the command that the database gives for free. A poll of a few rows every 200 ms costs nothing measurable.
 */
@ApplicationScoped
public class RunningCommands {

    private static final Logger LOG = Logger.getLogger(RunningCommands.class);

    /** Why a run was stopped. */
    public enum Stop {
        /** DELETE: the row is CANCELLED already; the command is done (acknowledged). */
        CANCELLED,
        /** past {@code counterfact.estimation.time-limit}: the run ends FAILED saying so, and is not run again. */
        TIME_LIMIT,
        /** the service is going down: the command is handed back to another worker (not acknowledged). */
        SHUTDOWN
    }

    /** A run's cancellation: a flag set by the poller, DELETE or shutdown, and a deadline (its time limit). */
    public static final class Control implements Cancellation {
        private final String id;
        private final long deadline;
        private final AtomicReference<Stop> stop = new AtomicReference<>();

        Control(String id, Duration timeLimit) {
            this.id = id;
            long now = System.nanoTime();
            // zero or negative: no limit; past ~292 years a Duration has no nanoseconds, and is no limit either
            long limit = timeLimit.isNegative() || timeLimit.isZero() || timeLimit.compareTo(Duration.ofDays(100_000)) > 0
                    ? Long.MAX_VALUE : timeLimit.toNanos();
            this.deadline = limit == Long.MAX_VALUE ? Long.MAX_VALUE : now + limit;
        }

        public String id() {
            return id;
        }

        /** Why it was stopped; null while it may run on. */
        public Stop stop() {
            return stop.get();
        }

        /** Stops the run at its next checkpoint, unless it was stopped already (the first reason stays). */
        void stop(Stop why) {
            stop.compareAndSet(null, why);
        }

        @Override
        public void check() {
            Stop s = stop.get();
            if (s == null && deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                stop(Stop.TIME_LIMIT);
                s = stop.get();
            }
            if (s != null) {
                throw new CancelledException("estimation " + id + " stopped: " + s);
            }
        }
    }

    @Inject
    DataSource dataSource;

    @Inject
    EstimationRepository repository;

    @ConfigProperty(name = "counterfact.estimation.cancel-poll-interval", defaultValue = "PT0.2S")
    Duration pollInterval;

    private final Map<String, Control> running = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService poller;

    /** Registers a run (its time limit counted from now); {@link #finished} must follow. */
    public Control started(String id, Duration timeLimit) {
        Control control = new Control(id, timeLimit);
        running.put(id, control);
        startPoller();
        return control;
    }

    public void finished(Control control) {
        running.remove(control.id(), control);
    }

    /** The ids this pod runs now. */
    public Set<String> ids() {
        return Set.copyOf(running.keySet());
    }

    /** Stops the run of {@code id} if this pod runs it (DELETE answered here). @return whether it does */
    public boolean cancelHere(String id) {
        Control c = running.get(id);
        if (c != null) {
            c.stop(Stop.CANCELLED);
        }
        return c != null;
    }

    /** Stops every run for a shutdown. @return how many were running */
    public int stopAll() {
        List<Control> all = List.copyOf(running.values());
        all.forEach(c -> c.stop(Stop.SHUTDOWN));
        return all.size();
    }

    private void startPoller() {
        if (poller != null) {
            return;
        }
        synchronized (this) {
            if (poller == null) {
                ScheduledExecutorService p = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "estimation-cancel-poller");
                    t.setDaemon(true);
                    return t;
                });
                long every = Math.max(10, pollInterval.toMillis());
                p.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
                poller = p;
            }
        }
    }

    /** Stops the runs whose estimation was cancelled (on any pod). Nothing is asked while nothing runs. */
    void poll() {
        if (running.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            // autocommit, a read: no transaction to wake the outbox relay for
            for (String id : repository.cancelled(c, running.keySet())) {
                Control control = running.get(id);
                if (control != null && control.stop() == null) {
                    LOG.infof("estimation %s was cancelled: its run stops at its next checkpoint", id);
                    control.stop(Stop.CANCELLED);
                }
            }
        } catch (Exception e) {
            // the database away: the runs go on, and so does the next poll
            LOG.debugf("cancellation poll failed: %s", e.toString());
        }
    }

    @PreDestroy
    void close() {
        ScheduledExecutorService p = poller;
        if (p != null) {
            p.shutdownNow();
        }
    }
}
