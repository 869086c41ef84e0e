package io.counterfact.engine.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The engine on exactly what {@code shared/datasets/scripts/time_py.py} times, at n = 1,000,000 and
 * p = 20 on gen_synth.py's data. Each benchmark is named after time_py.py's method. The data are
 * loaded once per trial (fork), outside the timed region; the setup then runs the method once and
 * fails the trial unless its result equals the peer's (time_py.py's JSON line, see {@link PeerCheck})
 * to 1e-6 relative.
 *
 * <p>Run through {@code scripts/bench-engine.sh}, which generates the data, runs the python peer and
 * prints the comparison; the defaults below suit a 2-core machine.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// the Vector API module for linalg.Gram's kernel (scripts/bench-engine.sh passes the same flags; -jvmArgsAppend on the
// command line replaces these)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class EngineBench {

    /** The method's name: the benchmark method's (time_py.py's). */
    static String method(BenchmarkParams params) {
        String b = params.getBenchmark();
        return b.substring(b.lastIndexOf('.') + 1);
    }

    /** obs.bin as columns, loaded once per trial, plus the checked result. */
    @State(Scope.Benchmark)
    public static class Obs {
        Methods.ObsInputs in;

        @Setup(Level.Trial)
        public void setup(BenchmarkParams params) {
            String method = method(params);
            in = new Methods.ObsInputs(SynthData.Obs.load());
            if (Methods.needsPropensity(method)) {
                in.withPropensity();
            }
            report(method, Methods.run(method, in, null));
        }
    }

    /** iv.bin as columns, loaded once per trial, plus the checked result. */
    @State(Scope.Benchmark)
    public static class Iv {
        Methods.IvInputs in;

        @Setup(Level.Trial)
        public void setup(BenchmarkParams params) {
            String method = method(params);
            in = new Methods.IvInputs(SynthData.Iv.load());
            report(method, Methods.run(method, null, in));
        }
    }

    /**
     * Process CPU time (all threads: the engine's pool, GC, JIT) per operation of each iteration, printed after each
     * measurement iteration as {@code CPU_MS_PER_OP <ms>}: comparable with time_py.py's {@code cpu_s}, and much less sensitive than wall
     * time to other processes competing for the cores.
     */
    @State(Scope.Benchmark)
    public static class CpuClock {
        private static final java.lang.management.OperatingSystemMXBean OS =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long ops;
        long start;
        boolean measured;

        @Setup(Level.Iteration)
        public void begin(IterationParams params) {
            measured = params.getType() == IterationType.MEASUREMENT;
            ops = 0;
            start = cpuNanos();
        }

        @TearDown(Level.Iteration)
        public void end() {
            if (measured && ops > 0 && start >= 0) {
                System.out.printf(java.util.Locale.ROOT, "CPU_MS_PER_OP %.3f%n", (cpuNanos() - start) / 1e6 / ops);
            }
        }

        static long cpuNanos() {
            return OS instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
        }
    }

    static void report(String method, Map<String, Double> result) {
        // which Gram kernel this fork runs (the script shows it with the table)
        System.out.println("GRAM_KERNEL " + io.counterfact.engine.linalg.Gram.kernel());
        // throws (failing the trial) on any difference beyond 1e-6 relative
        System.out.println(PeerCheck.check(Methods.peerOf(method), result, !Methods.peerOf(method).equals(method)));
    }

    @Benchmark
    public Map<String, Double> sm_ols_hc1(Obs s, CpuClock c) {
        c.ops++;
        return Methods.smOlsHc1(s.in);
    }

    @Benchmark
    public Map<String, Double> sm_logit(Obs s, CpuClock c) {
        c.ops++;
        return Methods.smLogit(s.in);
    }

    @Benchmark
    public Map<String, Double> np_ipw(Obs s, CpuClock c) {
        c.ops++;
        return Methods.npIpw(s.in);
    }

    @Benchmark
    public Map<String, Double> np_aipw(Obs s, CpuClock c) {
        c.ops++;
        return Methods.npAipw(s.in);
    }

    @Benchmark
    public Map<String, Double> logit_plus_aipw(Obs s, CpuClock c) {
        c.ops++;
        return Methods.logitPlusAipw(s.in);
    }

    @Benchmark
    public Map<String, Double> logit_plus_aipw_kernels(Obs s, CpuClock c) {
        c.ops++;
        return Methods.logitPlusAipwKernels(s.in);
    }

    @Benchmark
    public Map<String, Double> np_2sls_hc1(Iv s, CpuClock c) {
        c.ops++;
        return Methods.np2slsHc1(s.in.d);
    }

    @Benchmark
    public Map<String, Double> np_2sls_hc1_facade(Iv s, CpuClock c) {
        c.ops++;
        return Methods.np2slsHc1Facade(s.in);
    }

    @Benchmark
    public Map<String, Double> sm_iv2sls(Iv s, CpuClock c) {
        c.ops++;
        return Methods.smIv2sls(s.in.d);
    }

    /** np_2sls_hc1 without the diagnostics (IvOptions.withDiagnostics(false)); run by name only. */
    @Benchmark
    public Map<String, Double> np_2sls_hc1_nodiag(Iv s, CpuClock c) {
        c.ops++;
        return Methods.np2slsHc1NoDiagnostics(s.in.d);
    }

    /** Not an engine code path (see {@link Methods#np2slsHc1Lean}); run by name only. */
    @Benchmark
    public Map<String, Double> np_2sls_hc1_lean(Iv s, CpuClock c) {
        c.ops++;
        return Methods.np2slsHc1Lean(s.in);
    }
}
