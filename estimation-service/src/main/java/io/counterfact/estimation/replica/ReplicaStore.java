package io.counterfact.estimation.replica;

import io.counterfact.engine.data.DataFrame;
import io.counterfact.estimation.db.Transactions;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replica as the estimation side reads it: a version's state, waiting for a version that was sealed a moment ago,
 * and a READY version as the engine's {@link DataFrame}, streamed from the database row group by row group and kept
 * in an LRU cache bounded by bytes ({@code counterfact.replica.cache-bytes}). Concurrent loads of one version share
 * one read.
 */
@ApplicationScoped
public class ReplicaStore {

    private static final Logger LOG = Logger.getLogger(ReplicaStore.class);

    /** Why a version cannot be loaded: unknown, still PENDING, or CORRUPT. */
    public static final class NotReadyException extends IllegalStateException {
        private final transient ReplicaVersion version;

        NotReadyException(String message, ReplicaVersion version) {
            super(message);
            this.version = version;
        }

        /** @return the version's state, or null if the replica does not know it */
        public ReplicaVersion version() {
            return version;
        }
    }

    @Inject
    Transactions transactions;

    @Inject
    ReplicaRepository repository;

    @Inject
    ReplicaSignals signals;

    @Inject
    ReplicaMetrics metrics;

    @Inject
    ReplicaPosition position;

    @ConfigProperty(name = "counterfact.replica.cache-bytes", defaultValue = "512M")
    MemorySize cacheBytes;

    @ConfigProperty(name = "counterfact.replica.await-poll-interval", defaultValue = "PT0.2S")
    Duration pollInterval;

    private FrameCache cache;
    private final ConcurrentHashMap<FrameCache.Key, CompletableFuture<DataFrame>> loading = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        cache = new FrameCache(cacheBytes.asLongValue());
        metrics.cache(() -> cache.bytes(), () -> cache.size());
    }

    /** Whether the replica has seen the dataset registered, or a version of it committed. */
    public boolean knowsDataset(String datasetId) {
        return transactions.inTransaction(c -> repository.datasetKnown(c, datasetId));
    }

    /** What the replica can say about a dataset id. */
    public enum DatasetState {
        /** Registered (or a version of it committed). */
        KNOWN,
        /** Never registered: the replica has applied every dataset event published before the question. */
        NEVER_REGISTERED,
        /** Not known, and the replica could not show it was caught up in time (lagging, or the broker unreachable). */
        UNDETERMINED
    }

    /**
     * Waits until the replica knows the dataset, or has applied every dataset event published before the call (then
     * an id it does not know was never registered: see {@link ReplicaPosition}), at most {@code timeout}.
     *
     * @return at once KNOWN for a known dataset, and NEVER_REGISTERED for an unknown one while the replica is caught up
     */
    public DatasetState awaitDataset(String datasetId, Duration timeout) {
        if (knowsDataset(datasetId)) {
            return DatasetState.KNOWN;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        // empty when the broker cannot be asked: then only the dataset's arrival can answer before the timeout
        Optional<java.util.Map<Integer, Long>> ends = position.endOffsets();
        while (true) {
            long seen = signals.generation();
            if (ends.isPresent() && position.reached(ends.get())) {
                // the replica's state now includes every event published before the call: look once more
                return knowsDataset(datasetId) ? DatasetState.KNOWN : DatasetState.NEVER_REGISTERED;
            }
            if (knowsDataset(datasetId)) {
                return DatasetState.KNOWN;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return DatasetState.UNDETERMINED;
            }
            try {
                signals.awaitChange(seen, Math.max(1, Math.min(pollInterval.toMillis(), left / 1_000_000L)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return knowsDataset(datasetId) ? DatasetState.KNOWN : DatasetState.UNDETERMINED;
            }
        }
    }

    public Optional<ReplicaVersion> find(String datasetId, int version) {
        return transactions.inTransaction(c -> repository.findVersion(c, datasetId, version, false)
                .map(ReplicaRepository.VersionRow::view));
    }

    /**
     * Waits until the version is READY or CORRUPT (answered at once if it already is), at most {@code timeout}.
     *
     * @return the version's state when it became terminal, or at the timeout its last state (PENDING), or empty if the
     * replica still does not know the version when the timeout passes
     */
    public Optional<ReplicaVersion> awaitReady(String datasetId, int version, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = signals.generation();
            Optional<ReplicaVersion> v = find(datasetId, version);
            if (v.isPresent() && v.get().isTerminal()) {
                return v;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return v;
            }
            try {
                signals.awaitChange(seen, Math.max(1, Math.min(pollInterval.toMillis(), left / 1_000_000L)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return find(datasetId, version);
            }
        }
    }

    @Inject
    VersionCompleter completer;

    /**
     * Each categorical column's number of distinct levels in a READY version (its one-hot width is that minus one),
     * as counted when it became READY. A version completed before the counts were kept is counted now, from the
     * cached frame if it is loaded, else in one pass over its row groups' dictionaries, and the counts stored.
     */
    public Map<String, Integer> levels(ReplicaVersion v) {
        Optional<Map<String, Integer>> stored = transactions.inTransaction(c -> repository.levels(c, v.datasetId(), v.version()));
        if (stored.isPresent()) {
            return stored.get();
        }
        DataFrame cached = cache.get(new FrameCache.Key(v.datasetId(), v.version()));
        Map<String, Integer> counted;
        if (cached != null) {
            counted = new LinkedHashMap<>();
            for (String name : cached.names()) {
                if (cached.column(name).type() == io.counterfact.engine.data.ColumnType.CATEGORICAL) {
                    counted.put(name, cached.column(name).levels().size());
                }
            }
        } else {
            counted = transactions.inTransaction(c -> completer.countLevels(c, v));
        }
        transactions.inTransaction(c -> {
            repository.saveLevels(c, v.datasetId(), v.version(), counted);
            return null;
        });
        return counted;
    }

    /**
     * The version as a DataFrame: numeric and binary columns as {@code double[]} (NaN missing), categorical columns as
     * codes into one sorted dictionary per column (−1 missing).
     *
     * @throws NotReadyException if the version is unknown, PENDING or CORRUPT
     */
    public DataFrame load(String datasetId, int version) {
        ReplicaVersion v = find(datasetId, version).orElseThrow(() -> new NotReadyException(
                "the replica has no version " + version + " of dataset '" + datasetId + "'", null));
        FrameCache.Key key = new FrameCache.Key(datasetId, version);
        if (v.status() != ReplicaVersion.Status.READY) {
            cache.remove(key);
            throw new NotReadyException("version " + version + " of dataset '" + datasetId + "' is " + v.status()
                    + (v.reason() != null ? ": " + v.reason() : ""), v);
        }
        DataFrame cached = cache.get(key);
        metrics.cacheLookup(cached != null);
        if (cached != null) {
            return cached;
        }
        CompletableFuture<DataFrame> mine = new CompletableFuture<>();
        CompletableFuture<DataFrame> other = loading.putIfAbsent(key, mine);
        if (other != null) {
            try {
                return other.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            DataFrame frame = metrics.loadTimer().record(() -> read(v));
            cache.put(key, frame, FrameBuilder.sizeOf(frame));
            mine.complete(frame);
            return frame;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(key, mine);
        }
    }

    private DataFrame read(ReplicaVersion v) {
        long started = System.nanoTime();
        DataFrame frame = transactions.inTransaction(c -> {
            FrameBuilder builder = new FrameBuilder(v.columns(), v.rows());
            List<CommitEvent.BatchRef> batches = repository.versionBatches(c, v.datasetId(), v.version());
            for (CommitEvent.BatchRef b : batches) {
                int n = repository.streamRowGroups(c, b.batchId(), b.rowGroups(), (rows, payload) -> builder.append(payload));
                if (n != b.rowGroups()) {
                    throw new IllegalStateException("batch " + b.batchId() + " has " + n + " of its " + b.rowGroups()
                            + " row groups in the replica");
                }
            }
            return builder.build();
        });
        LOG.infof("loaded dataset %s version %d into memory: %d rows x %d columns in %d ms", v.datasetId(), v.version(),
                frame.rowCount(), frame.names().size(), (System.nanoTime() - started) / 1_000_000L);
        return frame;
    }
}
