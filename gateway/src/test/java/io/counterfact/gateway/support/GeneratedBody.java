package io.counterfact.gateway.support;

import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A request body generated on the fly (pseudo-random bytes from a seed), never held whole in memory: its SHA-256
 * is computed as it is read, so the test can compare it with what the service received.
 */
public final class GeneratedBody extends InputStream {

    private final long length;
    private final MessageDigest sha;
    private long state;
    private long produced;

    public GeneratedBody(long length, long seed) {
        this.length = length;
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) {
        if (produced >= length) {
            return -1;
        }
        int n = (int) Math.min(count, length - produced);
        for (int i = 0; i < n; i++) {
            if ((produced + i) % 8 == 0) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
            }
            buffer[offset + i] = (byte) (state >>> (8 * ((produced + i) % 8)));
        }
        sha.update(buffer, offset, n);
        produced += n;
        return n;
    }

    public long produced() {
        return produced;
    }

    /** The SHA-256 of everything read so far (call once the body has been sent). */
    public String sha256() {
        return HexFormat.of().formatHex(sha.digest());
    }
}
