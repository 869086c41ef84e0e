package io.counterfact.engine.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run of one method in a fresh JVM, for memory figures: loads the data (as the benchmarks do),
 * runs the method once, checks its result against the peer when a peer directory is set, and prints
 * one JSON line with the process's peak resident size (/proc/self/status VmHWM).
 *
 * <p>{@code java -Xmx... -cp benchmarks.jar io.counterfact.engine.bench.OneShot METHOD} with METHOD one of
 * {@link Methods#ALL} or {@code load_obs} (load obs.bin and build the inputs only), {@code load_obs_propensity}
 * (also fit the propensity np_ipw/np_aipw are given), {@code load_iv}. An OutOfMemoryError exits non-zero:
 * scripts/bench-engine.sh searches the smallest -Xmx that completes.
 */
public final class OneShot {

    private OneShot() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: OneShot METHOD   (" + String.join(", ", Methods.ALL)
                    + ", load_obs, load_obs_propensity, load_iv)");
            System.exit(2);
        }
        String method = args[0];
        long t0 = System.nanoTime();
        long dataBytes;
        Map<String, Double> result = null;
        if (method.equals("load_iv") || Methods.usesIv(method)) {
            Methods.IvInputs iv = new Methods.IvInputs(SynthData.Iv.load());
            dataBytes = iv.d.bytes;
            if (!method.startsWith("load")) {
                result = Methods.run(method, null, iv);
            }
        } else {
            Methods.ObsInputs in = new Methods.ObsInputs(SynthData.Obs.load());
            dataBytes = in.d.bytes;
            if (Methods.needsPropensity(method) || method.equals("load_obs_propensity")) {
                in.withPropensity();
            }
            if (!method.startsWith("load")) {
                result = Methods.run(method, in, null);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String check = "";
        if (result != null && hasPeer()) {
            check = PeerCheck.check(Methods.peerOf(method), result, !Methods.peerOf(method).equals(method));
        }
        List<String> gcs = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs.add(gc.getName());
        }
        // bytes throughout (VmHWM is given in KiB): the script converts
        System.out.printf(Locale.ROOT, "{\"method\": \"%s\", \"data_bytes\": %d, \"max_heap_bytes\": %d, "
                        + "\"vmhwm_bytes\": %d, \"seconds\": %.2f, \"gc\": \"%s\", \"gram_kernel\": \"%s\", "
                        + "\"checked\": %s}%n",
                method, dataBytes, Runtime.getRuntime().maxMemory(), statusKb("VmHWM") * 1024, seconds,
                String.join("+", gcs), io.counterfact.engine.linalg.Gram.kernel(), !check.isEmpty());
    }

    private static boolean hasPeer() {
        String d = System.getProperty("bench.peer");
        if (d == null || d.isBlank()) {
            d = System.getenv("BENCH_PEER");
        }
        return d != null && !d.isBlank();
    }

    /** A kB field of /proc/self/status (−1 where there is none). */
    static long statusKb(String field) throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
