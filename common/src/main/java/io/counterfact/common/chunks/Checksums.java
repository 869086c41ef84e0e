package io.counterfact.common.chunks;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Content checksums, computed the same way where rows are stored (ingestion) and where they are replicated
 * (estimation), so that a replica can prove it holds exactly the sealed version.
 *
 * <ul>
 *   <li>batch digest = SHA-256 over the encoded row groups of one append, in order;</li>
 *   <li>version checksum = SHA-256(previous version's checksum bytes, or nothing for version 1, then the digests of
 *       the batches the version seals, in append order), written {@code sha256:<hex>}. Chaining makes sealing cost
 *       proportional to the new rows only, and a version's checksum still covers every row it contains.</li>
 * </ul>
 */
public final class Checksums {

    private static final String PREFIX = "sha256:";

    private Checksums() {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    public static String versionChecksum(String previousChecksum, List<byte[]> batchDigests) {
        MessageDigest digest = sha256();
        if (previousChecksum != null) {
            digest.update(fromHex(previousChecksum));
        }
        for (byte[] batch : batchDigests) {
            digest.update(batch);
        }
        return PREFIX + HexFormat.of().formatHex(digest.digest());
    }

    public static byte[] fromHex(String checksum) {
        return HexFormat.of().parseHex(checksum.startsWith(PREFIX) ? checksum.substring(PREFIX.length()) : checksum);
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
