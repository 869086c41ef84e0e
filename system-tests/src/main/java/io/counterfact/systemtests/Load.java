package io.counterfact.systemtests;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A paced mixed load: each call type runs in a thread of its own, one call every {@code intervalMillis}, and every
 * answer is recorded (status, latency). What counts as a good answer is up to the test; the load keeps the
 * answers that were not (the first {@link #KEPT} of them) for the report.
 */
public final class Load {

    public static final int KEPT = 30;

    /** One answer: when (ms since the load started), which call, its status (-1: no answer), latency. */
    public record Sample(long atMillis, String type, int status, long nanos, Api.Reply reply, String failure) {
    }

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, Integer>> statuses = new ConcurrentHashMap<>();
    private final List<Sample> bad = new CopyOnWriteArrayList<>();
    private final List<Sample> all = new CopyOnWriteArrayList<>();
    private final Predicate<Sample> good;
    private final long t0 = System.nanoTime();

    /** @param good whether an answer is as it should be (the others are kept for the report) */
    public Load(Predicate<Sample> good) {
        this.good = good;
    }

    public long startNanos() {
        return t0;
    }

    /** Adds a call type: {@code call} every {@code intervalMillis} until {@link #stop()}. */
    public Load add(String type, long intervalMillis, Supplier<Api.Reply> call) {
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                long start = System.nanoTime();
                Sample s;
                try {
                    Api.Reply r = call.get();
                    s = r == null ? null : new Sample((start - t0) / 1_000_000, type, r.status(), System.nanoTime() - start, r, null);
                } catch (RuntimeException | AssertionError e) {
                    s = new Sample((start - t0) / 1_000_000, type, -1, System.nanoTime() - start, null, String.valueOf(e));
                }
                if (s != null) {
                    record(s);
                }
                long rest = intervalMillis - (System.nanoTime() - start) / 1_000_000;
                if (rest > 0 && !stop.get()) {
                    Waits.sleep(rest);
                }
            }
        }, "load-" + type);
        t.setDaemon(true);
        threads.add(t);
        return this;
    }

    private void record(Sample s) {
        all.add(s);
        latencies.computeIfAbsent(s.type(), k -> new CopyOnWriteArrayList<>()).add(s.nanos());
        statuses.computeIfAbsent(s.type(), k -> new ConcurrentHashMap<>()).merge(s.status(), 1, Integer::sum);
        if (!good.test(s) && bad.size() < KEPT) {
            bad.add(s);
        }
    }

    public Load start() {
        threads.forEach(Thread::start);
        return this;
    }

    public void stop() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(90_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public List<Sample> samples() {
        return List.copyOf(all);
    }

    public long badCount() {
        return all.stream().filter(s -> !good.test(s)).count();
    }

    public List<Sample> badKept() {
        return List.copyOf(bad);
    }

    public long count() {
        return all.size();
    }

    /** Per call type: count, statuses, p50 and p99 latency in ms (of every answer). */
    public String table() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-34s %7s %8s %8s %8s  %s%n", "call", "count",
                "p50 ms", "p99 ms", "max ms", "statuses"));
        for (var e : new TreeMap<>(latencies).entrySet()) {
            long[] sorted = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
            b.append(String.format(Locale.ROOT, "%-34s %7d %8.1f %8.1f %8.1f  %s%n", e.getKey(), sorted.length,
                    percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6,
                    new TreeMap<>(statuses.get(e.getKey()))));
        }
        return b.toString();
    }

    public static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
