package io.counterfact.ingestion.rows;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StrictUtf8ReaderTest {

    @Test
    void textBeforeABadByteIsDeliveredFirstAndTheFaultThrownByTheNextRead() throws IOException {
        Reader reader = new StrictUtf8Reader(new ByteArrayInputStream(new byte[]{'a', 'b', (byte) 0xFF, 'c'}));
        char[] buffer = new char[10];
        assertEquals(2, reader.read(buffer, 0, 10));
        assertEquals("ab", new String(buffer, 0, 2));
        StrictUtf8Reader.InvalidUtf8Exception fault =
                assertThrows(StrictUtf8Reader.InvalidUtf8Exception.class, () -> reader.read(buffer, 0, 10));
        assertEquals(2, fault.offset());
        assertEquals("byte FF at byte offset 2 of the body is not valid UTF-8", fault.getMessage());
        assertThrows(StrictUtf8Reader.InvalidUtf8Exception.class, () -> reader.read(buffer, 0, 10)); // and stays
    }

    @Test
    void aFaultPastTheFirstBufferCountsTheBytesBeforeIt() {
        byte[] body = new byte[200_000];
        java.util.Arrays.fill(body, (byte) 'x');
        body[150_001] = (byte) 0xC0; // overlong '/'
        body[150_002] = (byte) 0xAF;
        StrictUtf8Reader.InvalidUtf8Exception fault = assertThrows(StrictUtf8Reader.InvalidUtf8Exception.class,
                () -> readAll(new StrictUtf8Reader(new TrickleInputStream(body, 777))));
        assertEquals(150_001, fault.offset());
    }

    @Test
    void multiByteCharactersSplitAcrossReadsOfTheBodyDecode() throws IOException {
        String text = "é日本\uD83D\uDE00".repeat(5000);
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(text, readAll(new StrictUtf8Reader(new TrickleInputStream(body, 3))));
    }

    @Test
    void singleCharReadsCarryTheSecondHalfOfASurrogatePair() throws IOException {
        Reader reader = new StrictUtf8Reader(new ByteArrayInputStream("a\uD83D\uDE00b".getBytes(StandardCharsets.UTF_8)));
        StringBuilder out = new StringBuilder();
        for (int c = reader.read(); c >= 0; c = reader.read()) {
            out.append((char) c);
        }
        assertEquals("a\uD83D\uDE00b", out.toString());
    }

    @Test
    void aLeadingByteOrderMarkIsSkippedAndOnlyThere() throws IOException {
        assertEquals("x\uFEFF", readAll(new StrictUtf8Reader(new ByteArrayInputStream(
                "\uFEFFx\uFEFF".getBytes(StandardCharsets.UTF_8)))));
        assertEquals("", readAll(new StrictUtf8Reader(new ByteArrayInputStream(
                "\uFEFF".getBytes(StandardCharsets.UTF_8)))));
    }

    private static String readAll(Reader reader) throws IOException {
        StringBuilder out = new StringBuilder();
        char[] buffer = new char[4000];
        for (int n = reader.read(buffer, 0, buffer.length); n >= 0; n = reader.read(buffer, 0, buffer.length)) {
            out.append(buffer, 0, n);
        }
        return out.toString();
    }

    /** Hands out at most {@code step} bytes a read, as a network body arrives. */
    private static final class TrickleInputStream extends InputStream {
        private final ByteArrayInputStream bytes;
        private final int step;

        TrickleInputStream(byte[] body, int step) {
            this.bytes = new ByteArrayInputStream(body);
            this.step = step;
        }

        @Override
        public int read() {
            return bytes.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return bytes.read(b, off, Math.min(len, step));
        }
    }
}
