package io.counterfact.gateway.stream;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SseParserTest {

    @Test
    void readsIdsDataCommentsAndMultiLineDataAsTheEventStreamRulesSay() {
        List<String> events = new ArrayList<>();
        SseParser parser = new SseParser(100, (id, data) -> events.add(id + "|" + data));
        for (String line : List.of(": a comment", "id: 7", "data: {\"a\":1}", "", "retry: 2000", "",
                "data:first", "data: second\r", "\r", "id: 8", "event: ignored", "")) {
            parser.line(line);
        }
        assertEquals(List.of("7|{\"a\":1}", "null|first\nsecond"), events,
                "an event without data is not dispatched, nor is a retry line");
    }

    @Test
    void aLineLongerThanTheLimitIsABrokenStream() {
        SseParser parser = new SseParser(10, (id, data) -> { });
        assertThrows(IllegalArgumentException.class, () -> parser.line("data: " + "x".repeat(20)));
    }

    @Test
    void filtersPassHeartbeatsAndResetsToEveryClient() {
        StreamFilter one = StreamFilter.of("", "e1");
        ViewChangeEvent other = new ViewChangeEvent(3, "estimation", "e2", "d1", "{}");
        ViewChangeEvent mine = new ViewChangeEvent(4, "estimation", "e1", "d1", "{}");
        ViewChangeEvent dataset = new ViewChangeEvent(5, "dataset", "d1", "d1", "{}");
        assertEquals(List.of(false, true, false, true, true), List.of(one.matches(other), one.matches(mine),
                one.matches(dataset), one.matches(ViewChangeEvent.HEARTBEAT), one.matches(ViewChangeEvent.reset(9))));
        StreamFilter d1 = StreamFilter.of("d1", null);
        assertEquals(List.of(true, true, true), List.of(d1.matches(other), d1.matches(mine), d1.matches(dataset)));
    }
}
