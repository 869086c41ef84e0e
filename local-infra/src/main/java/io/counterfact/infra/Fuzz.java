package io.counterfact.infra;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.ThrowingConsumer;

import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Seeded, reproducible fuzzing with plain JUnit 5: a property is run as {@code count} dynamic tests of a
 * {@code @TestFactory}, each try drawing its input from its own {@link Random}, derived from the seed and the try's
 * index, so that a try is the same whichever others ran. Each try is named with its index and the seed; a failing
 * try says how to replay it and shows its input.
 *
 * <p>The seed is fixed per test (reproducible CI); {@code -Dfuzz.seed=N} overrides it, {@code -Dfuzz.tries=N} the
 * number of tries, and {@code -Dfuzz.try=I} runs try I alone. There is no shrinking: the failing input is shown whole
 * (binary as base64).
 *
 * <p>Also a few generic generators; those specific to one test stay in that test.
 */
public final class Fuzz {

    public static final String SEED = "fuzz.seed";
    public static final String TRIES = "fuzz.tries";
    public static final String TRY = "fuzz.try";

    private Fuzz() {
    }

    /** {@code -Dfuzz.seed} if given, else the test's own. */
    public static long seed(long defaultSeed) {
        return Long.getLong(SEED, defaultSeed);
    }

    /** {@code -Dfuzz.tries} if given, else the test's own. */
    public static int count(int defaultCount) {
        return Integer.getInteger(TRIES, defaultCount);
    }

    /** The random source of one try: the same for the same seed and index, whatever else ran. */
    public static Random random(long seed, int index) {
        return new Random(mix(seed * 0x9E3779B97F4A7C15L + index));
    }

    /**
     * {@code count} tries of a property: each draws an input with {@code input}, and {@code property} checks it; a
     * failure names the try, the seed and the input as {@code describe} shows it.
     */
    public static <T> Stream<DynamicTest> tries(String name, int count, long defaultSeed, Function<Random, T> input,
                                                Function<? super T, String> describe, ThrowingConsumer<T> property) {
        long seed = seed(defaultSeed);
        int tries = count(count);
        Integer only = Integer.getInteger(TRY);
        System.out.printf("fuzzing %s: %s, seed %d (replay with -D%s=%d)%n", name,
                only == null ? tries + " tries" : "try " + only + " alone", seed, SEED, seed);
        return IntStream.range(0, tries).filter(i -> only == null || only == i).mapToObj(i -> DynamicTest.dynamicTest(
                name + " try " + i + " seed " + seed, () -> {
                    T value = input.apply(random(seed, i));
                    try {
                        property.accept(value);
                    } catch (Throwable failure) {
                        String replay = name + " failed at try " + i + " (replay with -D" + SEED + "=" + seed + " -D"
                                + TRY + "=" + i + ") on " + describe.apply(value);
                        System.out.println(replay);
                        AssertionError error = new AssertionError(replay + ": " + failure, failure);
                        throw error;
                    }
                }));
    }

    /** {@code count} tries of a property that draws its input itself. */
    public static Stream<DynamicTest> tries(String name, int count, long defaultSeed, ThrowingConsumer<Random> property) {
        return tries(name, count, defaultSeed, r -> r, r -> "its own draws", property);
    }

    // ---- generic generators ----

    /** Binary input shown in a failure message. */
    public static String base64(byte[] bytes) {
        return bytes.length + " bytes, base64 " + Base64.getEncoder().encodeToString(bytes);
    }

    /** Uniform in [min, max]. */
    public static int between(Random random, int min, int max) {
        return min + (int) (Math.floorMod(random.nextLong(), (long) max - min + 1));
    }

    /**
     * A size or count in [min, max], biased as a property-based tester's are: each bound a twentieth of the time (edge
     * cases), else half uniform over the range and half log-uniform (small values more often), every value possible.
     */
    public static int size(Random random, int min, int max) {
        int roll = random.nextInt(20);
        if (roll == 0 || min == max) {
            return min;
        }
        if (roll == 1) {
            return max;
        }
        if (roll < 11) {
            return between(random, min, max);
        }
        double span = (double) max - min + 1;
        return (int) Math.min(max, min + Math.floor(Math.exp(random.nextDouble() * Math.log(span))) - 1);
    }

    /** In [0, 1], the bounds included (each a twentieth of the time). */
    public static double fraction(Random random) {
        int roll = random.nextInt(20);
        return roll == 0 ? 0.0 : roll == 1 ? 1.0 : random.nextDouble();
    }

    /** Any double but NaN and the infinities: small and round ones, raw bit patterns (subnormal, huge), the edges. */
    public static double finiteDouble(Random random) {
        switch (random.nextInt(3)) {
            case 0 -> {
                double[] edges = {0.0, -0.0, 0.01, -0.01, 1.0, -1.0, Double.MAX_VALUE, -Double.MAX_VALUE,
                        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, -Double.MIN_NORMAL};
                return edges[random.nextInt(edges.length)];
            }
            case 1 -> {
                // two decimals, any magnitude up to 1e18
                long scale = (long) Math.pow(10, random.nextInt(19));
                return Math.floorMod(random.nextLong(), scale) / 100.0 * (random.nextBoolean() ? 1 : -1);
            }
            default -> {
                double d;
                do {
                    d = Double.longBitsToDouble(random.nextLong());
                } while (Double.isNaN(d) || Double.isInfinite(d));
                return d;
            }
        }
    }

    /** One of the elements, uniformly. */
    public static <T> T oneOf(Random random, List<T> elements) {
        return elements.get(random.nextInt(elements.size()));
    }

    @SafeVarargs
    public static <T> T oneOf(Random random, T... elements) {
        return elements[random.nextInt(elements.length)];
    }

    /** An index drawn with the given weights. */
    public static int weighted(Random random, int... weights) {
        int total = IntStream.of(weights).sum();
        int roll = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            roll -= weights[i];
            if (roll < 0) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    /** A string of {@link #size} [min, max] characters from the alphabet. */
    public static String chars(Random random, String alphabet, int min, int max) {
        int n = size(random, min, max);
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** A string of {@link #size} [min, max] chars in [from, to]. */
    public static String charRange(Random random, char from, char to, int min, int max) {
        int n = size(random, min, max);
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append((char) between(random, from, to));
        }
        return out.toString();
    }

    /**
     * A string of {@link #size} [min, max] UTF-16 chars of any value: mostly any char (lone surrogates, NUL,
     * controls and noncharacters included), some supplementary characters as surrogate pairs, some ASCII.
     */
    public static String anyChars(Random random, int min, int max) {
        int n = size(random, min, max);
        StringBuilder out = new StringBuilder(n);
        while (out.length() < n) {
            switch (random.nextInt(6)) {
                case 0 -> out.append((char) between(random, 0x20, 0x7E));
                case 1 -> {
                    if (out.length() + 2 <= n) {
                        out.appendCodePoint(between(random, 0x10000, Character.MAX_CODE_POINT));
                    }
                }
                default -> out.append((char) random.nextInt(0x10000));
            }
        }
        return out.toString();
    }

    /** {@link #size} [min, max] random bytes. */
    public static byte[] bytes(Random random, int min, int max) {
        byte[] out = new byte[size(random, min, max)];
        random.nextBytes(out);
        return out;
    }

    /** SplitMix64's finalizer: neighbouring seeds give unrelated streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
