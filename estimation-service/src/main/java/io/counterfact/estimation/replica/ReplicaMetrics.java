package io.counterfact.estimation.replica;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The replica's meters (Prometheus at /q/metrics, names with {@code _} for {@code .}). */
@ApplicationScoped
public class ReplicaMetrics {

    @Inject
    MeterRegistry registry;

    private final Map<ReplicaVersion.Status, AtomicLong> versions = new EnumMap<>(ReplicaVersion.Status.class);

    @PostConstruct
    void register() {
        for (ReplicaVersion.Status status : ReplicaVersion.Status.values()) {
            AtomicLong value = new AtomicLong();
            versions.put(status, value);
            Gauge.builder("counterfact.replica.versions", value, AtomicLong::get)
                    .description("Dataset versions known to the replica, by status (refreshed periodically)")
                    .tag("status", status.name())
                    .register(registry);
        }
    }

    void versionsByStatus(Map<ReplicaVersion.Status, Long> counts) {
        counts.forEach((status, n) -> versions.get(status).set(n));
    }

    void chunk(ReplicaIngest.Outcome outcome) {
        Counter.builder("counterfact.replica.chunks").description("Chunk events consumed, by outcome")
                .tag("outcome", outcome.name().toLowerCase()).register(registry).increment();
    }

    void event(String type, ReplicaIngest.Outcome outcome) {
        Counter.builder("counterfact.replica.events").description("Dataset events consumed, by type and outcome")
                .tag("type", type).tag("outcome", outcome.name().toLowerCase()).register(registry).increment();
    }

    void deadLettered(String topic) {
        Counter.builder("counterfact.replica.dead.letters").description("Records sent to the dead-letter topic")
                .tag("topic", topic).register(registry).increment();
    }

    void retried(String topic) {
        Counter.builder("counterfact.replica.retries").description("Records retried after a failure (e.g. database down)")
                .tag("topic", topic).register(registry).increment();
    }

    void versionCompleted(ReplicaVersion.Status status) {
        Counter.builder("counterfact.replica.versions.completed").description("Versions that became READY or CORRUPT")
                .tag("status", status.name()).register(registry).increment();
    }

    void batchHashed() {
        Counter.builder("counterfact.replica.batches.hashed")
                .description("Batches whose digest was recomputed from the stored row groups").register(registry).increment();
    }

    void cache(Supplier<Number> bytes, Supplier<Number> entries) {
        Gauge.builder("counterfact.replica.cache.bytes", bytes).description("Bytes of DataFrames held by the replica's cache")
                .baseUnit("bytes").register(registry);
        Gauge.builder("counterfact.replica.cache.entries", entries).description("Versions held by the replica's cache")
                .register(registry);
    }

    void cacheLookup(boolean hit) {
        Counter.builder("counterfact.replica.cache.lookups").description("DataFrame cache lookups")
                .tag("result", hit ? "hit" : "miss").register(registry).increment();
    }

    Timer loadTimer() {
        return Timer.builder("counterfact.replica.load").description("Loading a version from the database into a DataFrame")
                .register(registry);
    }
}
