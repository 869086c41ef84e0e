package io.counterfact.common.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * A request body counted as it is read: the read that passes {@code limit} bytes throws what {@code tooLarge} gives,
 * so no reader, however greedy, gets more than the limit (whatever Content-Length said, or without one).
 */
final class LimitedInputStream extends FilterInputStream {

    private final long limit;
    private final Supplier<? extends RuntimeException> tooLarge;
    private long read;
    private boolean overflowed;

    LimitedInputStream(InputStream body, long limit, Supplier<? extends RuntimeException> tooLarge) {
        super(body);
        this.limit = limit;
        this.tooLarge = tooLarge;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        count(skipped);
        return skipped;
    }

    /**
     * Past the limit the underlying stream is left open: closing Quarkus' request stream reads the rest of the body
     * to its end (to keep the connection), which for a refused 300 MB upload is exactly what must not happen; a
     * parser closes its source on failure. The connection is closed after the answer instead ({@code RefusedBody}).
     */
    @Override
    public void close() throws IOException {
        if (!overflowed) {
            super.close();
        }
    }

    private void count(long n) {
        read += n;
        if (read > limit) {
            overflowed = true;
            throw tooLarge.get();
        }
    }
}
