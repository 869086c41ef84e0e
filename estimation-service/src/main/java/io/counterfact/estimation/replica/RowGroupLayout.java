package io.counterfact.estimation.replica;

import io.counterfact.common.chunks.RowGroupBuilder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The shape of an encoded row group (common/EVENTS.md), found by walking it once without decoding it into arrays:
 * its row count and column types, after checking that every length, type, binary value and categorical code is in
 * range and that the encoding ends exactly where the bytes do. A row group that passes can be decoded safely.
 */
public record RowGroupLayout(int rows, String columnTypes) {

    /** The letter of each type in {@link #columnTypes()}, indexed by the encoding's type byte. */
    static final char[] TYPE_LETTERS = {'n', 'b', 'c'};
    static final int MAX_COLUMNS = 100_000;

    /** @throws PoisonRecordException naming what is wrong */
    public static RowGroupLayout read(byte[] payload) {
        if (payload == null || payload.length < 12) {
            throw new PoisonRecordException("row group is " + (payload == null ? "empty" : payload.length + " bytes")
                    + ", shorter than its 12-byte header");
        }
        ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt() != RowGroupBuilder.MAGIC) {
            throw new PoisonRecordException("not a counterfact row group (bad magic)");
        }
        int rows = in.getInt();
        int columns = in.getInt();
        if (rows < 1) {
            throw new PoisonRecordException("row group declares " + rows + " rows");
        }
        if (columns < 1 || columns > MAX_COLUMNS) {
            throw new PoisonRecordException("row group declares " + columns + " columns");
        }
        StringBuilder types = new StringBuilder(columns);
        for (int c = 0; c < columns; c++) {
            need(in, 1, c);
            int type = in.get();
            if (type < 0 || type >= TYPE_LETTERS.length) {
                throw new PoisonRecordException("column " + c + " has unknown type " + type);
            }
            types.append(TYPE_LETTERS[type]);
            switch (type) {
                case 0 -> skip(in, 8L * rows, c);
                case 1 -> {
                    need(in, rows, c);
                    for (int r = 0; r < rows; r++) {
                        byte b = in.get();
                        if (b < -1 || b > 1) {
                            throw new PoisonRecordException("binary column " + c + " has value " + b + " in row " + r);
                        }
                    }
                }
                default -> {
                    need(in, 4, c);
                    int levels = in.getInt();
                    if (levels < 0) {
                        throw new PoisonRecordException("categorical column " + c + " declares " + levels + " levels");
                    }
                    for (int l = 0; l < levels; l++) {
                        need(in, 4, c);
                        int length = in.getInt();
                        if (length < 0) {
                            throw new PoisonRecordException("categorical column " + c + " level " + l + " has length " + length);
                        }
                        skip(in, length, c);
                    }
                    need(in, 4L * rows, c);
                    for (int r = 0; r < rows; r++) {
                        int code = in.getInt();
                        if (code < -1 || code >= levels) {
                            throw new PoisonRecordException("categorical column " + c + " has code " + code + " in row " + r
                                    + " but " + levels + " levels");
                        }
                    }
                }
            }
        }
        if (in.hasRemaining()) {
            throw new PoisonRecordException(in.remaining() + " bytes follow the last column");
        }
        return new RowGroupLayout(rows, types.toString());
    }

    /** The {@link #columnTypes()} signature a row group of these columns must have ({@code numeric} → n, ...). */
    public static String signature(List<ReplicaVersion.ColumnInfo> columns) {
        StringBuilder s = new StringBuilder(columns.size());
        for (ReplicaVersion.ColumnInfo c : columns) {
            s.append(switch (c.type()) {
                case "numeric" -> 'n';
                case "binary" -> 'b';
                case "categorical" -> 'c';
                default -> '?';
            });
        }
        return s.toString();
    }

    private static void need(ByteBuffer in, long bytes, int column) {
        if (in.remaining() < bytes) {
            throw new PoisonRecordException("row group ends inside column " + column);
        }
    }

    private static void skip(ByteBuffer in, long bytes, int column) {
        need(in, bytes, column);
        in.position(in.position() + (int) bytes);
    }
}
