package io.counterfact.ingestion.rows;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes an upload as UTF-8, refusing what is not UTF-8 instead of turning it into U+FFFD: invalid bytes, overlong
 * encodings, surrogates encoded on their own (CESU-8), code points past U+10FFFF, a sequence cut off by the end of
 * the body. Streams through a fixed buffer, so a body of any size is never held whole.
 * <p>
 * The characters before a fault are delivered first and the fault is thrown by the next read, so a parser reading
 * from here fails while it reads the very field that holds the bad bytes, and can name that field's row and column.
 * A UTF-8 byte order mark at the very start (as spreadsheets write it) is skipped.
 */
public final class StrictUtf8Reader extends Reader {

    /** The bytes at {@link #offset()} of the body do not decode as UTF-8. */
    public static final class InvalidUtf8Exception extends CharConversionException {
        private final long offset;
        private final byte[] bytes;

        InvalidUtf8Exception(long offset, byte[] bytes) {
            super(describe(offset, bytes));
            this.offset = offset;
            this.bytes = bytes;
        }

        /** Zero-based position of the first bad byte in the body. */
        public long offset() {
            return offset;
        }

        public byte[] bytes() {
            return bytes.clone();
        }

        private static String describe(long offset, byte[] bytes) {
            StringBuilder hex = new StringBuilder();
            for (byte b : bytes) {
                hex.append(hex.isEmpty() ? "" : " ").append(String.format("%02X", b & 0xFF));
            }
            return (bytes.length == 1 ? "byte " : "bytes ") + hex + " at byte offset " + offset + " of the body "
                    + (bytes.length == 1 ? "is" : "are") + " not valid UTF-8";
        }
    }

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    /** Kept ready for reading: position..limit are the bytes not decoded yet. */
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER_BYTES).flip();
    /** Body offset of {@code bytes.array()[0]}. */
    private long bufferStart;
    private boolean endOfBody;
    private boolean atStart = true;
    /** A fault found after characters that were delivered first; thrown by the next read. */
    private InvalidUtf8Exception pending;
    /** The low surrogate of a pair when the caller asked for a single char. */
    private int carriedChar = -1;

    public StrictUtf8Reader(InputStream in) {
        this.in = in;
    }

    @Override
    public int read(char[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (carriedChar >= 0) {
            target[offset] = (char) carriedChar;
            carriedChar = -1;
            return 1;
        }
        if (pending != null) {
            throw pending;
        }
        if (length == 1) {
            // a supplementary character needs two chars: decode into a pair and carry the second
            char[] pair = new char[2];
            int n = read(pair, 0, 2);
            if (n == 2) {
                carriedChar = pair[1];
            }
            if (n > 0) {
                target[offset] = pair[0];
            }
            return n;
        }
        CharBuffer out = CharBuffer.wrap(target, offset, length);
        while (true) {
            CoderResult result = decoder.decode(bytes, out, endOfBody);
            if (result.isUnderflow()) {
                if (out.position() > offset || endOfBody) {
                    break; // deliver what there is rather than wait for more of the body
                }
                fill();
            } else if (result.isOverflow()) {
                break;
            } else {
                pending = fault(result.length());
                if (out.position() == offset) {
                    throw pending;
                }
                break;
            }
        }
        int produced = out.position() - offset;
        if (produced == 0) {
            return -1;
        }
        if (atStart) {
            atStart = false;
            if (target[offset] == BYTE_ORDER_MARK) {
                System.arraycopy(target, offset + 1, target, offset, produced - 1);
                produced--;
                if (produced == 0) {
                    return read(target, offset, length);
                }
            }
        }
        return produced;
    }

    private void fill() throws IOException {
        bufferStart += bytes.position();
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            endOfBody = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    private InvalidUtf8Exception fault(int length) {
        byte[] bad = new byte[length];
        bytes.get(bytes.position(), bad);
        return new InvalidUtf8Exception(bufferStart + bytes.position(), bad);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
