package io.counterfact.estimation.replica;

import io.counterfact.estimation.db.Transactions;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Periodic upkeep: refreshes the gauge of versions per status, and recounts the PENDING versions and completes those
 * that can be (a safety net: each landing event already completes its version, but an attempt that failed midway,
 * or a chunk that named another dataset than its commit, is caught up here).
 */
@ApplicationScoped
public class ReplicaReconciler {

    private static final Logger LOG = Logger.getLogger(ReplicaReconciler.class);

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

    @Scheduled(every = "${counterfact.replica.metrics-interval:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshGauges() {
        try {
            metrics.versionsByStatus(transactions.inTransaction(repository::countByStatus));
        } catch (RuntimeException e) {
            LOG.debugf("could not refresh the replica gauges: %s", e.toString());
        }
    }

    @Scheduled(every = "${counterfact.replica.reconcile-interval:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        try {
            for (String[] pending : transactions.inTransaction(repository::pendingVersions)) {
                String datasetId = pending[0];
                int version = Integer.parseInt(pending[1]);
                Optional<ReplicaVersion.Status> status = transactions.inTransaction(c -> {
                    repository.lockDataset(c, datasetId);
                    return completer.tryComplete(c, datasetId, version);
                });
                if (status.isPresent() && status.get() != ReplicaVersion.Status.PENDING) {
                    signals.changed();
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("replica reconciliation failed, next run retries: %s", e.toString());
        }
    }
}
