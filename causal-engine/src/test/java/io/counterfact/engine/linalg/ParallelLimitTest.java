package io.counterfact.engine.linalg;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Parallel#withParallelism}: the work of a caller held to fewer threads, each index still run once. */
class ParallelLimitTest {

    private static int[] run(int count, Set<String> threads, AtomicInteger concurrent, AtomicInteger maxConcurrent) {
        int[] hits = new int[count];
        Parallel.forRanges(count, (from, to) -> {
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            threads.add(Thread.currentThread().getName());
            for (int i = from; i < to; i++) {
                hits[i]++;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            concurrent.decrementAndGet();
        });
        return hits;
    }

    @Test
    void aLimitedCallerRunsEveryIndexOnceOnAtMostItsThreads() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        int[] hits = Parallel.withParallelism(1, () -> run(1_000, threads, concurrent, max));
        for (int h : hits) {
            assertEquals(1, h);
        }
        assertEquals(1, max.get(), "one range at a time");
        assertEquals(1, threads.size(), threads.toString());
        // outside the limit: the engine's own pool again
        Set<String> after = ConcurrentHashMap.newKeySet();
        int[] again = run(1_000, after, new AtomicInteger(), new AtomicInteger());
        for (int h : again) {
            assertEquals(1, h);
        }
        assertTrue(after.stream().noneMatch(t -> t.startsWith("counterfact-engine-1-")), after.toString());
    }
}
