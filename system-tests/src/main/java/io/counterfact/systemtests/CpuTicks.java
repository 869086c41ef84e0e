package io.counterfact.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** CPU time from Linux's /proc: of one process (user + system) and of the whole machine (busy and total ticks). */
final class CpuTicks {

    /** USER_HZ: the unit of /proc's tick counts, 100 on every Linux platform the JVM runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private CpuTicks() {
    }

    /** User + system CPU seconds of the process so far, 0 if it is gone. */
    static double processSeconds(long pid) {
        return statSeconds(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** User + system CPU seconds in a /proc stat file (a process's or a thread's), 0 if it is gone. */
    private static double statSeconds(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            // the command name (field 2) may contain spaces: count the fields after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND; // utime, stime
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * CPU seconds so far of every process on the machine, summed per group: {@code names} maps the pids the caller
     * knows to a group name; the harness's own JVM (the Kafka broker runs in it) is "harness + Kafka broker",
     * PostgreSQL's processes "postgres", anything else "other processes" (another build on a shared machine shows
     * up there). Processes that ended between two calls take their CPU with them: compare groups, not totals.
     */
    static Map<String, Double> byGroup(Map<Long, String> names) {
        Map<String, Double> groups = new TreeMap<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(d -> {
                long pid = Long.parseLong(d.getFileName().toString());
                String group = names.get(pid);
                if (group == null) {
                    group = pid == self ? "harness + Kafka broker" : "postgres".equals(command(d)) ? "postgres" : "other processes";
                }
                groups.merge(group, processSeconds(pid), Double::sum);
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return groups;
    }

    /** One thread's kind ({@link #threadKind}) and CPU seconds so far. */
    record ThreadCpu(String kind, double seconds) {
    }

    /**
     * A JVM's threads by id (thread names truncated to 15 characters by /proc): their kind and CPU seconds so far.
     * Compare two of these thread by thread: a thread that ended in between took its CPU with it, and a sum per kind
     * would lose all it had ever used.
     */
    static Map<Long, ThreadCpu> threads(long pid) {
        Map<Long, ThreadCpu> threads = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(t -> threads.put(Long.parseLong(t.getFileName().toString()),
                    new ThreadCpu(threadKind(command(t)), statSeconds(t.resolve("stat")))));
        } catch (IOException | RuntimeException e) {
            // the process is gone: nothing to count
        }
        return threads;
    }

    /**
     * "JIT compiler" (C1/C2 compiler threads), "GC and VM" (the VM thread, which runs SerialGC's collections, GC and
     * periodic-task threads), "executor threads" (Quarkus's worker pool: the commands, engine included), "other
     * threads" (Kafka clients, the outbox relay, Vert.x, ...).
     */
    static String threadKind(String name) {
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            return "JIT compiler";
        }
        if (name.equals("VM Thread") || name.startsWith("GC Thread") || name.startsWith("VM Periodic")) {
            return "GC and VM";
        }
        return name.startsWith("executor-thread") ? "executor threads" : "other threads";
    }

    private static String command(Path proc) {
        try {
            return Files.readString(proc.resolve("comm")).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** How many of the machine's cores were busy on average between two {@link #machine()} readings. */
    static double busyCores(long[] before, long[] after) {
        return (double) (after[0] - before[0]) / Math.max(1, after[1] - before[1])
                * Runtime.getRuntime().availableProcessors();
    }

    /** {busy, total} ticks of all cores since boot (busy = total minus idle and iowait). */
    static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[]{total - idle, total};
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/stat", e);
        }
    }
}
