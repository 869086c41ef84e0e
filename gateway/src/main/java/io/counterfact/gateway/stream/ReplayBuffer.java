package io.counterfact.gateway.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The newest changes of the feed, without a gap, so that a client that reconnects with {@code Last-Event-ID} gets
 * what it missed from the gateway itself. Not thread-safe: the hub uses it on its own context only.
 */
final class ReplayBuffer {

    private final int capacity;
    private final ArrayDeque<ViewChangeEvent> events;
    /** The newest seq seen (-1: none yet). */
    private long newest = ViewChangeEvent.NO_ID;
    /** Whether the feed has said where it stands (its position, or a reset): only then can a resume be answered. */
    private boolean ready;

    ReplayBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a replay buffer needs room for at least one event");
        }
        this.capacity = capacity;
        this.events = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** Appends a change of the feed (in seq order); false if it is not newer than the newest (a repeat). */
    boolean add(ViewChangeEvent event) {
        if (!event.hasId() || event.seq() <= newest) {
            return false;
        }
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(event);
        newest = event.seq();
        return true;
    }

    /** The feed stands at {@code seq}: every change up to it has been added (or was before what is kept). */
    void knownUpTo(long seq) {
        newest = Math.max(newest, seq);
        ready = true;
    }

    /**
     * The feed went back in time (query-service's database was rebuilt, its ids start again): forget everything,
     * stand at {@code seq}.
     */
    void restart(long seq) {
        events.clear();
        newest = seq;
        ready = true;
    }

    /** The feed skipped changes (query-service could not replay them): what is kept no longer joins up. */
    void gap(long newestSeq) {
        events.clear();
        newest = Math.max(newest, newestSeq);
        ready = true;
    }

    boolean ready() {
        return ready;
    }

    long newest() {
        return newest;
    }

    int size() {
        return events.size();
    }

    /**
     * What a client that has seen everything up to {@code lastEventId} missed, oldest first: nothing if it is up to
     * date, the kept changes after it if they reach back far enough, else one reset (with the newest seq as its id).
     * Only meaningful when {@link #ready()}.
     */
    List<ViewChangeEvent> after(long lastEventId) {
        if (lastEventId >= newest) {
            return List.of();
        }
        if (events.isEmpty() || lastEventId < events.peekFirst().seq()) {
            return List.of(ViewChangeEvent.reset(newest));
        }
        List<ViewChangeEvent> missed = new ArrayList<>();
        Iterator<ViewChangeEvent> newestFirst = events.descendingIterator();
        while (newestFirst.hasNext()) {
            ViewChangeEvent event = newestFirst.next();
            if (event.seq() <= lastEventId) {
                break;
            }
            missed.add(event);
        }
        java.util.Collections.reverse(missed);
        return missed;
    }
}
