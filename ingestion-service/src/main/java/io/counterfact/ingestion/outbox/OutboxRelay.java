package io.counterfact.ingestion.outbox;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Quarkus lifecycle of ingestion's outbox relay ({@link io.counterfact.common.outbox.OutboxRelay}): started with the
 * application, stopped with it. A chunk row carries no payload: the relay reads the row group it points at
 * ({@code batch_id}, {@code row_group}), at most 32 per pass, which bounds the row-group bytes in flight.
 */
@ApplicationScoped
public class OutboxRelay {

    @Inject
    DataSource dataSource;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "counterfact.outbox.poll-interval", defaultValue = "PT1S")
    Duration pollInterval;

    private volatile io.counterfact.common.outbox.OutboxRelay relay;

    void start(@Observes StartupEvent event) {
        relay = io.counterfact.common.outbox.OutboxRelay.create(dataSource, bootstrapServers, Map.of(),
                io.counterfact.common.outbox.OutboxRelay.Settings.defaults("ingestion-outbox-relay", pollInterval),
                OutboxRelay::rowGroup);
        relay.start();
    }

    /** A pass now: called after each commit (see {@link io.counterfact.ingestion.dataset.Transactions}). */
    public void wake() {
        io.counterfact.common.outbox.OutboxRelay started = relay;
        if (started != null) {
            started.wake();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (relay != null) {
            relay.close();
        }
    }

    /** @return how many events this pass published */
    int publishPass() throws Exception {
        return relay.publishPass();
    }

    private static byte[] rowGroup(Connection c, ResultSet row) throws SQLException {
        UUID batch = (UUID) row.getObject("batch_id");
        int index = row.getInt("row_group");
        try (PreparedStatement s = c.prepareStatement("SELECT payload FROM row_group WHERE batch_id = ? AND idx = ?")) {
            s.setObject(1, batch);
            s.setInt(2, index);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("outbox points at a missing row group " + batch + "/" + index);
                }
                return rs.getBytes(1);
            }
        }
    }
}
