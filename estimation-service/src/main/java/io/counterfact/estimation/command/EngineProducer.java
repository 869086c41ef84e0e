package io.counterfact.estimation.command;

import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.linalg.Gram;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** The causal engine the service runs (immutable, thread-safe: one instance). */
public class EngineProducer {

    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Produces
    @Singleton
    CausalEngine engine() {
        // which cross-product kernel this JVM got: "vector-512" with --add-modules=jdk.incubator.vector on C2, else
        // "scalar" (same results to rounding, 2-4x slower model fits): an operator can see a missing flag here
        LOG.infof("causal engine: Gram kernel %s, %d CPUs", Gram.kernel(), Runtime.getRuntime().availableProcessors());
        return CausalEngine.standard();
    }
}
