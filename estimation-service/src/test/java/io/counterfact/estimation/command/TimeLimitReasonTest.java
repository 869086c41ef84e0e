package io.counterfact.estimation.command;

import io.counterfact.engine.CancelledException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The time limit's words and its control, without the service. */
class TimeLimitReasonTest {

    @Test
    void theLimitIsSaidAsAPersonWouldSayIt() {
        assertEquals("30 min", EstimationWorker.words(Duration.ofMinutes(30)));
        assertEquals("2 h", EstimationWorker.words(Duration.ofHours(2)));
        assertEquals("90 s", EstimationWorker.words(Duration.ofSeconds(90)));
        assertEquals("1.5 s", EstimationWorker.words(Duration.ofMillis(1500)));
        String reason = EstimationWorker.timeLimitReason(Duration.ofMinutes(30));
        assertTrue(reason.startsWith("stopped after 30 min"), reason);
        assertTrue(reason.contains("fewer bootstrap replicates") && reason.contains("fewer rows"), reason);
    }

    @Test
    void aControlStopsAtItsDeadlineOrWhenToldAndKeepsTheFirstReason() throws Exception {
        RunningCommands.Control soon = new RunningCommands.Control("est_1", Duration.ofMillis(50));
        soon.check();
        Thread.sleep(80);
        assertThrows(CancelledException.class, soon::check);
        assertEquals(RunningCommands.Stop.TIME_LIMIT, soon.stop());
        soon.stop(RunningCommands.Stop.CANCELLED);
        assertEquals(RunningCommands.Stop.TIME_LIMIT, soon.stop(), "the first reason stays");

        RunningCommands.Control none = new RunningCommands.Control("est_2", Duration.ZERO);
        Thread.sleep(5);
        none.check(); // PT0S: no limit
        assertNull(none.stop());
        none.stop(RunningCommands.Stop.CANCELLED);
        assertThrows(CancelledException.class, none::check);
        assertEquals(RunningCommands.Stop.CANCELLED, none.stop());
    }
}
