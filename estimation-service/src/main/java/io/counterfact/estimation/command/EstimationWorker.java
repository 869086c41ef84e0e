package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.events.EventSchemas;
import io.counterfact.common.events.EventTypes;
import io.counterfact.common.tracing.Tracing;
import io.counterfact.engine.CancelledException;
import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.linalg.Parallel;
import io.counterfact.estimation.db.Transactions;
import io.counterfact.estimation.replica.ReplicaStore;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs RunEstimation commands (consumer group {@code estimation-workers}: every pod takes a share of the 12
 * partitions). Up to {@code counterfact.estimation.concurrency} commands at once per pod (default: the CPUs the JVM
 * sees, i.e. the container's limit), out of order; the connector commits an offset only when every record before it is done,
 * so a pod killed mid-command leaves it to another pod. The result is stored once: a redelivered command for a
 * terminal estimation does nothing. A command that cannot be processed goes to the dead-letter topic (nacked) and
 * its estimation, if known, ends FAILED.
 *
 * <p>Each run checks a {@link RunningCommands.Control} at the engine's checkpoints (every bootstrap replicate,
 * cross-fitting fold, Newton iteration, ...), which stops it when its estimation is cancelled (DELETE, on any pod:
 * see {@link RunningCommands}), when it passes {@code counterfact.estimation.time-limit} (it then ends FAILED saying
 * so, acknowledged: never run again), or when the service shuts down.
 *
 * <p>Graceful shutdown (a pod scaled in, SIGTERM): from the {@link ShutdownEvent} on, no command starts any more,
 * and the running ones are stopped at their next checkpoint (within a second) and handed back; the service waits up to
 * {@code counterfact.estimation.shutdown-grace} for them while the consumer still holds its partitions. A command not
 * started, or interrupted, or still running when the grace is over, or failing because the service is going down, is
 * handed back: neither acknowledged nor dead-lettered, so its offset is not committed and the worker that takes the
 * partition over runs it (a new attempt); a run interrupted here also puts its row back to QUEUED. Neither cancelled
 * nor failed: the estimation is not at fault. Without this, a command that failed only because the datasource or the
 * container was closing under it would go to the dead-letter topic or be stored FAILED, and a long run would hold the
 * pod until its kill.
 *
 * <p>Fairness (issue 24): a command is <em>heavy</em> when its {@code estimatedSeconds} (its cost at POST, stored with
 * it) is above {@code counterfact.estimation.heavy-seconds} (10 s); others (and those accepted before costs were
 * estimated) are light. Of the pod's N slots, heavy commands hold at most H ({@code counterfact.estimation.heavy-slots},
 * default N/2, never more than N-1): at least one slot is always left to light commands, which may use every slot.
 * Heavy commands wait for their turn on their own H threads (the heavy lane), not on the connector's: the record of a
 * heavy command waiting for a heavy slot holds neither a worker thread nor the records behind it in its partition, so
 * a light command is never queued behind a heavy one. Records are processed out of order ({@code ordered = false}: up
 * to 256 records in flight per pod, Mutiny's merge concurrency; only if that many heavy commands waited in one pod
 * would the light ones behind them wait too). And the heavy commands' parallel work runs on a pool of their share of
 * the CPUs ({@code counterfact.estimation.heavy-parallelism}, default CPUs x H / N, at least 1: {@link
 * Parallel#withParallelism}), shared by all of them, so that light commands keep the rest.
 *
 * <p>What acknowledgement still guarantees: each command is acknowledged (or dead-lettered) only once its run is over,
 * on whichever thread ran it; the throttled commit strategy commits a partition's offset only up to its first record
 * not yet acknowledged. So a heavy command running for an hour holds back the committed offset of its partition (not
 * the processing of the records behind it): at a restart or a rebalance the records after it are delivered again, and
 * the already finished ones are ignored (their estimation is terminal). At-least-once delivery; no command lost on a
 * restart, the heavy command waiting or running included; the result stored once.
 */
@ApplicationScoped
public class EstimationWorker {

    private static final Logger LOG = Logger.getLogger(EstimationWorker.class);

    /** A command that can never be processed: goes to the dead-letter topic. */
    static final class PoisonCommandException extends RuntimeException {
        PoisonCommandException(String message) {
            super(message);
        }
    }

    /** The service is stopping: leave the command to another worker (not acknowledged, not dead-lettered). */
    static final class HandBackException extends RuntimeException {
        HandBackException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
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

    /** A run still going this long after its start is stopped at its next checkpoint and ends FAILED, not run again. */
    @ConfigProperty(name = "counterfact.estimation.time-limit", defaultValue = "PT30M")
    Duration timeLimit;

    @ConfigProperty(name = "counterfact.estimation.progress-interval", defaultValue = "PT1S")
    Duration progressInterval;

    @ConfigProperty(name = "counterfact.estimation.transient-retry", defaultValue = "PT5M")
    Duration transientRetry;

    @ConfigProperty(name = "counterfact.estimation.concurrency")
    Optional<Integer> concurrency;

    @ConfigProperty(name = "counterfact.estimation.shutdown-grace", defaultValue = "PT20S")
    Duration shutdownGrace;

    /** A command estimated (at POST) above this many seconds is heavy. */
    @ConfigProperty(name = "counterfact.estimation.heavy-seconds", defaultValue = "10")
    double heavySeconds;

    /** Slots heavy commands may hold at most; unset or 0: half of them (at least 1, at most all but one). */
    @ConfigProperty(name = "counterfact.estimation.heavy-slots")
    Optional<Integer> heavySlots;

    /** Pool threads the heavy commands' parallel work shares; unset or 0: their share of the CPUs. */
    @ConfigProperty(name = "counterfact.estimation.heavy-parallelism")
    Optional<Integer> heavyParallelismConfig;

    /**
     * Starts after which a command that never finished is poison: each start that ends neither SUCCEEDED nor FAILED
     * is a worker that died under it (OOM-killed, or a hang its liveness probe ended) or a scale-in hand-back. Without
     * a bound such a command would take down every pod of the group in turn, for ever.
     */
    @ConfigProperty(name = "counterfact.estimation.max-starts", defaultValue = "5")
    int maxStarts;

    /** Every slot: light commands take any, heavy ones only through the heavy lane. */
    private Semaphore slots;
    /** The heavy lane: one thread per heavy slot, each waits for a slot and runs a heavy command in it. */
    private ExecutorService heavyLane;
    private int heavyParallelism;
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean stopping;

    @PostConstruct
    void init() {
        int cpus = Math.max(1, Runtime.getRuntime().availableProcessors());
        // at least two slots, so that one is always left to light commands (on one CPU they share it)
        int n = Math.max(2, concurrency.filter(c -> c > 0).orElse(cpus));
        int h = Math.min(n - 1, heavySlots.filter(c -> c > 0).orElse(Math.max(1, n / 2)));
        slots = new Semaphore(n, true);
        AtomicInteger threads = new AtomicInteger();
        heavyLane = Executors.newFixedThreadPool(h, r -> {
            Thread t = new Thread(r, "estimation-heavy-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        heavyParallelism = heavyParallelismConfig.filter(c -> c > 0).orElse(Math.max(1, cpus * h / n));
        LOG.infof("estimation workers: %d command(s) at once, at most %d of them heavy (estimated above %s s), whose "
                + "parallel work shares %d thread(s)", n, h, heavySeconds, heavyParallelism);
    }

    /**
     * @return whether the command's estimated cost makes it heavy; unknown (none stored, or unreadable) or terminal
     *     already (a redelivery that will do nothing): light
     */
    private boolean heavy(String estimationId) {
        try {
            Optional<Double> estimated = transactions.inTransaction(c -> repository.estimatedSecondsToRun(c, estimationId));
            return estimated.isPresent() && estimated.get() > heavySeconds;
        } catch (RuntimeException e) {
            LOG.debugf("estimation %s: cost not read (%s), run as a light command", estimationId, e.toString());
            return false;
        }
    }

    /**
     * Before the Kafka connector closes (it does so when the application-scoped beans are destroyed, after this event)
     * and before the outbox relay stops (an observer of the same event with the default priority): the running
     * commands may finish and their completed events still be published from here.
     */
    void stop(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION) ShutdownEvent event) {
        stopping = true;
        int interrupted = runs.stopAll();
        if (interrupted > 0) {
            LOG.infof("shutting down: %d running command(s) interrupted at their next checkpoint, to be handed back",
                    interrupted);
        }
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        while (running.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // the heavy commands still waiting in the lane see `stopping` and are handed back; nothing new comes in
        heavyLane.shutdown();
        int left = running.get();
        if (left > 0) {
            LOG.infof("shutting down: %d running command(s) handed back to the other workers after %s", left, shutdownGrace);
        } else {
            LOG.info("shutting down: no command running; commands not started are handed back to the other workers");
        }
    }

    @Incoming("estimation-commands")
    @Blocking(ordered = false)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onCommand(Message<byte[]> message) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<Object, byte[]> meta = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        String where = meta.getTopic() + "-" + meta.getPartition() + "@" + meta.getOffset();
        String estimationId;
        try {
            estimationId = parse(meta.getKey() == null ? null : meta.getKey().toString(), message.getPayload());
        } catch (PoisonCommandException e) {
            return message.nack(e);
        }
        if (stopping) {
            return handBack(where, estimationId, "not started");
        }
        if (!heavy(estimationId)) {
            return process(message, meta.getPartition(), where, estimationId, false);
        }
        // on the heavy lane: this worker thread, and the records behind this one, go on at once
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            heavyLane.execute(() -> {
                try {
                    process(message, meta.getPartition(), where, estimationId, true).whenComplete((v, t) -> {
                        if (t != null) {
                            done.completeExceptionally(t);
                        } else {
                            done.complete(null);
                        }
                    });
                } catch (RuntimeException | Error e) {
                    done.completeExceptionally(e);
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            return handBack(where, estimationId, "not started (the heavy lane is closed)");
        }
        return done;
    }

    /** Takes a slot (in turn), runs the command in it and acknowledges it, or hands it back, or dead-letters it. */
    private CompletionStage<Void> process(Message<byte[]> message, int partition, String where, String estimationId,
                                          boolean heavy) {
        if (stopping) {
            return handBack(where, estimationId, "not started");
        }
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return handBack(where, estimationId, "interrupted while waiting for a slot");
        }
        running.incrementAndGet();
        try {
            if (stopping) {
                return handBack(where, estimationId, "not started");
            }
            runRetryingTransientFailures(estimationId, partition, heavy);
            return message.ack();
        } catch (HandBackException e) {
            return handBack(where, estimationId, e.getMessage());
        } catch (PoisonCommandException e) {
            return message.nack(e);
        } catch (RuntimeException e) {
            if (stopping) {
                return handBack(where, estimationId, "failed while shutting down: " + e);
            }
            return message.nack(e);
        } finally {
            running.decrementAndGet();
            slots.release();
        }
    }

    /** Neither acked nor nacked: its offset is not committed, so the worker that takes the partition runs it. */
    private static CompletionStage<Void> handBack(String where, String estimationId, String why) {
        LOG.infof("shutting down: command %s (estimation %s) handed back: %s", where, estimationId, why);
        return CompletableFuture.completedFuture(null);
    }

    private void runRetryingTransientFailures(String estimationId, int partition, boolean heavy) {
        long deadline = System.nanoTime() + transientRetry.toNanos();
        while (true) {
            try {
                run(estimationId, partition, heavy);
                return;
            } catch (HandBackException | PoisonCommandException e) {
                throw e;
            } catch (RuntimeException e) {
                if (stopping) {
                    throw new HandBackException("failed while shutting down: " + e, e);
                }
                if (!isTransient(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.warnf("estimation %s: transient failure, retrying: %s", estimationId, e.toString());
                sleep(1000);
            }
        }
    }

    /** @return the command's estimation id; a command that breaks its contract fails its estimation and is poison */
    private String parse(String key, byte[] value) {
        JsonNode envelope;
        try {
            envelope = json.readTree(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // the parser's own message, without the location text that names its feature flags
            throw poison(key, "the command is not JSON: " + e.getOriginalMessage());
        } catch (Exception e) {
            throw poison(key, "the command is not JSON");
        }
        if (envelope == null || !envelope.isObject()) {
            throw poison(key, "the command is not a JSON object");
        }
        List<String> violations = EventSchemas.violations(envelope);
        if (!violations.isEmpty()) {
            throw poison(key, "the command breaks its contract: " + String.join("; ", violations));
        }
        if (!EventTypes.ESTIMATION_RUN.equals(envelope.get("type").asText())) {
            throw poison(key, "not a command this worker runs: " + envelope.get("type").asText());
        }
        String id = envelope.get("data").get("estimationId").asText();
        if (key != null && !key.equals(id)) {
            throw poison(key, "the record key '" + key + "' is not the command's estimation id '" + id + "'");
        }
        return id;
    }

    private PoisonCommandException poison(String estimationId, String reason) {
        if (estimationId != null) {
            try {
                transactions.inTransaction(c -> {
                    Optional<EstimationRepository.Row> row = repository.fail(c, estimationId, "poison command: " + reason);
                    if (row.isPresent()) {
                        events.failed(c, row.get(), "poison command: " + reason, null, true, Instant.now());
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.warnf("could not mark estimation %s FAILED: %s", estimationId, e.toString());
            }
        }
        LOG.warnf("poison command (key %s) to the dead-letter topic: %s", estimationId, reason);
        return new PoisonCommandException(reason);
    }

    private void run(String id, int partition, boolean heavy) {
        Optional<EstimationRepository.Row> started = transactions.inTransaction(c -> {
            Optional<EstimationRepository.Row> row = repository.start(c, id, partition);
            if (row.isPresent() && row.get().attempts() <= maxStarts) {
                events.progress(c, id, row.get().attempts(), 0.0, "started", row.get().traceparent());
            }
            return row;
        });
        if (started.isPresent() && started.get().attempts() > maxStarts) {
            throw poison(id, "started " + (started.get().attempts() - 1) + " times and never finished: each run "
                    + "stopped its worker (out of memory or killed) or was handed back; not run again");
        }
        if (started.isEmpty()) {
            Optional<EstimationRepository.Row> known = transactions.inTransaction(c -> repository.find(c, id));
            if (known.isEmpty()) {
                throw poison(null, "no estimation '" + id + "' was accepted here");
            }
            LOG.debugf("estimation %s is already %s: redelivered command ignored", id, known.get().status());
            return;
        }
        // the run is a span of the request's trace; the events it publishes carry the span on to the views
        EstimationRepository.Row accepted = started.get();
        Span span = Tracing.start("run " + accepted.request().path("method").asText("estimation"), SpanKind.CONSUMER,
                accepted.traceparent());
        span.setAttribute("counterfact.estimation_id", id);
        span.setAttribute("counterfact.attempt", accepted.attempts());
        try {
            span.setAttribute("counterfact.heavy", heavy);
            execute(accepted.withTraceparent(Tracing.traceparent(span)), heavy);
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.toString());
            throw e;
        } finally {
            span.end();
        }
    }

    /**
     * Runs a started estimation and stores its result or failure (once: see {@link EstimationRepository}), unless it
     * is stopped: cancelled (its row is CANCELLED already), past its time limit (FAILED, saying so) or by a shutdown
     * (handed back).
     */
    private void execute(EstimationRepository.Row row, boolean heavy) {
        RunningCommands.Control control = runs.started(row.id(), timeLimit);
        try {
            execute(row, control, heavy);
        } finally {
            runs.finished(control);
        }
    }

    private void execute(EstimationRepository.Row row, RunningCommands.Control control, boolean heavy) {
        String id = row.id();
        EstimationResult result;
        try {
            DataFrame frame = replica.load(row.datasetId(), row.version());
            control.check(); // the load may have taken a while: a cancellation meanwhile stops it before the engine
            var spec = EstimationRequest.spec(json, row.request());
            ProgressListener progress = throttled(row, control);
            // a heavy command's parallel work on the heavy commands' share of the CPUs, light ones on all of them
            result = heavy
                    ? Parallel.withParallelism(heavyParallelism, () -> engine.estimate(frame, spec, progress, control))
                    : engine.estimate(frame, spec, progress, control);
        } catch (CancelledException e) {
            stopped(row, control);
            return;
        } catch (InvalidSpecException e) {
            String message = e.getMessage();
            // some engine messages (the DAG's) name their field already
            boolean named = e.field() == null || message.startsWith(e.field() + ": ");
            finishFailed(row, named ? message : e.field() + ": " + message, e.field());
            return;
        } catch (ReplicaStore.NotReadyException e) {
            finishFailed(row, e.getMessage(), null);
            return;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            if (e instanceof RuntimeException r && isTransient(r)) {
                throw r;
            }
            if (stopping && e instanceof RuntimeException) {
                // most likely the replica's datasource or cache closing under it: not the estimation's fault
                throw new HandBackException("the run failed while shutting down: " + e, e);
            }
            finishFailed(row, unexpectedFailure(id, e), null);
            return;
        }
        JsonNode stored = finite(json.valueToTree(result));
        transactions.inTransaction(c -> {
            Optional<EstimationRepository.Row> done = repository.succeed(c, id, stored);
            if (done.isPresent()) {
                events.completed(c, done.get().withTraceparent(row.traceparent()), stored, done.get().finishedAt());
            } else {
                LOG.infof("estimation %s was finished by another worker or cancelled meanwhile: this result is dropped", id);
            }
            return null;
        });
    }

    /**
     * The reason stored and published for a failure the engine did not explain (a bug, or the worker out of memory):
     * written for the analyst, with an incident reference that finds the stack trace in the log. Never the exception's
     * class or message: those name the engine's internals (and an index where the analyst knows columns by name).
     */
    static String unexpectedFailure(String estimationId, Throwable e) {
        String incident = "inc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        if (e instanceof OutOfMemoryError) {
            LOG.errorf(e, "estimation %s ran out of memory (incident %s)", estimationId, incident);
            return "The estimation needed more memory than a worker has (incident " + incident + "); use fewer "
                    + "bootstrap replicates, refutation replicates or cross-fitting folds, or fewer covariates";
        }
        LOG.errorf(e, "estimation %s failed with an internal error (incident %s)", estimationId, incident);
        return "Internal error while running estimation " + estimationId + " (incident " + incident + "); this is "
                + "not a problem with the request. Please report the incident id; retrying will not help until it is fixed";
    }

    /** A run its control stopped: done if cancelled, FAILED past its time limit, handed back on shutdown. */
    private void stopped(EstimationRepository.Row row, RunningCommands.Control control) {
        RunningCommands.Stop why = control.stop();
        if (why == RunningCommands.Stop.CANCELLED) {
            // DELETE stored CANCELLED and published its event; the command is done (acknowledged)
            LOG.infof("estimation %s cancelled: its run stopped (attempt %d)", row.id(), row.attempts());
            return;
        }
        if (why == RunningCommands.Stop.TIME_LIMIT) {
            LOG.infof("estimation %s stopped at its time limit of %s (attempt %d)", row.id(), timeLimit, row.attempts());
            finishFailed(row, timeLimitReason(timeLimit), null);
            return;
        }
        // SHUTDOWN: not the estimation's fault; back to QUEUED for the worker that takes the command over
        try {
            transactions.inTransaction(c -> repository.requeue(c, row.id(), row.attempts()));
        } catch (RuntimeException e) {
            LOG.debugf("estimation %s not put back to QUEUED (the next worker starts it anyway): %s", row.id(), e.toString());
        }
        throw new HandBackException("interrupted by the shutdown at a checkpoint", null);
    }

    /** The reason of a run stopped at its time limit, in the analyst's words. */
    static String timeLimitReason(Duration limit) {
        return "stopped after " + words(limit) + ", the time limit of an estimation; ask for fewer bootstrap "
                + "replicates (options.bootstrap.replicates), fewer refutation replicates or cross-fitting folds, or "
                + "use fewer rows (a smaller dataset version)";
    }

    /** 30 min, 2 h, 45 s, 1.5 s: the limit as a person would say it. */
    static String words(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms >= 3_600_000) {
            return ms / 3_600_000 + " h";
        }
        if (ms % 60_000 == 0 && ms >= 60_000) {
            return ms / 60_000 + " min";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + " s";
        }
        return java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + " s";
    }

    private void finishFailed(EstimationRepository.Row row, String reason, String field) {
        transactions.inTransaction(c -> {
            Optional<EstimationRepository.Row> done = repository.fail(c, row.id(), reason);
            if (done.isPresent()) {
                events.failed(c, done.get().withTraceparent(row.traceparent()), reason, field, false, done.get().finishedAt());
            }
            return null;
        });
    }

    /**
     * Publishes progress at most once every {@code progressInterval} (and never the final 1.0: the result says it).
     * Time alone throttles it: a command of less than a second publishes only its start, so that short commands do
     * not cost the views (and the brokers, and the database) twenty events each, while a long one still shows life.
     */
    private ProgressListener throttled(EstimationRepository.Row row, RunningCommands.Control control) {
        long[] lastAt = {System.nanoTime()};
        double[] last = {0};
        return (fraction, stage) -> {
            long now = System.nanoTime();
            if (fraction >= 1.0 || fraction <= last[0] || control.stop() != null) {
                return;
            }
            if (now - lastAt[0] < progressInterval.toNanos()) {
                return;
            }
            last[0] = fraction;
            lastAt[0] = now;
            try {
                transactions.inTransaction(c -> {
                    events.progress(c, row.id(), row.attempts(), fraction, stage, row.traceparent());
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.debugf("progress of %s not published: %s", row.id(), e.toString()); // progress is best effort
            }
        };
    }

    /** The result as stored and published: a number that is not finite becomes null (JSON has no NaN). */
    static JsonNode finite(JsonNode node) {
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                e.setValue(finiteValue(e.getValue()));
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, finiteValue(a.get(i)));
            }
        }
        return node;
    }

    private static JsonNode finiteValue(JsonNode v) {
        if (v.isNumber() && (v.isDouble() || v.isFloat()) && !Double.isFinite(v.asDouble())) {
            return com.fasterxml.jackson.databind.node.NullNode.instance;
        }
        return finite(v);
    }

    private static boolean isTransient(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                return state == null || state.startsWith("08") || state.startsWith("53") || state.startsWith("57");
            }
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
