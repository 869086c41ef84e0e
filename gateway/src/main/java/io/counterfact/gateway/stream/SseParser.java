package io.counterfact.gateway.stream;

import java.util.function.BiConsumer;

/**
 * Reads a server-sent event stream line by line (the lines without their end) and hands each complete event's
 * {@code id} and {@code data} on, as the WHATWG event-stream rules say: comments ignored, several data lines joined
 * by newlines, an event dispatched at a blank line, one without data dropped. Lines longer than {@code maxLine} are
 * a broken stream (the caller closes it).
 */
final class SseParser {

    private final BiConsumer<String, String> onEvent;
    private final int maxLine;
    private String id;
    private StringBuilder data;

    SseParser(int maxLine, BiConsumer<String, String> onEvent) {
        this.maxLine = maxLine;
        this.onEvent = onEvent;
    }

    void line(String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (line.length() > maxLine) {
            throw new IllegalArgumentException("an event-stream line of " + line.length() + " characters");
        }
        if (line.isEmpty()) {
            if (data != null) {
                onEvent.accept(id, data.toString());
            }
            id = null;
            data = null;
            return;
        }
        if (line.startsWith(":")) {
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "id" -> id = value;
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> {
                // event, retry and unknown fields: the feed does not use them
            }
        }
    }

    /** Forgets a half-read event (the connection broke). */
    void reset() {
        id = null;
        data = null;
    }
}
