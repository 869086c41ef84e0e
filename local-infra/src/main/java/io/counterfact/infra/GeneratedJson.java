package io.counterfact.infra;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A JSON document of exactly {@code length} bytes, generated as it is read and never held in memory: an object whose
 * {@code field} is an array of small objects, as a dataset registration with a great many columns would be. Valid
 * JSON from its first byte to its last, so a parser reading it keeps building its tree until something stops it.
 */
public final class GeneratedJson extends InputStream {

    private static final byte[] ELEMENT = "{\"name\":\"c\",\"type\":\"numeric\"},".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST = "{\"name\":\"c\",\"type\":\"numeric\"}".getBytes(StandardCharsets.US_ASCII);

    private final long length;
    private final byte[] head;
    private final byte[] tail = "]}".getBytes(StandardCharsets.US_ASCII);
    private long position;

    /** @param length total bytes; at least the head, one element and the tail */
    public GeneratedJson(long length, String field) {
        this.head = ("{\"name\":\"generated\",\"" + field + "\":[").getBytes(StandardCharsets.US_ASCII);
        this.length = length;
        if (length < head.length + LAST.length + tail.length) {
            throw new IllegalArgumentException("too short for a JSON document: " + length);
        }
    }

    public long length() {
        return length;
    }

    @Override
    public int read() {
        return position < length ? byteAt(position++) : -1;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) {
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(count, length - position);
        for (int i = 0; i < n; i++) {
            buffer[offset + i] = (byte) byteAt(position++);
        }
        return n;
    }

    /** head, elements "{...}," repeated, the last element without its comma padded with spaces, tail */
    private int byteAt(long at) {
        if (at < head.length) {
            return head[(int) at];
        }
        long tailStart = length - tail.length;
        if (at >= tailStart) {
            return tail[(int) (at - tailStart)];
        }
        long body = tailStart - head.length;
        long lastStart = head.length + (body - LAST.length) / ELEMENT.length * ELEMENT.length;
        long padding = (body - LAST.length) % ELEMENT.length;
        if (at < lastStart) {
            return ELEMENT[(int) ((at - head.length) % ELEMENT.length)];
        }
        long inLast = at - lastStart;
        return inLast < padding ? ' ' : LAST[(int) (inLast - padding)];
    }
}
