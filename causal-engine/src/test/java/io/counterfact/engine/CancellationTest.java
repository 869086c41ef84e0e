package io.counterfact.engine;

import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.linalg.Parallel;
import io.counterfact.engine.po.AugmentedIpw;
import io.counterfact.engine.po.LogisticRegressionAccess;
import io.counterfact.engine.testing.Frames;
import io.counterfact.engine.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cancelled {@link Cancellation} stops the engine's long loops at their next checkpoint. */
class CancellationTest {

    private static final CausalEngine ENGINE = CausalEngine.standard();
    private static final List<String> COVARIATES = Arrays.asList(Reference.NSW_COVARIATES);

    /** A flag another thread (or the test's own progress listener) sets; counts the checks it answered. */
    private static class Flag implements Cancellation {
        final AtomicBoolean cancelled = new AtomicBoolean();
        final AtomicInteger checks = new AtomicInteger();

        @Override
        public void check() {
            checks.incrementAndGet();
            if (cancelled.get()) {
                throw new CancelledException("cancelled by the test");
            }
        }
    }

    /** The frame that asked for the check: the first outside the cancellation's own classes. */
    private static StackWalker.StackFrame caller() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> !Cancellation.class.isAssignableFrom(f.getDeclaringClass())
                        && !f.getDeclaringClass().getName().startsWith(CancellationTest.class.getName()))
                .findFirst().orElseThrow());
    }

    private static EstimationSpec aipw(Map<String, Object> options) {
        return EstimationSpec.of("aipw", "ATE", "treat", "re78", COVARIATES, options);
    }

    @Test
    void aCancellationSetDuringTheBootstrapStopsItAfterAFewReplicatesNotAllOfThem() {
        int replicates = 2_000;
        Flag flag = new Flag();
        AtomicInteger fitted = new AtomicInteger();
        ProgressListener progress = (fraction, stage) -> {
            if ("bootstrap".equals(stage) && fitted.incrementAndGet() == 5) {
                flag.cancelled.set(true);
            }
        };
        DataFrame nsw = Frames.nsw();
        EstimationSpec spec = aipw(Map.of("bootstrap", Map.of("replicates", replicates)));

        assertThrows(CancelledException.class, () -> ENGINE.estimate(nsw, spec, progress, flag));

        // each pool thread finishes at most the replicate it is in (a fold or Newton step inside it may stop it sooner)
        int most = 5 + Parallel.parallelism();
        assertTrue(fitted.get() <= most, fitted.get() + " replicates fitted after the cancellation at the 5th; at most "
                + most + " of " + replicates + " expected");
        assertSame(Cancellation.NONE, Cancellation.current(), "the caller's thread is given its own back");
    }

    @Test
    void aCancellationFromAnotherThreadStopsALongBootstrapWithinASecond() throws Exception {
        Flag flag = new Flag();
        AtomicLong cancelledAt = new AtomicLong();
        // the NSW rows 40 times over (17,800 rows) and 10,000 replicates, each a whole AIPW fit: minutes of work
        DataFrame nsw = Frames.nsw();
        int[] rows = new int[nsw.rowCount() * 40];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i % nsw.rowCount();
        }
        DataFrame large = nsw.take(rows);
        EstimationSpec spec = aipw(Map.of("bootstrap", Map.of("replicates", 10_000)));
        Thread canceller = new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            cancelledAt.set(System.nanoTime());
            flag.cancelled.set(true);
        });
        canceller.start();
        assertThrows(CancelledException.class, () -> ENGINE.estimate(large, spec, ProgressListener.NONE, flag));
        long millis = (System.nanoTime() - cancelledAt.get()) / 1_000_000;
        canceller.join();
        System.out.printf("engine: bootstrap stopped %d ms after its cancellation (%d checks answered)%n", millis,
                flag.checks.get());
        assertTrue(cancelledAt.get() > 0, "the estimate ran until the cancellation");
        assertTrue(millis < 1_000, "stopped " + millis + " ms after the cancellation");
    }

    @Test
    void aCancellationStopsCrossFittingBetweenFolds() {
        int folds = 20;
        // counts the folds started: the checks made from the body of the cross-fitting loop itself
        AtomicInteger foldsStarted = new AtomicInteger();
        Flag flag = new Flag() {
            @Override
            public void check() {
                StackWalker.StackFrame caller = caller();
                boolean inFoldLoop = caller.getDeclaringClass() == AugmentedIpw.class
                        && caller.getMethodName().startsWith("lambda$crossFit");
                if (inFoldLoop && foldsStarted.incrementAndGet() == 1) {
                    cancelled.set(true);
                }
                super.check();
            }
        };
        EstimationSpec spec = aipw(Map.of("crossFitFolds", folds));

        assertThrows(CancelledException.class, () -> ENGINE.estimate(Frames.nsw(), spec, ProgressListener.NONE, flag));

        assertTrue(foldsStarted.get() >= 1, "the fold loop checks before each fold");
        assertTrue(foldsStarted.get() <= Parallel.parallelism(), foldsStarted.get() + " of " + folds
                + " folds started after the cancellation in the first");
    }

    @Test
    void aCancellationStopsTheLogisticFitBetweenNewtonIterations() {
        Map<String, double[]> nsw = Reference.nsw();
        double[][] x = new double[COVARIATES.size() + 1][];
        x[0] = new double[nsw.get("treat").length];
        Arrays.fill(x[0], 1.0);
        for (int j = 0; j < COVARIATES.size(); j++) {
            x[j + 1] = nsw.get(COVARIATES.get(j));
        }
        double[] t = nsw.get("treat");
        AtomicInteger iterations = new AtomicInteger();
        Flag flag = new Flag() {
            @Override
            public void check() {
                if (caller().getMethodName().equals("newton") && iterations.incrementAndGet() == 2) {
                    cancelled.set(true);
                }
                super.check();
            }
        };
        assertThrows(CancelledException.class, () -> Cancellation.runWith(flag, () -> LogisticRegressionAccess.fit(x, t)));
        assertEquals(2, iterations.get(), "stopped at the second iteration's check");
        assertTrue(LogisticRegressionAccess.fit(x, t).length == x.length, "the same fit without a cancellation runs");
    }

    @Test
    void aCancellationThatNeverFiresChangesNothingAndIsCheckedOften() {
        Flag flag = new Flag();
        EstimationSpec spec = aipw(Map.of("bootstrap", Map.of("replicates", 20), "crossFitFolds", 3));
        EstimationResult with = ENGINE.estimate(Frames.nsw(), spec, ProgressListener.NONE, flag);
        EstimationResult without = ENGINE.estimate(Frames.nsw(), spec, ProgressListener.NONE);
        assertEquals(without.estimate(), with.estimate(), 0.0);
        assertEquals(without.diagnostics().get(CommonOptions.BOOTSTRAP), with.diagnostics().get(CommonOptions.BOOTSTRAP));
        // at least once per replicate and per fold of the point estimate and of each replicate
        assertTrue(flag.checks.get() >= 20 * 3, flag.checks.get() + " checks");
        assertSame(Cancellation.NONE, Cancellation.current());
    }
}
