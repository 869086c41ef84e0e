package io.counterfact.ingestion.rows;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.counterfact.common.chunks.RowGroupBuilder;
import io.counterfact.common.http.ProblemException;
import io.counterfact.ingestion.dataset.ColumnSpec;
import io.counterfact.ingestion.dataset.Schema;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property-based fuzzing of the row readers as pure units (no service, no database: thousands of tries a second).
 * Whatever the bytes, a reader either accepts the batch or rejects it with a 400 naming a fault; it never throws
 * anything else (a 500 in the service), never accepts bytes that are not UTF-8, and never hangs (each try runs
 * under a time bound, which is a hang detector, not a speed requirement). The storing side (nothing of a rejected
 * batch is kept) is fuzzed through the service in {@code io.counterfact.ingestion.UploadFuzzTest}.
 */
public class RowReaderFuzzTest {

    static final Schema SCHEMA = Schema.of(List.of(new ColumnSpec("y", "numeric"), new ColumnSpec("t", "binary"),
            new ColumnSpec("region", "categorical")));
    static final Duration HANG = Duration.ofSeconds(20);

    public enum Format { CSV, NDJSON }

    /** What a reader made of a body: the rows it accepted (decoded back from the sink), or the 400 it gave. */
    public record Outcome(List<Object[]> rows, ProblemException rejected) {
    }

    @Property(tries = 400)
    void anyBodyIsAcceptedOrRejectedWithA400(@ForAll("bodies") byte[] body, @ForAll Format format) {
        Outcome outcome = read(format, body);
        if (outcome.rejected() != null) {
            assertEquals(400, outcome.rejected().status());
            assertNotNull(outcome.rejected().getMessage());
            assertTrue(outcome.rejected().faults().size() <= RowFaults.LIMIT);
        } else {
            assertTrue(isUtf8(body), "accepted a body that is not UTF-8");
            assertTrue(outcome.rows().size() > 0);
        }
    }

    @Property(tries = 300)
    void invalidUtf8IsAlwaysRejectedSayingSo(@ForAll("validTables") List<Object[]> table, @ForAll Format format,
                                              @ForAll("invalidUtf8") byte[] bad, @ForAll("fractions") double where) {
        byte[] good = render(format, table, false);
        byte[] body = splice(good, characterBoundary(good, (int) (where * good.length)), bad);
        Outcome outcome = read(format, body);
        assertNotNull(outcome.rejected(), "accepted a body that is not UTF-8");
        // a valid table has no other fault, wherever the bad bytes went (header, name, value, between rows, the end)
        assertTrue(outcome.rejected().getMessage().contains("not valid UTF-8"),
                () -> "unexpected fault: " + outcome.rejected().getMessage());
    }

    @Property(tries = 300)
    void validTablesRoundTripExactly(@ForAll("validTables") List<Object[]> table, @ForAll Format format,
                                     @ForAll boolean byteOrderMark) {
        Outcome outcome = read(format, render(format, table, byteOrderMark));
        if (outcome.rejected() != null) {
            fail("rejected a valid table: " + outcome.rejected().getMessage());
        }
        assertEquals(table.size(), outcome.rows().size());
        for (int i = 0; i < table.size(); i++) {
            assertArrayEquals(table.get(i), outcome.rows().get(i), "row " + (i + 1));
        }
    }

    // ---- generators ----

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 1);
    }

    @Provide
    Arbitrary<byte[]> invalidUtf8() {
        return Arbitraries.of(
                new byte[]{(byte) 0x80}, new byte[]{(byte) 0xFF}, new byte[]{(byte) 0xC3, 0x28},
                new byte[]{(byte) 0xC0, (byte) 0xAF}, new byte[]{(byte) 0xC0, (byte) 0x80},           // overlong
                new byte[]{(byte) 0xE0, (byte) 0x80, (byte) 0xAF},                                      // overlong
                new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80},                                      // CESU
                new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80},
                new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},                         // > U+10FFFF
                new byte[]{(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                new byte[]{(byte) 0xE2, (byte) 0x82}, new byte[]{(byte) 0xF0, (byte) 0x9F, (byte) 0x98}); // truncated
    }

    /** Finite numbers, binaries, any Unicode text (quotes, commas, new lines, emoji); a fifth of values missing. */
    @Provide
    Arbitrary<List<Object[]>> validTables() {
        Arbitrary<Double> y = Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(Double.MAX_VALUE,
                -Double.MIN_VALUE, 0.0, 1e-300, 1e300), Arbitraries.just(Double.NaN));
        Arbitrary<Integer> t = Arbitraries.of(0, 1, -1);
        Arbitrary<String> region = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'e').ofMinLength(1).ofMaxLength(3),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(30)
                        .filter(s -> Values.textFault(s) == null && !"NA".equals(s)),
                Arbitraries.strings().withChars(",\"\n\r \t;{}[]:\\").ofMinLength(1).ofMaxLength(6),
                Arbitraries.just("\uD83D\uDE00 \u65E5\u672C"), Arbitraries.just(null));
        return Combinators.combine(y, t, region).as((a, b, c) -> new Object[]{a, b, c})
                .list().ofMinSize(1).ofMaxSize(40);
    }

    /** Valid bodies, mutated; and bytes from nowhere. */
    @Provide
    public Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> valid = Combinators.combine(validTables(), Arbitraries.of(Format.values()),
                Arbitraries.of(true, false)).as(RowReaderFuzzTest::render);
        Arbitrary<byte[]> mutated = Combinators.combine(valid, mutation().list().ofMinSize(1).ofMaxSize(5))
                .as((body, mutations) -> {
                    byte[] out = body;
                    for (Tuple.Tuple3<Integer, Double, byte[]> m : mutations) {
                        out = mutate(out, m.get1(), m.get2(), m.get3());
                    }
                    return out;
                });
        Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> randomText = Arbitraries.strings().withChars("y,t,region\"{}:\n\r 01.-eNaInfy\uFEFF\\")
                .ofMaxLength(300).map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(
                Tuple.of(5, mutated), Tuple.of(2, valid), Tuple.of(1, randomBytes), Tuple.of(2, randomText));
    }

    /** (kind, where in the body, what) */
    private Arbitrary<Tuple.Tuple3<Integer, Double, byte[]>> mutation() {
        Arbitrary<byte[]> what = Arbitraries.oneOf(
                invalidUtf8(),
                Arbitraries.of("\"", "\n", "\r\n", ",", "\uFEFF", "{", "}", "[1]", "null", "true", "NA", "", " ",
                                "1e999", "-1e-999", "NaN", "Infinity", "-Infinity", "0x1p3", "1d", "99999999999999999999999",
                                "\\u0000", "\\ud800", "\u0000", "\"y\": 1, ", "y,y", ",,,,", "\"\"", "\\")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.integers().between(1, 200_000).map(n -> "9".repeat(n).getBytes(StandardCharsets.UTF_8)),
                Arbitraries.integers().between(1, 100_000).map(n -> ("\"" + "x".repeat(n)).getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8));
        return Combinators.combine(Arbitraries.integers().between(0, 3), fractions(), what).as(Tuple::of);
    }

    /** 0 inserts, 1 replaces as many bytes, 2 deletes as many bytes, 3 cuts the body there. */
    private static byte[] mutate(byte[] body, int kind, double where, byte[] what) {
        int at = (int) (where * body.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(body, 0, at);
        switch (kind) {
            case 0 -> {
                out.writeBytes(what);
                out.write(body, at, body.length - at);
            }
            case 1 -> {
                out.writeBytes(what);
                int skip = Math.min(what.length, body.length - at);
                out.write(body, at + skip, body.length - at - skip);
            }
            case 2 -> {
                int skip = Math.min(what.length, body.length - at);
                out.write(body, at + skip, body.length - at - skip);
            }
            default -> {
            }
        }
        return out.toByteArray();
    }

    // ---- rendering a table, reading it back ----

    static byte[] render(List<Object[]> table, Format format, boolean byteOrderMark) {
        return render(format, table, byteOrderMark);
    }

    static byte[] render(Format format, List<Object[]> table, boolean byteOrderMark) {
        StringBuilder out = new StringBuilder(byteOrderMark ? "\uFEFF" : "");
        if (format == Format.CSV) {
            out.append("region,y,t\n"); // any column order
            for (Object[] row : table) {
                out.append(row[2] == null ? "" : csvQuoted((String) row[2])).append(',')
                        .append(Double.isNaN((Double) row[0]) ? "NA" : Double.toString((Double) row[0])).append(',')
                        .append((Integer) row[1] == -1 ? "" : row[1]).append('\n');
            }
        } else {
            for (Object[] row : table) {
                out.append("{\"t\": ").append((Integer) row[1] == -1 ? "null" : row[1])
                        .append(", \"region\": ").append(row[2] == null ? "null"
                                : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString((String) row[2])) + "\"")
                        .append(", \"y\": ").append(Double.isNaN((Double) row[0]) ? "null" : Double.toString((Double) row[0]))
                        .append("}\n");
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String csvQuoted(String value) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }

    public static Outcome read(Format format, byte[] body) {
        return assertTimeoutPreemptively(HANG, () -> {
            List<byte[]> groups = new ArrayList<>();
            RowGroupSink sink = (index, rows, payload) -> groups.add(payload);
            RowReader reader = format == Format.CSV ? new CsvRowReader(SCHEMA, sink) : new NdjsonRowReader(SCHEMA, sink);
            try {
                reader.read(new ByteArrayInputStream(body));
            } catch (ProblemException e) {
                return new Outcome(null, e);
            } catch (IOException e) {
                throw new AssertionError("an in-memory body cannot be interrupted", e);
            }
            List<Object[]> rows = new ArrayList<>();
            for (byte[] group : groups) {
                rows.addAll(decode(group));
            }
            return new Outcome(rows, null);
        }, () -> "a reader took longer than " + HANG + " on a body of " + body.length + " bytes");
    }

    /** Decodes a row group of {@link #SCHEMA} (the layout documented in {@link RowGroupBuilder}) into rows. */
    private static List<Object[]> decode(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(RowGroupBuilder.MAGIC, in.getInt());
        int rowCount = in.getInt();
        assertEquals(3, in.getInt());
        Object[][] rows = new Object[rowCount][3];
        for (int c = 0; c < 3; c++) {
            byte type = in.get();
            switch (type) {
                case 0 -> {
                    for (int r = 0; r < rowCount; r++) {
                        rows[r][c] = in.getDouble();
                    }
                }
                case 1 -> {
                    for (int r = 0; r < rowCount; r++) {
                        rows[r][c] = (int) in.get();
                    }
                }
                default -> {
                    String[] levels = new String[in.getInt()];
                    for (int l = 0; l < levels.length; l++) {
                        byte[] utf8 = new byte[in.getInt()];
                        in.get(utf8);
                        levels[l] = strictUtf8(utf8);
                    }
                    for (int r = 0; r < rowCount; r++) {
                        int code = in.getInt();
                        rows[r][c] = code < 0 ? null : levels[code];
                    }
                }
            }
        }
        // in the order of the table: y, t, region
        List<Object[]> out = new ArrayList<>();
        for (Object[] row : rows) {
            out.add(new Object[]{row[0], row[1], row[2]});
        }
        return out;
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("a stored level is not UTF-8", e);
        }
    }

    static boolean isUtf8(byte[] body) {
        try {
            strictUtf8(body);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** The index, moved forward off a UTF-8 continuation byte so that a splice never cuts a valid character. */
    private static int characterBoundary(byte[] body, int at) {
        while (at < body.length && (body[at] & 0xC0) == 0x80) {
            at++;
        }
        return at;
    }

    private static byte[] splice(byte[] body, int at, byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(body, 0, at);
        out.writeBytes(bytes);
        out.write(body, at, body.length - at);
        return out.toByteArray();
    }
}
