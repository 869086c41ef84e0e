package io.counterfact.estimation.replica;

import io.counterfact.common.chunks.Checksums;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.security.MessageDigest;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a PENDING version is complete, and if so whether it is READY or CORRUPT: every row group it lists
 * present, each batch's digest recomputed from the stored row groups equal to the commit's, the row counts and
 * column types consistent, and the version checksum recomputed along its chain. Runs inside the transaction of the
 * event that may complete the version, under the dataset's lock.
 */
@ApplicationScoped
public class VersionCompleter {

    private static final Logger LOG = Logger.getLogger(VersionCompleter.class);

    @Inject
    ReplicaRepository repository;

    @Inject
    ReplicaMetrics metrics;

    /** @return the version's status after the attempt, or empty if the replica does not know the version */
    public Optional<ReplicaVersion.Status> tryComplete(Connection c, String datasetId, int version) throws Exception {
        Optional<ReplicaRepository.VersionRow> found = repository.findVersion(c, datasetId, version, true);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ReplicaVersion v = found.get().view();
        if (v.status() != ReplicaVersion.Status.PENDING) {
            return Optional.of(v.status());
        }
        int present = repository.countPresent(c, datasetId, version);
        if (present < v.rowGroupsExpected()) {
            if (present != v.rowGroupsPresent() || v.reason() != null) {
                repository.updateProgress(c, datasetId, version, present, null);
            }
            return Optional.of(ReplicaVersion.Status.PENDING);
        }
        Verdict verdict = verify(c, v);
        if (verdict.status() == ReplicaVersion.Status.PENDING) {
            repository.updateProgress(c, datasetId, version, present, verdict.reason());
            return Optional.of(ReplicaVersion.Status.PENDING);
        }
        if (verdict.status() == ReplicaVersion.Status.READY) {
            // the one-hot width of each categorical, for the cost of a command at POST (issue 24)
            repository.saveLevels(c, datasetId, version, countLevels(c, v));
        }
        repository.complete(c, datasetId, version, verdict.status(), present, verdict.reason());
        metrics.versionCompleted(verdict.status());
        if (verdict.status() == ReplicaVersion.Status.CORRUPT) {
            LOG.errorf("replica of dataset %s version %d is CORRUPT and will not be served: %s", datasetId, version,
                    verdict.reason());
        } else {
            LOG.infof("replica of dataset %s version %d is READY (%d rows, %d row groups)", datasetId, version,
                    v.rows(), present);
        }
        return Optional.of(verdict.status());
    }

    record Verdict(ReplicaVersion.Status status, String reason) {
        static Verdict corrupt(String reason) {
            return new Verdict(ReplicaVersion.Status.CORRUPT, reason);
        }
    }

    private Verdict verify(Connection c, ReplicaVersion v) throws Exception {
        String expectedTypes = RowGroupLayout.signature(v.columns());
        for (ReplicaRepository.RowGroupFacts facts : repository.rowGroupFacts(c, v.datasetId(), v.version())) {
            if (!facts.datasetId().equals(v.datasetId())) {
                return Verdict.corrupt("row groups listed by this version were published for dataset '"
                        + facts.datasetId() + "'");
            }
            if (!facts.columnTypes().equals(expectedTypes)) {
                return Verdict.corrupt("row groups have column types '" + facts.columnTypes()
                        + "' (n numeric, b binary, c categorical), the version's schema '" + expectedTypes + "'");
            }
        }
        List<CommitEvent.BatchRef> batches = repository.versionBatches(c, v.datasetId(), v.version());
        long rows = 0;
        for (CommitEvent.BatchRef b : batches) {
            ReplicaRepository.BatchDigest actual = repository.batchDigest(c, b.batchId(), b.rowGroups()).orElse(null);
            if (actual == null) {
                actual = digest(c, b);
                repository.saveBatchDigest(c, b.batchId(), b.rowGroups(), actual);
            }
            if (!Arrays.equals(actual.digest(), b.digest())) {
                return Verdict.corrupt("batch " + b.batchId() + ": its " + b.rowGroups() + " row groups as received hash to "
                        + Checksums.hex(actual.digest()) + ", the commit event states digest " + Checksums.hex(b.digest()));
            }
            if (actual.rows() != b.rows()) {
                return Verdict.corrupt("batch " + b.batchId() + " holds " + actual.rows() + " rows, the commit event states "
                        + b.rows());
            }
            rows += actual.rows();
        }
        if (rows != v.rows()) {
            return Verdict.corrupt("the batches hold " + rows + " rows, the commit event states " + v.rows());
        }
        String previousChecksum = null;
        List<CommitEvent.BatchRef> sealedHere = batches;
        if (v.version() > 1) {
            Optional<ReplicaRepository.VersionRow> previous = repository.findVersion(c, v.datasetId(), v.version() - 1, false);
            if (previous.isEmpty()) {
                return new Verdict(ReplicaVersion.Status.PENDING, "every row group is here and every batch digest matches; "
                        + "waiting for version " + (v.version() - 1) + "'s commit event, where this version's checksum chain starts");
            }
            List<CommitEvent.BatchRef> before = repository.versionBatches(c, v.datasetId(), v.version() - 1);
            if (!isPrefix(before, batches)) {
                return Verdict.corrupt("version " + v.version() + " does not list version " + (v.version() - 1)
                        + "'s batches first, in the same order with the same digests");
            }
            previousChecksum = previous.get().view().checksum();
            sealedHere = batches.subList(before.size(), batches.size());
        }
        List<byte[]> digests = new ArrayList<>(sealedHere.size());
        for (CommitEvent.BatchRef b : sealedHere) {
            digests.add(b.digest());
        }
        String checksum = Checksums.versionChecksum(previousChecksum, digests);
        if (!checksum.equals(v.checksum())) {
            return Verdict.corrupt("the version checksum recomputes to " + checksum + ", the commit event states "
                    + v.checksum());
        }
        return new Verdict(ReplicaVersion.Status.READY, null);
    }

    /**
     * Each categorical column's distinct levels in the version: one pass over its row groups reading only their
     * dictionaries (none for a version without categorical columns).
     */
    Map<String, Integer> countLevels(Connection c, ReplicaVersion v) throws Exception {
        if (!LevelCounter.hasCategorical(v.columns())) {
            return Map.of();
        }
        LevelCounter counter = new LevelCounter(v.columns());
        for (CommitEvent.BatchRef b : repository.versionBatches(c, v.datasetId(), v.version())) {
            repository.streamRowGroups(c, b.batchId(), b.rowGroups(), (n, payload) -> counter.append(payload));
        }
        return counter.counts();
    }

    private ReplicaRepository.BatchDigest digest(Connection c, CommitEvent.BatchRef b) throws Exception {
        MessageDigest sha = Checksums.sha256();
        long[] rows = {0};
        repository.streamRowGroups(c, b.batchId(), b.rowGroups(), (n, payload) -> {
            sha.update(payload);
            rows[0] += n;
        });
        metrics.batchHashed();
        return new ReplicaRepository.BatchDigest(rows[0], sha.digest());
    }

    private static boolean isPrefix(List<CommitEvent.BatchRef> prefix, List<CommitEvent.BatchRef> all) {
        if (prefix.size() > all.size()) {
            return false;
        }
        for (int i = 0; i < prefix.size(); i++) {
            CommitEvent.BatchRef a = prefix.get(i);
            CommitEvent.BatchRef b = all.get(i);
            if (!a.batchId().equals(b.batchId()) || a.rowGroups() != b.rowGroups() || !Arrays.equals(a.digest(), b.digest())) {
                return false;
            }
        }
        return true;
    }
}
