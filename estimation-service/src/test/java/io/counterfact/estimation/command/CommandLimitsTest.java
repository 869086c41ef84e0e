package io.counterfact.estimation.command;

import io.counterfact.common.http.ProblemException;
import io.counterfact.engine.cost.CommandCost;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The limits' arithmetic and words, without a service: which option or column a refusal names, and why. */
class CommandLimitsTest {

    private static CommandLimits limits(int replicates, Duration seconds, long memory) {
        CommandLimits l = new CommandLimits();
        l.maxReplicates = replicates;
        l.maxSeconds = seconds;
        l.memoryFraction = 0.4;
        l.memory = Optional.of(new io.quarkus.runtime.configuration.MemorySize(java.math.BigInteger.valueOf(memory)));
        l.init();
        return l;
    }

    private static String detail(ProblemException e) {
        return e.getMessage();
    }

    @Test
    void withinEveryLimitTheCostIsReturned() {
        CommandCost.Workload w = new CommandCost.Workload("aipw", 10_000, 10, 10, 0, 100, 0, 0, 2, List.of());
        CommandCost.Cost c = limits(10_000, Duration.ofMinutes(30), 400_000_000L).check(w);
        assertEquals(CommandCost.estimate(w), c);
    }

    @Test
    void tooManyReplicatesNameTheOptionAndTheLimitBeforeAnyEstimate() {
        CommandCost.Workload w = new CommandCost.Workload("regression", 100, 3, 3, 0, 100_000, 0, 0, 2, List.of());
        ProblemException e = assertThrows(ProblemException.class,
                () -> limits(10_000, Duration.ofMinutes(30), 400_000_000L).check(w));
        assertEquals(400, e.status());
        assertTrue(detail(e).contains("options.bootstrap.replicates: 100000 is more than the limit of 10000"), detail(e));
    }

    @Test
    void pastTheTimeCeilingTheReplicatesAreNamedWithHowManyWouldFit() {
        // 1,000,000 rows, aipw, 9,000 replicates on one thread: hours
        CommandCost.Workload w = new CommandCost.Workload("aipw", 1_000_000, 30, 30, 0, 9_000, 0, 0, 1, List.of());
        CommandLimits l = limits(10_000, Duration.ofMinutes(30), 100_000_000_000L);
        ProblemException e = assertThrows(ProblemException.class, () -> l.check(w));
        String d = detail(e);
        assertTrue(d.contains("options.bootstrap.replicates: 9000 bootstrap replicates on 1,000,000 rows would take about"), d);
        assertTrue(d.contains("more than the limit of 30 min"), d);
        // the replicates it says fit do fit, and a few more would not
        long fit = Long.parseLong(d.replaceAll(".*about ([\\d,]+) replicates in all fit in it.*", "$1").replace(",", ""));
        assertTrue(fit > 0 && fit < 9_000, d);
        l.check(w.withBootstrapReplicates((int) fit));
        assertThrows(ProblemException.class, () -> l.check(w.withBootstrapReplicates((int) (fit * 1.2) + 1)));
    }

    @Test
    void pastTheMemoryAManyLevelCategoricalIsNamedElseTheDesign() {
        CommandCost.Categorical store = new CommandCost.Categorical("covariates[0]", "store", 5000);
        CommandCost.Workload w = new CommandCost.Workload("regression", 20_000, 5001, 3, 0, 0, 0, 0, 2, List.of(store));
        ProblemException e = assertThrows(ProblemException.class,
                () -> limits(10_000, Duration.ofHours(10), 300_000_000L).check(w));
        assertTrue(detail(e).contains("covariates[0]: covariate 'store' has 5,000 levels: its one-hot design (20,000 "
                + "rows x 4,999 columns) would need 800 MB"), detail(e));
        assertTrue(detail(e).contains("more than the 300 MB a command may use here"), detail(e));

        CommandCost.Workload numeric = new CommandCost.Workload("regression", 2_000_000, 40, 40, 0, 0, 0, 0, 2, List.of());
        ProblemException wide = assertThrows(ProblemException.class,
                () -> limits(10_000, Duration.ofHours(10), 300_000_000L).check(numeric));
        assertTrue(detail(wide).contains("covariates: the command's design (2,000,000 rows x 40 columns) would need about"),
                detail(wide));
    }

    @Test
    void theWordsForSizesAndTimes() {
        assertEquals("800 MB", CommandLimits.bytes(800_000_000L));
        assertEquals("2.8 GB", CommandLimits.bytes(2_800_000_000L));
        assertEquals("45 s", CommandLimits.duration(44.2));
        assertEquals("30 min", CommandLimits.duration(1800));
        assertEquals("2.5 h", CommandLimits.duration(9000));
    }
}
