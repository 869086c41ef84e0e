package io.counterfact.estimation.command;

import io.counterfact.common.http.ProblemException;
import io.counterfact.engine.cost.CommandCost;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * The limits a command is checked against at POST, from its {@link CommandCost} (issue 24): the bootstrap's
 * replicates, its estimated time, and the heap it may use. Past one, a 400 naming the option or the column, the limit
 * and the estimate. Configurable:
 * <ul>
 *   <li>{@code counterfact.estimation.limits.bootstrap-replicates} (10000)</li>
 *   <li>{@code counterfact.estimation.limits.max-seconds} (PT30M): the estimated wall time ceiling</li>
 *   <li>{@code counterfact.estimation.limits.memory-fraction} (0.4): the share of the JVM's max heap
 *       ({@code Runtime.maxMemory()}) one command may use, or {@code counterfact.estimation.limits.memory}, bytes
 *       (e.g. {@code 300M}), which wins when set</li>
 * </ul>
 */
@ApplicationScoped
public class CommandLimits {

    @ConfigProperty(name = "counterfact.estimation.limits.bootstrap-replicates", defaultValue = "10000")
    int maxReplicates;

    @ConfigProperty(name = "counterfact.estimation.limits.max-seconds", defaultValue = "PT30M")
    Duration maxSeconds;

    @ConfigProperty(name = "counterfact.estimation.limits.memory-fraction", defaultValue = "0.4")
    double memoryFraction;

    @ConfigProperty(name = "counterfact.estimation.limits.memory")
    Optional<MemorySize> memory;

    private long memoryBytes;

    @PostConstruct
    void init() {
        memoryBytes = memory.map(MemorySize::asLongValue)
                .orElse((long) (memoryFraction * Runtime.getRuntime().maxMemory()));
    }

    /** The heap one command may use, in bytes. */
    public long memoryBytes() {
        return memoryBytes;
    }

    /**
     * Checks a command's workload against the limits.
     *
     * @return its cost
     * @throws ProblemException 400 naming the option or column at fault, the limit and the estimate
     */
    public CommandCost.Cost check(CommandCost.Workload w) {
        if (w.bootstrapReplicates() > maxReplicates) {
            throw EstimationCommands.bad("options.bootstrap.replicates", "options.bootstrap.replicates: "
                    + w.bootstrapReplicates() + " is more than the limit of " + maxReplicates
                    + " (counterfact.estimation.limits.bootstrap-replicates); beyond a few thousand replicates the "
                    + "percentile interval no longer improves");
        }
        CommandCost.Cost cost = CommandCost.estimate(w);
        if (cost.peakBytes() > memoryBytes) {
            throw overMemory(w, cost);
        }
        if (cost.seconds() > maxSeconds.toSeconds()) {
            throw overTime(w, cost);
        }
        return cost;
    }

    private ProblemException overMemory(CommandCost.Workload w, CommandCost.Cost cost) {
        String limit = bytes(memoryBytes) + " a command may use here";
        Optional<CommandCost.Categorical> wide = widest(w);
        if (wide.isPresent()) {
            CommandCost.Categorical c = wide.get();
            return EstimationCommands.bad(c.field(), c.field() + ": covariate '" + c.column() + "' has "
                    + count(c.levels()) + " levels: its one-hot design (" + count(w.rows()) + " rows x "
                    + count(c.designColumns()) + " columns) would need " + bytes(8L * w.rows() * c.designColumns())
                    + ", the whole command about " + bytes(cost.peakBytes()) + ", more than the " + limit
                    + "; group its levels into fewer, or leave it out");
        }
        if (w.bootstrapReplicates() + w.refuteReplicates() > 0
                && CommandCost.estimate(w.withBootstrapReplicates(0).withRefuteReplicates(0)).peakBytes() <= memoryBytes) {
            String field = w.bootstrapReplicates() > 0 ? "options.bootstrap" : "options.refute";
            return EstimationCommands.bad(field, field + ": the replicates, run " + w.threads() + " at a time, each "
                    + "with its own copy of the " + count(w.rows()) + " rows, would need about " + bytes(cost.peakBytes())
                    + ", more than the " + limit + "; the estimate without them fits");
        }
        return EstimationCommands.bad("covariates", "covariates: the command's design (" + count(w.rows()) + " rows x "
                + count(w.designColumns()) + " columns) would need about " + bytes(cost.peakBytes()) + ", more than the "
                + limit + "; use fewer covariates, or a version with fewer rows");
    }

    private ProblemException overTime(CommandCost.Workload w, CommandCost.Cost cost) {
        String limit = "the limit of " + duration(maxSeconds.toSeconds()) + " a command may run "
                + "(counterfact.estimation.limits.max-seconds)";
        int replicates = w.bootstrapReplicates() + w.jackknifeFits() + w.refuteReplicates();
        double withoutReplicates = CommandCost.estimate(w.withBootstrapReplicates(0).withRefuteReplicates(0)).seconds();
        if (replicates > 0 && withoutReplicates <= maxSeconds.toSeconds()) {
            // each replicate costs about the same: how many fit in the limit
            double perReplicate = (cost.seconds() - withoutReplicates) / replicates;
            long fit = (long) Math.floor((maxSeconds.toSeconds() - withoutReplicates) / perReplicate);
            boolean bootstrap = w.bootstrapReplicates() >= w.refuteReplicates();
            String field = bootstrap ? "options.bootstrap.replicates" : "options.refute";
            String what = bootstrap ? w.bootstrapReplicates() + " bootstrap replicates" : w.refuteReplicates()
                    + " refutation replicates";
            return EstimationCommands.bad(field, field + ": " + what + " on " + count(w.rows()) + " rows would take "
                    + "about " + duration(cost.seconds()) + " (estimated), more than " + limit + "; about "
                    + count(Math.max(0, fit)) + " replicates in all fit in it");
        }
        Optional<CommandCost.Categorical> wide = widest(w);
        if (wide.isPresent()) {
            CommandCost.Categorical c = wide.get();
            return EstimationCommands.bad(c.field(), c.field() + ": covariate '" + c.column() + "' has "
                    + count(c.levels()) + " levels: its one-hot design (" + count(w.rows()) + " rows x "
                    + count(c.designColumns()) + " columns) would take about " + duration(cost.seconds())
                    + " (estimated), more than " + limit + "; group its levels into fewer, or leave it out");
        }
        return EstimationCommands.bad("method", "method: " + w.method() + " on " + count(w.rows()) + " rows x "
                + count(w.designColumns()) + " design columns would take about " + duration(cost.seconds())
                + " (estimated), more than " + limit + "; use fewer covariates or a smaller version");
    }

    /** The categorical with the most design columns, if it makes up at least half of the design. */
    private static Optional<CommandCost.Categorical> widest(CommandCost.Workload w) {
        return w.categoricals().stream().max(Comparator.comparingInt(CommandCost.Categorical::designColumns))
                .filter(c -> 2L * c.designColumns() >= w.designColumns());
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Bytes in words: {@code 800 MB}, {@code 1.6 GB} (decimal units, as the figures). */
    static String bytes(long b) {
        if (b >= 10_000_000_000L) {
            return String.format(Locale.ROOT, "%,d GB", Math.round(b / 1e9));
        }
        if (b >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f GB", b / 1e9);
        }
        if (b >= 1_000_000L) {
            return String.format(Locale.ROOT, "%d MB", Math.round(b / 1e6));
        }
        return String.format(Locale.ROOT, "%d kB", Math.max(1, Math.round(b / 1e3)));
    }

    /** Seconds in words: {@code 45 s}, {@code 12 min}, {@code 2.3 h}. */
    static String duration(double seconds) {
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.0f s", Math.ceil(seconds));
        }
        if (seconds < 7200) {
            return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
