package io.counterfact.estimation.command;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * What an {@link OutOfMemoryError} does to this service (issue 24). Inside a command's run it is the command's
 * failure: {@link EstimationWorker} catches it, the command ends FAILED with the reason in words at its first start,
 * its offset is committed (not handed to the next worker), and the engine's arrays it held are garbage the moment
 * the run's stack unwinds. That is why estimation-service is NOT started with {@code -XX:+ExitOnOutOfMemoryError}
 * (run.sh; the other services keep it): the flag would end the JVM before the worker could record the failure, and
 * the command would be redelivered to kill the next worker, up to its fifth start.
 *
 * <p>Anywhere else (a thread of the Kafka client, the HTTP server, the outbox relay) a thread that dies of it leaves
 * the service running without it: this handler then halts the JVM, as the flag would have done, so the supervisor
 * (run.sh, or Kubernetes) starts a sound one. A command's own memory is bounded before it is accepted
 * ({@link CommandLimits}), so this is for what slips past the estimate.
 */
@ApplicationScoped
public class OutOfMemoryPolicy {

    private static final Logger LOG = Logger.getLogger(OutOfMemoryPolicy.class);

    void install(@Observes StartupEvent event) {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof OutOfMemoryError) {
                try {
                    LOG.errorf("thread %s died of %s outside any estimation command: halting the service so that "
                            + "it is restarted sound", thread.getName(), e.toString());
                } finally {
                    Runtime.getRuntime().halt(3);
                }
            }
            if (previous != null) {
                previous.uncaughtException(thread, e);
            } else {
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                e.printStackTrace();
            }
        });
    }
}
