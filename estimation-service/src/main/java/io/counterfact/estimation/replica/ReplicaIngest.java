package io.counterfact.estimation.replica;

import io.counterfact.common.events.EventTypes;
import io.counterfact.common.events.Topics;
import io.counterfact.estimation.db.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Applies dataset events to the replica, each in one transaction with its inbox row (a redelivered event changes
 * nothing twice). Chunks and commits travel on different topics, so either may land first: a version is completed by
 * whichever of its events lands last.
 */
@ApplicationScoped
public class ReplicaIngest {

    private static final Logger LOG = Logger.getLogger(ReplicaIngest.class);

    /** What became of one event. */
    public enum Outcome { APPLIED, DUPLICATE }

    @Inject
    Transactions transactions;

    @Inject
    ReplicaRepository repository;

    @Inject
    VersionCompleter completer;

    @Inject
    ReplicaSignals signals;

    @Inject
    ReplicaMetrics metrics;

    /** Stores one row group and completes the pending versions it was the last missing piece of. */
    public Outcome chunk(ChunkHeaders h, RowGroupLayout layout, byte[] payload) {
        boolean[] changed = {false};
        Outcome outcome = transactions.inTransaction(c -> {
            repository.lockDataset(c, h.datasetId());
            if (!repository.recordInbox(c, h.eventId(), Topics.DATASET_CHUNKS, EventTypes.DATASET_CHUNK)) {
                return Outcome.DUPLICATE;
            }
            if (!repository.insertRowGroup(c, h.datasetId(), h.batchId(), h.rowGroup(), layout, payload)) {
                LOG.debugf("row group %s/%d arrived again under event %s; the first copy stays", h.batchId(),
                        h.rowGroup(), h.eventId());
                return Outcome.DUPLICATE;
            }
            for (ReplicaRepository.Progress p : repository.countLanded(c, h.batchId(), h.rowGroup())) {
                if (p.present() >= p.expected()) {
                    Optional<ReplicaVersion.Status> s = completer.tryComplete(c, p.datasetId(), p.version());
                    changed[0] |= s.isPresent() && s.get() != ReplicaVersion.Status.PENDING;
                }
            }
            return Outcome.APPLIED;
        });
        metrics.chunk(outcome);
        if (changed[0]) {
            signals.changed();
        }
        return outcome;
    }

    /**
     * A dataset was registered: nothing to replicate until a version is committed, but its id is recorded, so that a
     * command naming it waits for its first version while one naming an id never registered is refused at once.
     */
    public Outcome registered(String eventId, String datasetId) {
        Outcome outcome = transactions.inTransaction(c -> {
            if (!repository.recordInbox(c, eventId, Topics.DATASETS, EventTypes.DATASET_REGISTERED)) {
                return Outcome.DUPLICATE;
            }
            repository.recordDataset(c, datasetId, eventId);
            return Outcome.APPLIED;
        });
        metrics.event(EventTypes.DATASET_REGISTERED, outcome);
        signals.changed();
        return outcome;
    }

    /** Records what a version consists of, and completes it if its row groups are all here already. */
    public Outcome committed(CommitEvent e) {
        Outcome outcome = transactions.inTransaction(c -> {
            repository.lockDataset(c, e.datasetId());
            if (!repository.recordInbox(c, e.eventId(), Topics.DATASETS, EventTypes.DATASET_VERSION_COMMITTED)) {
                return Outcome.DUPLICATE;
            }
            Optional<ReplicaRepository.VersionRow> existing = repository.findVersion(c, e.datasetId(), e.version(), true);
            if (existing.isPresent()) {
                String conflict = conflict(existing.get(), repository.versionBatches(c, e.datasetId(), e.version()), e);
                if (conflict == null) {
                    LOG.infof("commit event %s repeats version %d of dataset %s (first applied from event %s): nothing to do",
                            e.eventId(), e.version(), e.datasetId(), existing.get().eventId());
                    return Outcome.DUPLICATE;
                }
                ReplicaVersion v = existing.get().view();
                if (v.status() != ReplicaVersion.Status.CORRUPT) {
                    String reason = "two commit events disagree on this version: " + conflict + " (events "
                            + existing.get().eventId() + " and " + e.eventId() + ")";
                    repository.complete(c, e.datasetId(), e.version(), ReplicaVersion.Status.CORRUPT,
                            v.rowGroupsPresent(), reason);
                    metrics.versionCompleted(ReplicaVersion.Status.CORRUPT);
                    LOG.errorf("replica of dataset %s version %d is CORRUPT: %s", e.datasetId(), e.version(), reason);
                }
                return Outcome.APPLIED;
            }
            // a committed version proves the dataset exists, whether or not its registration was seen here
            repository.recordDataset(c, e.datasetId(), e.eventId());
            String invalid = inconsistency(e);
            repository.insertVersion(c, e, invalid == null ? ReplicaVersion.Status.PENDING : ReplicaVersion.Status.CORRUPT,
                    invalid, e.rowGroups());
            if (invalid != null) {
                metrics.versionCompleted(ReplicaVersion.Status.CORRUPT);
                LOG.errorf("replica of dataset %s version %d is CORRUPT: %s", e.datasetId(), e.version(), invalid);
                return Outcome.APPLIED;
            }
            completer.tryComplete(c, e.datasetId(), e.version());
            // a later version that waited for this one, where its checksum chain starts
            completer.tryComplete(c, e.datasetId(), e.version() + 1);
            return Outcome.APPLIED;
        });
        metrics.event(EventTypes.DATASET_VERSION_COMMITTED, outcome);
        signals.changed();
        return outcome;
    }

    /** A commit whose own numbers do not add up can never become READY: it is CORRUPT from the start. */
    private static String inconsistency(CommitEvent e) {
        Set<UUID> seen = new HashSet<>();
        long rows = 0;
        for (CommitEvent.BatchRef b : e.batches()) {
            if (!seen.add(b.batchId())) {
                return "the commit event lists batch " + b.batchId() + " twice";
            }
            rows += b.rows();
        }
        if (rows != e.rows()) {
            return "the commit event's batches add up to " + rows + " rows, its rows field states " + e.rows();
        }
        return null;
    }

    /** @return what differs between a stored version and a second commit event for it, or null if nothing does */
    private static String conflict(ReplicaRepository.VersionRow stored, List<CommitEvent.BatchRef> storedBatches,
                                   CommitEvent e) {
        ReplicaVersion v = stored.view();
        if (!v.checksum().equals(e.checksum())) {
            return "checksum " + v.checksum() + " against " + e.checksum();
        }
        if (v.rows() != e.rows()) {
            return "rows " + v.rows() + " against " + e.rows();
        }
        if (!v.columns().equals(e.columns())) {
            return "columns differ";
        }
        if (storedBatches.size() != e.batches().size()) {
            return storedBatches.size() + " batches against " + e.batches().size();
        }
        for (int i = 0; i < storedBatches.size(); i++) {
            CommitEvent.BatchRef a = storedBatches.get(i);
            CommitEvent.BatchRef b = e.batches().get(i);
            if (!a.batchId().equals(b.batchId()) || a.rows() != b.rows() || a.rowGroups() != b.rowGroups()
                    || !Arrays.equals(a.digest(), b.digest())) {
                return "batch " + i + " differs";
            }
        }
        return null;
    }
}
