package io.counterfact.query.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * LISTENs on {@link ViewChanges#CHANNEL} on one dedicated connection and hands every change, in commit order, to the
 * open streams of this pod ({@link #tap}). When the connection breaks it is re-established with back-off and the
 * changes committed meanwhile are read from {@code view_change} and handed on first, so a stream sees no gap. It also
 * deletes the changes older than {@code counterfact.views.change-retention}.
 */
@ApplicationScoped
public class ViewChangeListener {

    private static final Logger LOG = Logger.getLogger(ViewChangeListener.class);
    private static final int CATCH_UP_BATCH = 1000;

    @Inject
    DataSource dataSource;

    @Inject
    ViewChangeLog log;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "counterfact.views.change-retention", defaultValue = "PT1H")
    Duration retention;

    private final Set<UnicastProcessor<ViewChange>> taps = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    /** The seq of the newest change handed on (-1: none yet), from which a reconnect catches up. */
    private volatile long lastSeq = -1;
    private Thread thread;

    @Inject
    MeterRegistry metrics;

    void start(@Observes StartupEvent event) {
        Gauge.builder("counterfact.query.streams.open", taps, Set::size)
                .description("Event streams open on this pod (the gateways' feeds and any direct client)")
                .register(metrics);
        thread = new Thread(this::listen, "view-change-listener");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        taps.forEach(UnicastProcessor::onComplete); // open streams end, so their connections do not hold shutdown up
    }

    /**
     * Every change from now on, until the application stops, buffered until the subscriber asks for them (at most
     * {@code capacity}; past it the stream fails, and its client resumes from its Last-Event-ID).
     */
    public Multi<ViewChange> tap(int capacity) {
        UnicastProcessor<ViewChange>[] self = new UnicastProcessor[1];
        UnicastProcessor<ViewChange> tap = UnicastProcessor.create(new ArrayBlockingQueue<>(capacity),
                () -> taps.remove(self[0]));
        self[0] = tap;
        taps.add(tap);
        if (!running) {
            tap.onComplete();
        }
        return tap;
    }

    public boolean running() {
        return running;
    }

    /** Open taps (streams) of this pod. */
    public int taps() {
        return taps.size();
    }

    private void listen() {
        long backoff = 200;
        long nextPrune = 0;
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + ViewChanges.CHANNEL);
                }
                catchUp();
                PGConnection pg = c.unwrap(PGConnection.class);
                backoff = 200;
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            publish(n.getParameter());
                        }
                    }
                    if (System.nanoTime() - nextPrune > 0) {
                        nextPrune = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                        int pruned = log.prune(retention);
                        if (pruned > 0) {
                            LOG.debugf("pruned %d view changes older than %s", pruned, retention);
                        }
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("listening for view changes failed, retrying in %d ms: %s", backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }

    /** After (re)connecting: the changes committed since the last one handed on (none on the first connect). */
    private void catchUp() throws SQLException {
        if (lastSeq < 0) {
            lastSeq = log.newest().orElse(0);
            return;
        }
        List<ViewChange> missed;
        do {
            missed = log.after(lastSeq, CATCH_UP_BATCH);
            missed.forEach(this::hand);
        } while (missed.size() == CATCH_UP_BATCH && running);
    }

    private void publish(String payload) {
        try {
            hand(json.readValue(payload, ViewChange.class));
        } catch (IOException e) {
            LOG.warnf("unreadable view change '%s': %s", payload, e.getMessage());
        }
    }

    private void hand(ViewChange change) {
        if (change.seq() != null) {
            if (change.seq() <= lastSeq) {
                return; // caught up from the table already
            }
            lastSeq = change.seq();
        }
        for (UnicastProcessor<ViewChange> tap : taps) {
            tap.onNext(change);
        }
    }
}
