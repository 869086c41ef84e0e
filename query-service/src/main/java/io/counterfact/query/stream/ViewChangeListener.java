package io.counterfact.query.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * LISTENs on {@link ViewChanges#CHANNEL} on one dedicated connection and broadcasts every change to the open streams
 * of this pod. The connection is re-established with back-off when it breaks (changes committed meanwhile are not
 * replayed: a client that reconnects reads the views, which are complete).
 */
@ApplicationScoped
public class ViewChangeListener {

    private static final Logger LOG = Logger.getLogger(ViewChangeListener.class);

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    private final BroadcastProcessor<ViewChange> changes = BroadcastProcessor.create();
    private volatile boolean running = true;
    private Thread thread;

    void start(@Observes StartupEvent event) {
        thread = new Thread(this::listen, "view-change-listener");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        changes.onComplete(); // open streams end, so that their connections do not hold the shutdown up
    }

    /** Every change from now on, until the application stops. */
    public Multi<ViewChange> changes() {
        return changes;
    }

    public boolean running() {
        return running;
    }

    private void listen() {
        long backoff = 200;
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + ViewChanges.CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                backoff = 200;
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            publish(n.getParameter());
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

    private void publish(String payload) {
        try {
            changes.onNext(json.readValue(payload, ViewChange.class));
        } catch (IOException e) {
            LOG.warnf("unreadable view change '%s': %s", payload, e.getMessage());
        }
    }
}
