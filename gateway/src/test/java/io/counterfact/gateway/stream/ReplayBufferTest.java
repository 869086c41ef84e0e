package io.counterfact.gateway.stream;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayBufferTest {

    static ViewChangeEvent change(long seq) {
        return new ViewChangeEvent(seq, "dataset", "d" + seq, "d" + seq, "{\"kind\":\"dataset\"}");
    }

    static List<Long> seqs(List<ViewChangeEvent> events) {
        return events.stream().map(ViewChangeEvent::seq).toList();
    }

    @Test
    void answersAResumeOnlyOnceTheFeedSaidWhereItStands() {
        ReplayBuffer buffer = new ReplayBuffer(4);
        buffer.add(change(3));
        assertFalse(buffer.ready(), "warming: the tail is not finished");
        buffer.knownUpTo(3);
        assertTrue(buffer.ready());
    }

    @Test
    void replaysWhatCameAfterTheClientsLastIdInOrder() {
        ReplayBuffer buffer = new ReplayBuffer(4);
        for (long seq : new long[] {2, 5, 6, 9}) { // ids have gaps (rolled-back transactions)
            assertTrue(buffer.add(change(seq)));
        }
        buffer.knownUpTo(9);
        assertEquals(List.of(6L, 9L), seqs(buffer.after(5)));
        assertEquals(List.of(9L), seqs(buffer.after(7)), "an id between two kept ones");
        assertEquals(List.of(), buffer.after(9), "up to date");
        assertEquals(List.of(), buffer.after(12), "ahead (another gateway pod saw more): nothing to replay");
    }

    @Test
    void aClientOlderThanWhatIsKeptGetsAResetWithTheNewestId() {
        ReplayBuffer buffer = new ReplayBuffer(2);
        buffer.add(change(1));
        buffer.add(change(2));
        buffer.add(change(3)); // 1 falls out
        buffer.knownUpTo(3);
        List<ViewChangeEvent> answer = buffer.after(1);
        assertEquals(1, answer.size());
        assertEquals("reset", answer.get(0).kind());
        assertEquals(3, answer.get(0).seq());
        assertEquals(List.of(3L), seqs(buffer.after(2)), "the oldest kept id itself still resumes");
    }

    @Test
    void repeatsAreNotKeptTwiceAndAGapForgetsWhatNoLongerJoinsUp() {
        ReplayBuffer buffer = new ReplayBuffer(8);
        assertTrue(buffer.add(change(4)));
        assertFalse(buffer.add(change(4)));
        assertFalse(buffer.add(change(3)));
        buffer.gap(10);
        assertEquals(0, buffer.size());
        assertEquals("reset", buffer.after(4).get(0).kind());
        assertEquals(List.of(), buffer.after(10));
    }

    @Test
    void aFeedThatStartsItsIdsAgainIsFollowedFromItsNewPosition() {
        ReplayBuffer buffer = new ReplayBuffer(8);
        buffer.add(change(40));
        buffer.knownUpTo(40);
        buffer.restart(3);
        assertTrue(buffer.add(change(4)), "ids below the old newest are new after a restart");
        assertEquals(List.of(4L), seqs(buffer.after(3)));
    }
}
