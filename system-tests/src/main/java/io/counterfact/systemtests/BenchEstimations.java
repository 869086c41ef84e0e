package io.counterfact.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.events.EventTypes;
import io.counterfact.common.events.Topics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The estimation workers' benchmark (scripts/bench-estimations.sh), on the system-tests harness: the packaged
 * services as processes against a real PostgreSQL and Kafka, each estimation worker pinned to one core
 * ({@code taskset -c} and {@code -XX:ActiveProcessorCount=1}) as a pod with a 1-CPU limit, or with
 * {@code --cpu-limit M} held to M millicores by a CFS quota, as Kubernetes enforces a pod's CPU limit.
 *
 * <ol>
 *   <li>(a) drain rate of N queued commands with 1 and with 2 workers: the commands are queued through an
 *   estimation-service instance whose command consumer is disabled, to workers that are already running and warm
 *   (a warm-up batch first, {@code --warmup} commands per worker: JIT, pools, frame cache) and frozen (SIGSTOP)
 *   while the commands are queued, then thawed together; the drain time is first start to last finish (database
 *   timestamps); the CPU each group of processes used in it is reported per command, the workers' by kind of thread
 *   too; {@code --rounds} times with fresh workers.</li>
 *   <li>(b) a worker removed mid-drain (SIGTERM, then SIGKILL in a second round): commands lost, run twice.</li>
 *   <li>(c) POST through the gateway to a SUCCEEDED {@code GET /api/estimations/{id}} through the gateway, one
 *   10,000-row AIPW at a time, two workers: p50/p95.</li>
 * </ol>
 * Raw results go to the output folder (CSV per part, summary.txt).
 */
public final class BenchEstimations {

    /** The workers' group in the CPU split ({@link CpuTicks#byGroup}). */
    private static final String WORKERS = "estimation workers";

    private final Map<String, String> opts;
    private final Path out;
    private Suite suite;
    private Api api;
    private ServiceProcess ingestion;
    private ServiceProcess accepting;
    private String datasetId;
    private final StringBuilder summary = new StringBuilder();
    private final List<String> cores;

    private BenchEstimations(Map<String, String> opts) {
        this.opts = opts;
        this.out = Path.of(opts.get("out")).toAbsolutePath();
        this.cores = Arrays.asList(opts.getOrDefault("cores", "0,1").split(","));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of(
                "rows", "10000", "commands", "120", "replicates", "40", "latency-samples", "60", "warmup", "200",
                "cpu-limit", "0", "pin", "0", "parts", "abc", "rounds", "1",
                "out", ".work/bench-estimations/" + Instant.now().toString().replace(":", "")));
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        BenchEstimations bench = new BenchEstimations(opts);
        try {
            bench.run();
        } finally {
            if (bench.suite != null) {
                bench.suite.close();
            }
            CpuLimit.cleanUp();
        }
        System.exit(0);
    }

    private int opt(String name) {
        return Integer.parseInt(opts.get(name));
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        Path root = Path.of(opts.getOrDefault("root", ".")).toAbsolutePath().normalize();
        log("output: " + out + "; options " + opts);
        suite = Suite.start(root, out.resolve("stack"));
        api = new Api(suite.analystAuthorization());
        ingestion = suite.start(Suite.Spec.of("ingestion-service", "ingestion-service"));
        // accepts POST /api/estimations (validates against the replica, stores, publishes the command) but runs none
        accepting = suite.start(Suite.Spec.of("estimation-service", "estimation-accepting")
                .jvmArgs("-Dmp.messaging.incoming.estimation-commands.enabled=false"));
        ServiceProcess query = suite.start(Suite.Spec.of("query-service", "query-service"));
        ingestion.awaitReady(Duration.ofMinutes(3));
        accepting.awaitReady(Duration.ofMinutes(3));
        query.awaitReady(Duration.ofMinutes(3));
        datasetId = api.uploadDataset(ingestion.baseUrl(), "bench " + opt("rows"), SyntheticData.columns(),
                SyntheticData.csv(opt("rows"), 42));
        api.awaitReplicaReady(accepting.baseUrl(), datasetId, 1, Duration.ofMinutes(3));
        log("dataset " + datasetId + " (" + opt("rows") + " rows) READY");

        int n = opt("commands");
        String parts = opts.get("parts");
        if (parts.contains("a")) {
            throughput(n);
        }
        if (parts.contains("b")) {
            removal(n, "sigterm");
            removal(n, "sigkill");
        }
        if (parts.contains("c")) {
            latency(opt("latency-samples"));
        }

        Files.writeString(out.resolve("summary.txt"), summary.toString(), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(summary);
        System.out.println("raw results: " + out);
    }

    // ---- (a) ---------------------------------------------------------------------------------------------------

    /**
     * (a), {@code --rounds} times with fresh workers each time: the figure moves from round to round (on this host
     * the same command's steady CPU time switches between ~95 and ~120 ms in phases of tens of seconds, inside one
     * JVM, with no compilation in between), so one round is one draw; the table gives each round's ratio and their
     * median, and the CPU split pooled over the rounds.
     */
    private void throughput(int n) throws Exception {
        int rounds = opt("rounds");
        List<Drain> ones = new ArrayList<>();
        List<Drain> twos = new ArrayList<>();
        StringBuilder csv = new StringBuilder(
                "round,workers,commands,drain_seconds,commands_per_minute,worker_cpu_seconds,machine_busy_cores\n");
        for (int r = 1; r <= rounds; r++) {
            String tag = rounds == 1 ? "" : "-r" + r;
            ones.add(drain(1, n, "a1" + tag));
            twos.add(drain(2, n, "a2" + tag));
            for (int workers = 1; workers <= 2; workers++) {
                Drain d = (workers == 1 ? ones : twos).get(r - 1);
                csv.append(String.format(Locale.ROOT, "%d,%d,%d,%.3f,%.1f,%.2f,%.2f%n", r, workers, n, d.seconds(),
                        n / d.seconds() * 60, d.workerCpuSeconds(), d.machineBusyCores()));
            }
        }
        Files.writeString(out.resolve("a-throughput.csv"), csv.toString(), StandardCharsets.UTF_8);
        table("(a) drain %d queued commands (AIPW, %d rows, %d bootstrap replicates each), %d round(s)", n, opt("rows"),
                opt("replicates"), rounds);
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            Drain one = ones.get(r);
            Drain two = twos.get(r);
            ratios[r] = one.seconds() / two.seconds();
            row("round " + (r + 1) + ": 1 -> 2 workers (" + workerShare() + " each)",
                    "%.1f s -> %.1f s, %.0f -> %.0f commands/min, %.2fx", one.seconds(), two.seconds(),
                    n / one.seconds() * 60, n / two.seconds() * 60, ratios[r]);
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        row("ratio 2 / 1, median (goal >= 1.8)", "%.2fx (range %.2f-%.2f)", quantile(sorted, 0.5), sorted[0],
                sorted[rounds - 1]);
        // pooled over the rounds: the ratio of the total drain times, where the CPU went, whether the workers got
        // their share
        Drain one = pooled(ones);
        Drain two = pooled(twos);
        row("ratio 2 / 1, pooled (all rounds' drain times)", "%.2fx", one.seconds() / two.seconds());
        int commands = n * rounds;
        row("workers' CPU per command, 1 / 2 workers", "%.3f s / %.3f s", one.workerCpuSeconds() / commands,
                two.workerCpuSeconds() / commands);
        row("cores the workers used, 1 / 2 workers", "%.2f / %.2f", one.workerCpuSeconds() / one.seconds(),
                two.workerCpuSeconds() / two.seconds());
        row("machine cores busy (all processes), 1 / 2", "%.2f / %.2f of %d", one.machineBusyCores(),
                two.machineBusyCores(), Runtime.getRuntime().availableProcessors());
        for (String kind : two.workerThreads().keySet()) {
            row("workers' CPU per command: " + kind, "%.4f s / %.4f s", one.workerThreads().getOrDefault(kind, 0.0) / commands,
                    two.workerThreads().get(kind) / commands);
        }
        for (String group : two.cpuByGroup().keySet()) {
            row("CPU per command: " + group, "%.3f s / %.3f s", one.cpuByGroup().getOrDefault(group, 0.0) / commands,
                    two.cpuByGroup().get(group) / commands);
        }
    }

    /** The drains as one: seconds and CPU summed, busy cores weighted by each drain's length. */
    private static Drain pooled(List<Drain> drains) {
        double seconds = drains.stream().mapToDouble(Drain::seconds).sum();
        double busy = drains.stream().mapToDouble(d -> d.machineBusyCores() * d.seconds()).sum() / seconds;
        Map<String, Double> cpu = new LinkedHashMap<>();
        drains.forEach(d -> d.cpuByGroup().forEach((g, v) -> cpu.merge(g, v, Double::sum)));
        Map<String, Double> threads = new LinkedHashMap<>();
        drains.forEach(d -> d.workerThreads().forEach((k, v) -> threads.merge(k, v, Double::sum)));
        return new Drain(seconds, busy, cpu, threads);
    }

    /**
     * An estimation worker as a pod with a 1-CPU limit: pinned to one core ({@code --cores}); or, with
     * {@code --cpu-limit M}, limited to M millicores by a CFS quota as Kubernetes enforces {@code limits.cpu}, not
     * pinned, so that the workers together take less than the machine and the suite's own processes keep the rest;
     * with {@code --pin 1} as well, each on a core of its own (as pods on different nodes: two workers do not take
     * turns on one core, each refilling the caches the other emptied), the suite's processes still on both cores.
     */
    private ServiceProcess worker(String name, String core, String... extra) {
        int limit = opt("cpu-limit");
        Suite.Spec spec = Suite.Spec.of("estimation-service", name)
                .jvmArgs("-XX:ActiveProcessorCount=1", "--add-modules=jdk.incubator.vector", CommandGroup.clientIdOption(name))
                .jvmArgs(extra).jvmArgs(extraWorkerJvmArgs(name));
        if (limit <= 0 || opt("pin") == 1) {
            spec.prefix("taskset", "-c", core);
        }
        ServiceProcess p = suite.start(spec);
        if (limit > 0) {
            CpuLimit.apply(p.pid(), name, limit);
        }
        return p;
    }

    /**
     * BENCH_WORKER_JVM_ARGS: more JVM options for every worker, e.g. a flight recording to see where a worker's CPU
     * goes; {@code {name}} in them becomes the worker's name (one recording file per worker).
     */
    private static String[] extraWorkerJvmArgs(String name) {
        String args = System.getenv().getOrDefault("BENCH_WORKER_JVM_ARGS", "").trim();
        return args.isEmpty() ? new String[0] : args.replace("{name}", name).split("\\s+");
    }

    /** How one worker is held to its share of the machine, for the table. */
    private String workerShare() {
        int limit = opt("cpu-limit");
        return limit > 0 ? limit + "m CPU quota" + (opt("pin") == 1 ? " on a core of its own" : "") : "1 core";
    }

    private JsonNode request(int replicates) {
        ObjectNode r = Api.JSON.createObjectNode().put("datasetId", datasetId).put("version", 1).put("method", "aipw")
                .put("estimand", "ATE").put("treatment", "treat").put("outcome", "y");
        var cov = r.putArray("covariates");
        SyntheticData.COVARIATES.forEach(cov::add);
        if (replicates > 0) {
            r.putObject("options").putObject("bootstrap").put("replicates", replicates).put("seed", 7);
        }
        return r;
    }

    /** Queues n commands with no worker running and waits until they are all on the command topic. */
    private List<String> queue(int n) {
        List<String> ids = new ArrayList<>();
        JsonNode request = request(opt("replicates"));
        for (int i = 0; i < n; i++) {
            ids.add(api.submit(accepting.baseUrl(), request));
        }
        EstimationDb db = new EstimationDb(suite);
        Waits.until(Duration.ofMinutes(2), Duration.ofMillis(200), () -> db.unpublished(ids, EventTypes.ESTIMATION_RUN) == 0,
                () -> "the queued commands published");
        return ids;
    }

    /**
     * What one drain measured: its wall time (first start to last finish), the CPU time its workers used from their
     * first measured command on, how many of the machine's cores were busy meanwhile (all processes), and the CPU
     * seconds each group of processes used meanwhile (where the cores went besides the workers), and the workers'
     * CPU by kind of thread ({@link #threadSplit}: how much of it was the JIT compiler or the collector).
     */
    record Drain(double seconds, double machineBusyCores, Map<String, Double> cpuByGroup, Map<String, Double> workerThreads) {
        double workerCpuSeconds() {
            return cpuByGroup.get(WORKERS);
        }
    }

    /** The workers' threads, by process and thread id. */
    private static Map<Long, Map<Long, CpuTicks.ThreadCpu>> workerThreads(List<ServiceProcess> workers) {
        Map<Long, Map<Long, CpuTicks.ThreadCpu>> threads = new LinkedHashMap<>();
        workers.forEach(w -> threads.put(w.pid(), CpuTicks.threads(w.pid())));
        return threads;
    }

    /**
     * The workers' CPU between two looks, by kind of thread: each thread alive at the end counts what it used since the
     * first look (all of it if it started since); what threads that ended in between used is the workers' CPU less
     * that ("ended threads": Quarkus's pool retires idle executor threads).
     */
    private static Map<String, Double> threadSplit(Map<Long, Map<Long, CpuTicks.ThreadCpu>> before,
                                                   Map<Long, Map<Long, CpuTicks.ThreadCpu>> after, double workersCpu) {
        Map<String, Double> kinds = new LinkedHashMap<>();
        after.forEach((pid, threads) -> threads.forEach((tid, now) -> {
            CpuTicks.ThreadCpu then = before.getOrDefault(pid, Map.of()).get(tid);
            kinds.merge(now.kind(), now.seconds() - (then == null ? 0 : then.seconds()), Double::sum);
        }));
        kinds.put("ended threads", Math.max(0, workersCpu - kinds.values().stream().mapToDouble(Double::doubleValue).sum()));
        return kinds;
    }

    private Drain drain(int workers, int n, String tag) throws Exception {
        List<ServiceProcess> ws = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            ws.add(worker(tag + "-w" + i, cores.get(i % cores.size())));
        }
        for (ServiceProcess w : ws) {
            w.awaitReady(Duration.ofMinutes(3));
        }
        // running pods, as an autoscaler keeps them: the JIT has compiled the engine, the pools are full and the
        // replica's frame is cached before the measured drain (a new pod's warm-up is its own cost, not throughput).
        // As many warm-up commands per worker whatever the number of workers, so that each JVM is as warm: with one
        // batch for all, two workers would each have seen half as many and still be compiling in the measured drain.
        // 200 each: C2 is still compiling the engine's orchestration (AugmentedIpw.estimate, called 41 times per
        // command, reaches C2's thresholds at ~7,000 calls) around the 180th command of a fresh JVM, and a worker's
        // compiler thread took 5-9% of its 500m quota during a drain after 30 warm-up commands; that cost, paid
        // once per JVM, fell twice on the 2-worker drain's 120 commands and once on the 1-worker drain's
        int warmup = opt("warmup") * workers;
        if (warmup > 0) {
            List<String> warm = queue(warmup);
            awaitDone(warm, Duration.ofMinutes(10));
            log(tag + ": " + warmup + " warm-up commands done by " + workers + " worker(s)");
        }
        Map<Long, String> groups = new LinkedHashMap<>();
        ws.forEach(w -> groups.put(w.pid(), WORKERS));
        for (ServiceProcess p : suite.processes()) {
            groups.putIfAbsent(p.pid(), p.name().equals("estimation-accepting") ? "estimation-service (accepting POSTs)" : p.name());
        }
        // the workers are frozen (SIGSTOP, far shorter than the consumer's session timeout) while the commands are
        // queued, then thawed together once the suite is quiet: the drain starts with the whole queue waiting.
        // Queued while they ran, the burst of POSTs (the accepting service, PostgreSQL, Kafka and query-service
        // serving it) took the 2 cores from the workers in the drain's first seconds (commands ran up to 2x slower
        // in the first 3 s), a larger share of the 2-worker drain than of the 1-worker one: a cost of the harness
        // sharing the machine, not of the workers
        ws.forEach(ServiceProcess::freeze);
        List<String> ids = queue(n);
        awaitQuiet(Duration.ofSeconds(5));
        Map<String, Double> groupsBefore = CpuTicks.byGroup(groups);
        Map<Long, Map<Long, CpuTicks.ThreadCpu>> threadsBefore = workerThreads(ws);
        long[] machineBefore = CpuTicks.machine();
        ws.forEach(ServiceProcess::thaw);
        log(tag + ": " + n + " commands queued, then " + workers + " warm worker(s) thawed");
        awaitDone(ids, Duration.ofMinutes(30));
        long[] machineAfter = CpuTicks.machine();
        Map<String, Double> cpuByGroup = new LinkedHashMap<>();
        CpuTicks.byGroup(groups).forEach((g, after) -> cpuByGroup.put(g, after - groupsBefore.getOrDefault(g, 0.0)));
        Map<String, Double> threads = threadSplit(threadsBefore, workerThreads(ws), cpuByGroup.get(WORKERS));
        double busyCores = CpuTicks.busyCores(machineBefore, machineAfter);
        double seconds = span(ids);
        dump(ids, out.resolve(tag + "-estimations.csv"));
        for (ServiceProcess w : ws) {
            w.terminate();
        }
        for (ServiceProcess w : ws) {
            w.waitFor(Duration.ofMinutes(2));
        }
        log(String.format(Locale.ROOT, "%s: %d commands drained by %d worker(s) in %.1f s, workers' CPU %.1f s (by thread %s), "
                        + "machine busy %.2f cores, CPU by process %s (%s)", tag, n, workers, seconds, cpuByGroup.get(WORKERS),
                threads, busyCores, cpuByGroup, new EstimationDb(suite).summary(ids)));
        return new Drain(seconds, busyCores, cpuByGroup, threads);
    }


    /**
     * Until the machine's processes use less than half a core over a quarter of a second (the suite has handled the
     * queued commands' events), or {@code limit}.
     */
    private static void awaitQuiet(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            long[] before = CpuTicks.machine();
            Thread.sleep(250);
            if (CpuTicks.busyCores(before, CpuTicks.machine()) < 0.5) {
                return;
            }
        }
    }

    private void awaitDone(List<String> ids, Duration timeout) {
        EstimationDb db = new EstimationDb(suite);
        Waits.until(timeout, Duration.ofMillis(250), () -> {
            Map<String, Integer> c = db.statusCounts(ids);
            return c.getOrDefault("SUCCEEDED", 0) + c.getOrDefault("FAILED", 0) == ids.size();
        }, () -> "all done: " + db.statusCounts(ids) + suite.tails(30));
    }

    private double span(List<String> ids) throws SQLException {
        try (Connection c = suite.connect("estimation"); PreparedStatement s = c.prepareStatement(
                "SELECT extract(epoch FROM max(finished_at) - min(started_at)) FROM estimation WHERE id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        }
    }

    private void dump(List<String> ids, Path file) throws SQLException, IOException {
        StringBuilder b = new StringBuilder("id,partition,status,attempts,created_at,started_at,finished_at,run_seconds\n");
        try (Connection c = suite.connect("estimation"); PreparedStatement s = c.prepareStatement(
                "SELECT id, status, attempts, created_at, started_at, finished_at, "
                        + "extract(epoch FROM finished_at - started_at), command_partition FROM estimation WHERE id = ANY (?) "
                        + "ORDER BY started_at")) {
            s.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    b.append(rs.getString(1)).append(',').append(rs.getObject(8) == null ? "" : rs.getObject(8)).append(',')
                            .append(rs.getString(2)).append(',').append(rs.getInt(3)).append(',')
                            .append(rs.getTimestamp(4).toInstant()).append(',').append(rs.getTimestamp(5).toInstant())
                            .append(',').append(rs.getTimestamp(6) == null ? "" : rs.getTimestamp(6).toInstant()).append(',')
                            .append(rs.getDouble(7)).append('\n');
                }
            }
        }
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    // ---- (b) ---------------------------------------------------------------------------------------------------

    private void removal(int n, String how) throws Exception {
        List<String> ids = queue(n);
        EstimationDb db = new EstimationDb(suite);
        String tag = "b-" + how;
        ServiceProcess stays = worker(tag + "-stays", cores.get(0));
        ServiceProcess leaves = worker(tag + "-leaves", cores.get(1 % cores.size()));
        Waits.until(Duration.ofMinutes(10), Duration.ofMillis(100),
                () -> db.statusCounts(ids).getOrDefault("SUCCEEDED", 0) >= n / 3, () -> "a third done");
        Map<String, Integer> before = db.statusCounts(ids);
        if (how.equals("sigterm")) {
            leaves.terminate();
        } else {
            leaves.kill();
        }
        Integer exit = leaves.waitFor(Duration.ofMinutes(2));
        log(tag + ": removed " + leaves.name() + " (exit " + exit + ") at " + before);
        awaitDone(ids, Duration.ofMinutes(30));
        Map<String, Integer> after = db.statusCounts(ids);
        Map<String, Integer> completed = db.outboxCounts(ids, EventTypes.ESTIMATION_COMPLETED);
        long once = ids.stream().filter(id -> completed.getOrDefault(id, 0) == 1).count();
        long rerun = db.estimations(ids).values().stream().filter(e -> e.attempts() > 1).count();
        int succeeded = after.getOrDefault("SUCCEEDED", 0);
        dump(ids, out.resolve(tag + "-estimations.csv"));
        Files.writeString(out.resolve(tag + ".csv"), String.format(Locale.ROOT,
                "removal,commands,status_at_removal,succeeded,failed,lost,completed_events_exactly_once,run_again,exit%n"
                        + "%s,%d,\"%s\",%d,%d,%d,%d,%d,%s%n", how, n, before, succeeded, after.getOrDefault("FAILED", 0),
                n - succeeded - after.getOrDefault("FAILED", 0), once, rerun, exit), StandardCharsets.UTF_8);
        table("(b) %s of one of 2 workers after a third of %d commands", how.toUpperCase(Locale.ROOT), n);
        row("succeeded / lost / failed", "%d / %d / %d", succeeded, n - succeeded - after.getOrDefault("FAILED", 0),
                after.getOrDefault("FAILED", 0));
        row("exactly one completed event", "%d of %d", once, n);
        row("run again (attempts > 1)", "%d", rerun);
        row("dead-lettered commands (topic total)", "%d", deadLettered());
        stays.terminate();
        stays.waitFor(Duration.ofMinutes(2));
    }

    private long deadLettered() {
        try (CommandGroup g = new CommandGroup(suite.bootstrapServers())) {
            return g.records(Topics.dlq(Topics.ESTIMATION_COMMANDS));
        }
    }

    // ---- (c) ---------------------------------------------------------------------------------------------------

    private void latency(int samples) throws Exception {
        String key = "bench-" + Long.toHexString(System.nanoTime());
        List<ServiceProcess> ws = List.of(worker("c-w0", cores.get(0)), worker("c-w1", cores.get(1 % cores.size())));
        for (ServiceProcess w : ws) {
            w.awaitReady(Duration.ofMinutes(3));
        }
        ServiceProcess query = suite.processes().stream().filter(p -> p.name().equals("query-service")).findFirst().orElseThrow();
        ServiceProcess gateway = suite.start(Suite.Spec.of("gateway", "gateway")
                .env("COUNTERFACT_TOKEN", key).env("COUNTERFACT_VIEWER_TOKEN", key + "-viewer")
                .env("COUNTERFACT_INGESTION_URL", ingestion.baseUrl())
                // POSTs and the command side's GET go to the two workers' instances, like a Service in front of the pods
                .env("COUNTERFACT_ESTIMATION_URL", ws.get(0).baseUrl())
                .env("COUNTERFACT_QUERY_URL", query.baseUrl())
                .env("COUNTERFACT_RATE_LIMIT_RPS", "100000").env("COUNTERFACT_RATE_LIMIT_BURST", "100000"));
        gateway.awaitReady(Duration.ofMinutes(3));
        Api viaGateway = new Api("Bearer " + key);
        JsonNode request = request(0);
        // warm-up: JIT, connection pools, the replica's frame cache in both workers
        for (int i = 0; i < 10; i++) {
            postAndAwait(viaGateway, gateway.baseUrl(), request);
        }
        double[] ms = new double[samples];
        StringBuilder raw = new StringBuilder("sample,post_ms,total_ms,estimation_id\n");
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            String[] id = new String[1];
            long[] postNs = new long[1];
            postAndAwait(viaGateway, gateway.baseUrl(), request, id, postNs, t0);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            raw.append(i).append(',').append(String.format(Locale.ROOT, "%.1f,%.1f,", postNs[0] / 1e6, ms[i])).append(id[0]).append('\n');
        }
        Files.writeString(out.resolve("c-latency.csv"), raw.toString(), StandardCharsets.UTF_8);
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        table("(c) POST -> SUCCEEDED GET /api/estimations/{id}, both through the gateway; %d-row AIPW, %d samples, one at a time",
                opt("rows"), samples);
        row("p50 (goal < 300 ms)", "%.0f ms", quantile(sorted, 0.50));
        row("p95", "%.0f ms", quantile(sorted, 0.95));
        row("min / max", "%.0f / %.0f ms", sorted[0], sorted[sorted.length - 1]);
        row("GET answered by", "%s", "the gateway's route for /api/estimations (RouteTable)");
    }

    private void postAndAwait(Api viaGateway, String base, JsonNode request) {
        postAndAwait(viaGateway, base, request, new String[1], new long[1], System.nanoTime());
    }

    private void postAndAwait(Api viaGateway, String base, JsonNode request, String[] id, long[] postNs, long t0) {
        Api.Reply r = viaGateway.postJson(base + "/api/estimations", request.toString()).expect(202);
        postNs[0] = System.nanoTime() - t0;
        id[0] = r.body().get("id").asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Api.Reply g = viaGateway.get(base + "/api/estimations/" + id[0]);
            if (g.status() == 200 && "SUCCEEDED".equals(g.body().path("status").asText())) {
                return;
            }
            if (g.status() == 200 && "FAILED".equals(g.body().path("status").asText())) {
                throw new IllegalStateException("estimation failed: " + g.text());
            }
            Waits.sleep(5);
        }
        throw new IllegalStateException("estimation " + id[0] + " not SUCCEEDED in 2 minutes");
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    // ---- output ------------------------------------------------------------------------------------------------

    private void table(String format, Object... args) {
        summary.append('\n').append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private void row(String label, String format, Object... args) {
        summary.append(String.format(Locale.ROOT, "  %-40s %s%n", label, String.format(Locale.ROOT, format, args)));
    }

    private static void log(String message) {
        System.out.println(Instant.now() + " " + message);
    }
}
