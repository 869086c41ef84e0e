package io.counterfact.estimation.outbox;

import io.counterfact.common.outbox.OutboxRelay;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Map;

/**
 * Quarkus lifecycle of estimation-service's outbox relay (the shared {@link OutboxRelay}: one relay per database at
 * a time, idempotent producer, waits out broker outages). Every row here carries its payload: no resolver.
 */
@ApplicationScoped
public class EstimationOutboxRelay {

    @Inject
    DataSource dataSource;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "counterfact.outbox.poll-interval", defaultValue = "PT1S")
    Duration pollInterval;

    private volatile OutboxRelay relay;

    void start(@Observes StartupEvent event) {
        relay = OutboxRelay.create(dataSource, bootstrapServers, Map.of(),
                OutboxRelay.Settings.defaults("estimation-outbox-relay", pollInterval), null);
        relay.start();
    }

    /** A pass now: called after each commit (see {@link io.counterfact.estimation.db.Transactions}). */
    public void wake() {
        OutboxRelay started = relay;
        if (started != null) {
            started.wake();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (relay != null) {
            relay.close();
        }
    }
}
