package io.counterfact.query.consumer;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** RFC 3339 date-times of events to {@link Instant}s and to what JDBC binds to {@code timestamptz}. */
public final class Instants {

    private Instants() {
    }

    /** @throws PoisonEventException if the value is not an RFC 3339 date-time */
    public static Instant parse(String field, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new PoisonEventException("'" + field + "' is not an RFC 3339 date-time: " + value);
        }
    }

    /** Truncated to the microsecond, which is what PostgreSQL keeps (it would round instead). */
    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }
}
