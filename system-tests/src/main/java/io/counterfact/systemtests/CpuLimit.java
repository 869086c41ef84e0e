package io.counterfact.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A CPU limit on a process the way Kubernetes enforces a container's {@code resources.limits.cpu}: a CFS quota
 * (cgroup v1 {@code cpu} controller, {@code cpu.cfs_quota_us} per {@code cpu.cfs_period_us}), so that a pod's
 * share of the machine can be emulated on one host. Needs root and the v1 controller at {@value #ROOT}.
 */
final class CpuLimit {

    static final String ROOT = "/sys/fs/cgroup/cpu";
    private static final long PERIOD_US = 100_000;

    private CpuLimit() {
    }

    /**
     * Moves every thread of {@code pid} into its own cgroup {@code counterfact-bench/<name>} limited to
     * {@code millicores} (500: half a core per 100 ms period, as {@code limits.cpu: 500m}).
     */
    static void apply(long pid, String name, int millicores) {
        Path group = Path.of(ROOT, "counterfact-bench", name);
        try {
            Files.createDirectories(group);
            Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
            Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(PERIOD_US * millicores / 1000));
            // cgroup.procs moves the whole thread group, threads started later included
            Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
        } catch (IOException e) {
            throw new IllegalStateException("cannot limit " + name + " (pid " + pid + ") to " + millicores + "m CPU in "
                    + group + " (needs root and the cgroup v1 cpu controller at " + ROOT + ")", e);
        }
    }

    /** Removes the groups of processes that have ended (a group with tasks left stays; harmless). */
    static void cleanUp() {
        Path parent = Path.of(ROOT, "counterfact-bench");
        if (!Files.isDirectory(parent)) {
            return;
        }
        try (var groups = Files.list(parent)) {
            groups.forEach(g -> g.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // best effort
        }
        parent.toFile().delete();
    }
}
