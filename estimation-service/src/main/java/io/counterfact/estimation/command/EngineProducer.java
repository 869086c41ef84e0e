package io.counterfact.estimation.command;

import io.counterfact.engine.CausalEngine;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The causal engine the service runs (immutable, thread-safe: one instance). */
public class EngineProducer {

    @Produces
    @Singleton
    CausalEngine engine() {
        return CausalEngine.standard();
    }
}
