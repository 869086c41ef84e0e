package io.counterfact.engine.bootstrap;

import io.counterfact.engine.CommonOptions;
import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.OptionSpec;
import io.counterfact.engine.Options;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.po.AugmentedIpw;
import io.counterfact.engine.testing.Frames;
import io.counterfact.engine.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BootstrapRunnerTest {

    /**
     * The replicates are drawn into one set of arrays per thread, each overwriting the last: the bootstrap must be
     * exactly the one of a fresh frame per replicate (the same draws, refitted from scratch), for AIPW, whose fits
     * also keep per-thread block scratch.
     */
    @Test
    void samplesDrawnIntoReusedArraysGiveTheBootstrapOfFreshSamples() {
        int replicates = 25;
        long seed = 11;
        List<String> covariates = List.of(Reference.NSW_COVARIATES);
        EstimationSpec spec = EstimationSpec.of("aipw", "ATE", "treat", "re78", covariates,
                Map.of("bootstrap", Map.of("replicates", replicates, "seed", seed)));
        AugmentedIpw aipw = new AugmentedIpw();
        DataFrame data = Frames.nsw();
        // the engine's options for this request: every default, the bootstrap asked for
        Map<String, Object> values = new LinkedHashMap<>();
        for (OptionSpec o : CommonOptions.all()) {
            values.put(o.name(), o.defaultValue());
        }
        for (OptionSpec o : aipw.options()) {
            values.put(o.name(), o.defaultValue());
        }
        values.put(CommonOptions.BOOTSTRAP, new Options.Bootstrap(replicates, seed, "percentile"));
        Options options = new Options(values);
        EstimationResult point = aipw.estimate(data, spec, options.with(CommonOptions.BOOTSTRAP, Options.Bootstrap.OFF),
                ProgressListener.NONE);

        BootstrapRunner.Outcome outcome = BootstrapRunner.run(aipw, data, spec, options, point, ProgressListener.NONE);

        // the same draws by hand: replicate k from the k-th generator split from the seeded root, on a new frame
        List<String> used = new ArrayList<>(List.of("treat", "re78"));
        used.addAll(covariates);
        DataFrame base = data.take(DesignMatrix.completeRows(data, used), used);
        int n = base.rowCount();
        SplittableRandom root = new SplittableRandom(seed);
        double[] estimates = new double[replicates];
        for (int k = 0; k < replicates; k++) {
            SplittableRandom rng = root.split();
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = rng.nextInt(n);
            }
            estimates[k] = aipw.pointEstimate(base.take(rows), spec,
                    options.with(CommonOptions.BOOTSTRAP, Options.Bootstrap.OFF));
        }
        Arrays.sort(estimates);
        double mean = Arrays.stream(estimates).average().orElseThrow();
        double ss = 0;
        for (double v : estimates) {
            ss += (v - mean) * (v - mean);
        }
        Map<String, Object> d = outcome.diagnostics();
        assertEquals(replicates, d.get("succeeded"));
        assertEquals(Math.sqrt(ss / (replicates - 1)), (double) d.get("stdError"), 0.0);
        double alpha = 1 - options.confidenceLevel(); // 0.05 to the last bit the runner uses
        assertEquals(BootstrapRunner.quantile(estimates, alpha / 2), (double) d.get("ciLower"), 0.0);
        assertEquals(BootstrapRunner.quantile(estimates, 1 - alpha / 2), (double) d.get("ciUpper"), 0.0);
    }
}
