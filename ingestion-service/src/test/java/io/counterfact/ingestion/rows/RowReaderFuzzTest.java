package io.counterfact.ingestion.rows;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.counterfact.common.chunks.RowGroupBuilder;
import io.counterfact.common.http.ProblemException;
import io.counterfact.ingestion.dataset.ColumnSpec;
import io.counterfact.ingestion.dataset.Schema;
import io.counterfact.infra.Fuzz;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

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
import java.util.Random;
import java.util.stream.Stream;

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

    static final long SEED = 20261207L;

    /** A body and the reader to read it with. */
    record Body(byte[] bytes, Format format) {
        @Override
        public String toString() {
            return format + " body of " + Fuzz.base64(bytes);
        }
    }

    /** A valid table, the invalid bytes spliced into it and where (a fraction of its length). */
    record Spliced(List<Object[]> table, Format format, byte[] bad, double where) {
        @Override
        public String toString() {
            byte[] good = render(format, table, false);
            return format + " table " + describe(table) + " with " + Fuzz.base64(bad) + " spliced at " + where
                    + ": " + Fuzz.base64(splice(good, characterBoundary(good, (int) (where * good.length)), bad));
        }
    }

    /** A valid table, rendered with or without a byte order mark. */
    record Table(List<Object[]> table, Format format, boolean byteOrderMark) {
        @Override
        public String toString() {
            return format + (byteOrderMark ? " with BOM " : " ") + "table " + describe(table) + ": "
                    + Fuzz.base64(render(format, table, byteOrderMark));
        }
    }

    @TestFactory
    Stream<DynamicTest> anyBodyIsAcceptedOrRejectedWithA400() {
        return Fuzz.tries("anyBodyIsAcceptedOrRejectedWithA400", 400, SEED,
                r -> new Body(bodies(r), format(r)), Body::toString, b -> {
                    byte[] body = b.bytes();
                    Outcome outcome = read(b.format(), body);
                    if (outcome.rejected() != null) {
                        assertEquals(400, outcome.rejected().status());
                        assertNotNull(outcome.rejected().getMessage());
                        assertTrue(outcome.rejected().faults().size() <= RowFaults.LIMIT);
                    } else {
                        assertTrue(isUtf8(body), "accepted a body that is not UTF-8");
                        assertTrue(outcome.rows().size() > 0);
                    }
                });
    }

    @TestFactory
    Stream<DynamicTest> invalidUtf8IsAlwaysRejectedSayingSo() {
        return Fuzz.tries("invalidUtf8IsAlwaysRejectedSayingSo", 300, SEED + 1,
                r -> new Spliced(validTable(r), format(r), invalidUtf8(r), Fuzz.fraction(r)), Spliced::toString, s -> {
                    byte[] good = render(s.format(), s.table(), false);
                    byte[] body = splice(good, characterBoundary(good, (int) (s.where() * good.length)), s.bad());
                    Outcome outcome = read(s.format(), body);
                    assertNotNull(outcome.rejected(), "accepted a body that is not UTF-8");
                    // a valid table has no other fault, wherever the bad bytes went (header, name, value, between
                    // rows, the end)
                    assertTrue(outcome.rejected().getMessage().contains("not valid UTF-8"),
                            () -> "unexpected fault: " + outcome.rejected().getMessage());
                });
    }

    @TestFactory
    Stream<DynamicTest> validTablesRoundTripExactly() {
        return Fuzz.tries("validTablesRoundTripExactly", 300, SEED + 2,
                r -> new Table(validTable(r), format(r), r.nextBoolean()), Table::toString, t -> {
                    List<Object[]> table = t.table();
                    Outcome outcome = read(t.format(), render(t.format(), table, t.byteOrderMark()));
                    if (outcome.rejected() != null) {
                        fail("rejected a valid table: " + outcome.rejected().getMessage());
                    }
                    assertEquals(table.size(), outcome.rows().size());
                    for (int i = 0; i < table.size(); i++) {
                        assertArrayEquals(table.get(i), outcome.rows().get(i), "row " + (i + 1));
                    }
                });
    }

    // ---- generators ----

    public static Format format(Random random) {
        return Fuzz.oneOf(random, Format.values());
    }

    private static final List<byte[]> INVALID_UTF8 = List.of(
            new byte[]{(byte) 0x80}, new byte[]{(byte) 0xFF}, new byte[]{(byte) 0xC3, 0x28},
            new byte[]{(byte) 0xC0, (byte) 0xAF}, new byte[]{(byte) 0xC0, (byte) 0x80},           // overlong
            new byte[]{(byte) 0xE0, (byte) 0x80, (byte) 0xAF},                                      // overlong
            new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80},                                      // CESU
            new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80},
            new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},                         // > U+10FFFF
            new byte[]{(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            new byte[]{(byte) 0xE2, (byte) 0x82}, new byte[]{(byte) 0xF0, (byte) 0x9F, (byte) 0x98}); // truncated

    static byte[] invalidUtf8(Random random) {
        return Fuzz.oneOf(random, INVALID_UTF8).clone();
    }

    private static final double[] Y_EDGES = {Double.MAX_VALUE, -Double.MIN_VALUE, 0.0, 1e-300, 1e300};

    /** Finite numbers, binaries, any Unicode text (quotes, commas, new lines, emoji); a fifth of values missing. */
    static List<Object[]> validTable(Random random) {
        int rows = Fuzz.size(random, 1, 40);
        List<Object[]> table = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            double y = switch (random.nextInt(3)) {
                case 0 -> Fuzz.finiteDouble(random);
                case 1 -> Y_EDGES[random.nextInt(Y_EDGES.length)];
                default -> Double.NaN;
            };
            int t = Fuzz.oneOf(random, 0, 1, -1);
            String region = switch (random.nextInt(5)) {
                case 0 -> Fuzz.charRange(random, 'a', 'e', 1, 3);
                case 1 -> anyText(random);
                case 2 -> Fuzz.chars(random, ",\"\n\r \t;{}[]:\\", 1, 6);
                case 3 -> "\uD83D\uDE00 \u65E5\u672C";
                default -> null;
            };
            table.add(new Object[]{y, t, region});
        }
        return table;
    }

    /** Any Unicode text of 1 to 30 chars that a value may hold (no NUL, no lone surrogate), other than NA. */
    private static String anyText(Random random) {
        while (true) {
            String s = Fuzz.anyChars(random, 1, 30);
            if (Values.textFault(s) == null && !"NA".equals(s)) {
                return s;
            }
        }
    }

    /** Valid bodies, mutated; and bytes from nowhere. */
    public static byte[] bodies(Random random) {
        return switch (Fuzz.weighted(random, 5, 2, 1, 2)) {
            case 0 -> {
                byte[] out = validBody(random);
                for (int m = Fuzz.size(random, 1, 5); m > 0; m--) {
                    out = mutate(out, Fuzz.between(random, 0, 3), Fuzz.fraction(random), mutation(random));
                }
                yield out;
            }
            case 1 -> validBody(random);
            case 2 -> Fuzz.bytes(random, 0, 300);
            default -> Fuzz.chars(random, "y,t,region\"{}:\n\r 01.-eNaInfy\uFEFF\\", 0, 300)
                    .getBytes(StandardCharsets.UTF_8);
        };
    }

    private static byte[] validBody(Random random) {
        return render(format(random), validTable(random), random.nextBoolean());
    }

    private static final List<String> TOKENS = List.of("\"", "\n", "\r\n", ",", "\uFEFF", "{", "}", "[1]", "null",
            "true", "NA", "", " ", "1e999", "-1e-999", "NaN", "Infinity", "-Infinity", "0x1p3", "1d",
            "99999999999999999999999", "\\u0000", "\\ud800", "\u0000", "\"y\": 1, ", "y,y", ",,,,", "\"\"", "\\");

    /** What a mutation inserts or replaces with (or, as a length, deletes). */
    private static byte[] mutation(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> invalidUtf8(random);
            case 1 -> Fuzz.oneOf(random, TOKENS).getBytes(StandardCharsets.UTF_8);
            case 2 -> "9".repeat(Fuzz.size(random, 1, 200_000)).getBytes(StandardCharsets.UTF_8);
            case 3 -> ("\"" + "x".repeat(Fuzz.size(random, 1, 100_000))).getBytes(StandardCharsets.UTF_8);
            default -> Fuzz.bytes(random, 1, 8);
        };
    }

    static String describe(List<Object[]> table) {
        StringBuilder out = new StringBuilder("[");
        for (Object[] row : table) {
            out.append(java.util.Arrays.toString(row));
        }
        return out.append(']').toString();
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
