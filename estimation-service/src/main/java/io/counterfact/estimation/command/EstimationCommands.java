package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.http.Problem;
import io.counterfact.common.http.ProblemException;
import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.estimation.db.Transactions;
import io.counterfact.estimation.replica.ReplicaStore;
import io.counterfact.estimation.replica.ReplicaVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.counterfact.engine.cost.CommandCost;
import io.counterfact.engine.linalg.Parallel;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The command side of {@code POST /api/estimations}: validates a request against the replica's version and the
 * engine, then stores it and writes the RunEstimation command and the Accepted event to the outbox, one transaction.
 */
@ApplicationScoped
public class EstimationCommands {

    private static final java.util.regex.Pattern TRACEPARENT =
            java.util.regex.Pattern.compile("^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$");

    /**
     * @param created          false when an earlier request with the same Idempotency-Key is answered
     * @param estimatedSeconds the command's estimated wall time ({@link CommandCost}); null for one accepted before
     *                         estimates were kept
     */
    public record Accepted(String id, EstimationRepository.Status status, boolean created, Double estimatedSeconds) {
    }

    @Inject
    Transactions transactions;

    @Inject
    EstimationRepository repository;

    @Inject
    EstimationEvents events;

    @Inject
    ReplicaStore replica;

    @Inject
    CausalEngine engine;

    @Inject
    ObjectMapper json;

    @Inject
    RunningCommands runs;

    @Inject
    CommandLimits limits;

    @ConfigProperty(name = "counterfact.estimation.replica-wait", defaultValue = "PT10S")
    Duration replicaWait;

    public Accepted accept(EstimationRequest request, String idempotencyKey, String traceparent) {
        if (request == null) {
            throw ProblemException.badRequest("no request body: expected {\"datasetId\", \"version\", \"method\", ...}");
        }
        if (request.datasetId() == null || request.datasetId().isBlank()) {
            throw bad("datasetId", "datasetId is required");
        }
        if (request.version() == null || request.version() < 1) {
            throw bad("version", "version is required: a positive integer, not " + request.version());
        }
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey.trim();
        if (key != null && key.length() > 255) {
            throw bad("Idempotency-Key", "the Idempotency-Key header is longer than 255 characters");
        }
        ObjectNode normalized = request.normalized(json);
        if (key != null) {
            Optional<EstimationRepository.Row> earlier = transactions.inTransaction(c -> repository.findByIdempotencyKey(c, key));
            if (earlier.isPresent()) {
                return replay(earlier.get(), normalized);
            }
        }
        Double estimatedSeconds = estimatedSeconds(validate(request, normalized));

        String trace = traceparent != null && TRACEPARENT.matcher(traceparent).matches() ? traceparent : null;
        String id = "est_" + UUID.randomUUID().toString().replace("-", "");
        Optional<EstimationRepository.Row> inserted = transactions.inTransaction(c -> {
            Optional<EstimationRepository.Row> row = repository.insert(c, id, key, request.datasetId(),
                    request.version(), normalized, trace, estimatedSeconds);
            if (row.isPresent()) {
                Instant at = row.get().createdAt();
                events.run(c, id, request.datasetId(), request.version(), normalized, at, trace);
                events.accepted(c, id, request.datasetId(), request.version(), normalized, at, trace, estimatedSeconds);
            }
            return row;
        });
        if (inserted.isPresent()) {
            return new Accepted(id, inserted.get().status(), true, estimatedSeconds);
        }
        // a concurrent request with the same key won the insert
        return replay(transactions.inTransaction(c -> repository.findByIdempotencyKey(c, key)).orElseThrow(), normalized);
    }

    /**
     * {@code DELETE /api/estimations/{id}}: a QUEUED or RUNNING estimation becomes CANCELLED at once, with its
     * EstimationCancelled event, in one transaction (a QUEUED one is then never started: workers start only
     * non-terminal rows; a RUNNING one stops at its next checkpoint, on whichever pod runs it: see
     * {@link RunningCommands}). A CANCELLED one is answered as it is (repeating the call is harmless).
     *
     * @return the estimation as stored after the call
     * @throws ProblemException 404 if unknown, 409 if it finished (SUCCEEDED or FAILED) before it could be cancelled
     */
    public EstimationRepository.Row cancel(String id, String traceparent) {
        String trace = traceparent != null && TRACEPARENT.matcher(traceparent).matches() ? traceparent : null;
        EstimationRepository.Cancel done = transactions.inTransaction(c -> {
            Optional<EstimationRepository.Cancel> cancel = repository.cancel(c, id);
            if (cancel.isPresent() && !cancel.get().previous().terminal()) {
                EstimationRepository.Row row = cancel.get().row();
                events.cancelled(c, row, cancel.get().previous(), trace != null ? trace : row.traceparent());
            }
            return cancel.orElse(null);
        });
        if (done == null) {
            throw ProblemException.notFound("no estimation '" + EstimationRequest.shown(id) + "'");
        }
        EstimationRepository.Status status = done.row().status();
        if (status == EstimationRepository.Status.SUCCEEDED || status == EstimationRepository.Status.FAILED) {
            throw ProblemException.conflict("estimation '" + id + "' is " + status + " already: only a QUEUED or "
                    + "RUNNING estimation can be cancelled");
        }
        if (done.previous() == EstimationRepository.Status.RUNNING) {
            runs.cancelHere(id); // if it runs on this pod, at once; on another pod its poll finds it within 200 ms
        }
        return done.row();
    }

    private Accepted replay(EstimationRepository.Row earlier, ObjectNode normalized) {
        if (!earlier.request().equals(normalized)) {
            throw ProblemException.conflict("Idempotency-Key '" + earlier.idempotencyKey() + "' was used for another "
                    + "request (estimation " + earlier.id() + "); use a new key for a different request");
        }
        return new Accepted(earlier.id(), earlier.status(), false, earlier.estimatedSeconds());
    }

    /** Two significant digits: an estimate, not a measurement. */
    static Double estimatedSeconds(CommandCost.Cost cost) {
        return new BigDecimal(cost.seconds()).round(new MathContext(2, RoundingMode.UP)).doubleValue();
    }

    /** @return the command's cost, within the limits */
    private CommandCost.Cost validate(EstimationRequest request, ObjectNode normalized) {
        String ds = EstimationRequest.shown(request.datasetId()); // as quoted back: at most 80 characters
        int version = request.version();
        long started = System.nanoTime();
        // an id the replica never saw registered is refused at once, unless the replica is behind on the datasets
        // topic: then it waits for the replica to catch up (ReplicaPosition says why that tells the two apart)
        switch (replica.awaitDataset(request.datasetId(), replicaWait)) {
            case NEVER_REGISTERED -> throw ProblemException.notFound("no dataset '" + ds
                    + "' (datasetId): it was never registered; register it with POST /api/datasets, or check the id");
            // neither 404 (it may exist) nor a wait without end: the client retries when the replica has caught up
            case UNDETERMINED -> throw new ProblemException(503, "Service Unavailable", "dataset '"
                    + ds + "' (datasetId) is not known here yet and the replica of the "
                    + "datasets is behind or cannot reach the event broker; retry shortly", Map.of("Retry-After", "5"));
            case KNOWN -> {
            }
        }
        // a known dataset: its version may be being sealed right now, so wait (what is left of) the replica's time
        Duration left = replicaWait.minusNanos(System.nanoTime() - started);
        Optional<ReplicaVersion> v = replica.awaitReady(request.datasetId(), version, left.isNegative() ? Duration.ZERO : left);
        if (v.isEmpty()) {
            throw ProblemException.notFound("dataset '" + ds + "' has no version " + version
                    + " (datasetId, version): unknown dataset or version");
        }
        switch (v.get().status()) {
            case CORRUPT -> throw ProblemException.conflict("version " + version + " of dataset '" + ds
                    + "' cannot be used: its replica is CORRUPT (" + v.get().reason() + ")");
            case PENDING -> throw new ProblemException(503, "Service Unavailable", "version " + version
                    + " of dataset '" + ds + "' is still being replicated (" + v.get().reason() + "); retry shortly",
                    Map.of("Retry-After", "5"));
            case READY -> {
            }
        }
        Map<String, ColumnType> schema = new LinkedHashMap<>();
        for (ReplicaVersion.ColumnInfo c : v.get().columns()) {
            schema.put(c.name(), ColumnType.parse(c.type()));
        }
        CommandCost.Workload workload;
        try {
            // validates the request as engine.validate does, then says what it will do
            workload = engine.workload(schema, replica.levels(v.get()), v.get().rows(),
                    EstimationRequest.spec(json, normalized), Parallel.parallelism());
        } catch (InvalidSpecException e) {
            throw bad(e.field(), e.getMessage());
        }
        return limits.check(workload);
    }

    static ProblemException bad(String field, String message) {
        // some engine messages (the DAG's) name their field already
        String detail = field == null || message.startsWith(field + ": ") ? message : field + ": " + message;
        return ProblemException.badInput(detail, List.of(new Problem.Fault(null, null, field, message)));
    }
}
