package io.counterfact.estimation.command;

import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Estimator;
import io.counterfact.engine.OptionSpec;
import io.counterfact.engine.Options;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.dag.DagAdjustmentSetSelector;
import io.counterfact.engine.data.DataFrame;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;

/**
 * The tests' engine: the standard one plus a method {@value #METHOD} whose run runs out of heap (it asks for an
 * array larger than the max heap), as a command whose cost slipped past the estimate would. Every other method is the standard engine's.
 */
public class HeapHungryEngine {

    static final String METHOD = "test-heap-hungry";

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    CausalEngine engine() {
        return CausalEngine.builder().withPotentialOutcomes().withInstrumentalVariables()
                .register(new HeapHungry()).adjustmentSets(new DagAdjustmentSetSelector()).build();
    }

    static final class HeapHungry implements Estimator {
        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public List<String> estimands() {
            return List.of("ATE");
        }

        @Override
        public List<OptionSpec> options() {
            return List.of();
        }

        @Override
        public EstimationResult estimate(DataFrame data, EstimationSpec spec, Options options, ProgressListener progress) {
            // one "design" larger than the whole heap: the JVM collects, cannot find the room, and throws
            // OutOfMemoryError: Java heap space (without touching the machine's memory); on a heap too large for one
            // array, arrays of a quarter of it until it is full
            long words = Runtime.getRuntime().maxMemory() / 8 + 1;
            List<long[]> held = new ArrayList<>();
            if (words < Integer.MAX_VALUE - 16) {
                held.add(new long[(int) words]);
            }
            while (true) {
                held.add(new long[(int) Math.min(Integer.MAX_VALUE - 16, words / 4)]);
            }
        }
    }
}
