package io.counterfact.engine.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The binary files of {@code shared/datasets/scripts/gen_synth.py}: float64 little-endian,
 * column-major, n = 1,000,000 rows. {@code obs.bin} holds [y, t, x1..x20], {@code iv.bin} holds
 * [y, d, z, x1..x20].
 *
 * <p>Each column is read into its own {@code double[]} through one small reused direct buffer: no
 * mapping (mapped pages would count in the process's resident size) and no second copy of the file.
 * The directory is {@code -Dbench.data}, else the environment's {@code BENCH_DATA}, else {@code ./synth}.
 */
public final class SynthData {

    /** Rows of gen_synth.py's data. */
    public static final int N = 1_000_000;
    /** Covariates. */
    public static final int P = 20;

    private SynthData() {
    }

    /** The data directory. */
    public static Path dir() {
        String d = System.getProperty("bench.data");
        if (d == null || d.isBlank()) {
            d = System.getenv("BENCH_DATA");
        }
        return Path.of(d == null || d.isBlank() ? "synth" : d);
    }

    /** The observational data: y, t and x1..x20 as columns; {@link #x1} = [1, x], {@link #xt} = [1, t, x]. */
    public static final class Obs {
        public final double[] y;
        public final double[] t;
        public final double[][] x;
        public final double[] ones;
        public final double[][] x1;
        public final double[][] xt;
        public final long bytes;

        private Obs(double[][] cols, long bytes) {
            y = cols[0];
            t = cols[1];
            x = Arrays.copyOfRange(cols, 2, 2 + P);
            ones = new double[y.length];
            Arrays.fill(ones, 1.0);
            x1 = new double[P + 1][];
            x1[0] = ones;
            System.arraycopy(x, 0, x1, 1, P);
            xt = new double[P + 2][];
            xt[0] = ones;
            xt[1] = t;
            System.arraycopy(x, 0, xt, 2, P);
            this.bytes = bytes;
        }

        public static Obs load() {
            Path f = dir().resolve("obs.bin");
            return new Obs(read(f, 2 + P), size(f));
        }
    }

    /** The IV data: y, d, z and x1..x20 as columns. */
    public static final class Iv {
        public final double[] y;
        public final double[] d;
        public final double[] z;
        public final double[][] x;
        public final long bytes;

        private Iv(double[][] cols, long bytes) {
            y = cols[0];
            d = cols[1];
            z = cols[2];
            x = Arrays.copyOfRange(cols, 3, 3 + P);
            this.bytes = bytes;
        }

        public static Iv load() {
            Path f = dir().resolve("iv.bin");
            return new Iv(read(f, 3 + P), size(f));
        }
    }

    /** Names x1..x20. */
    public static java.util.List<String> covariateNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int j = 1; j <= P; j++) {
            names.add("x" + j);
        }
        return names;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code ncol} column-major float64 LE columns of N rows. */
    static double[][] read(Path file, int ncol) {
        long expected = (long) ncol * N * Double.BYTES;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() != expected) {
                throw new IllegalStateException(file + " has " + ch.size() + " bytes, expected " + expected + " (" + ncol
                        + " columns x " + N + " rows of float64): regenerate it with gen_synth.py");
            }
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            double[][] cols = new double[ncol][N];
            long pos = 0;
            for (int c = 0; c < ncol; c++) {
                int filled = 0;
                while (filled < N) {
                    buf.clear();
                    int want = Math.min(buf.capacity() / Double.BYTES, N - filled) * Double.BYTES;
                    buf.limit(want);
                    while (buf.hasRemaining()) {
                        int r = ch.read(buf, pos + buf.position());
                        if (r < 0) {
                            throw new IllegalStateException("unexpected end of " + file);
                        }
                    }
                    pos += want;
                    buf.flip();
                    buf.asDoubleBuffer().get(cols[c], filled, want / Double.BYTES);
                    filled += want / Double.BYTES;
                }
            }
            return cols;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (generate it with gen_synth.py, or set -Dbench.data)", e);
        }
    }
}
