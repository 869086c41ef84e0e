package io.counterfact.common.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LimitedInputStreamTest {

    @Test
    void aBodyUpToTheLimitReadsWholeAndOnePastItThrowsTheRoutesProblem() throws IOException {
        InputStream exact = new LimitedInputStream(new ByteArrayInputStream(new byte[1000]), 1000,
                () -> BodyTooLargeException.read(1000));
        assertEquals(1000, exact.readAllBytes().length);

        InputStream over = new LimitedInputStream(new ByteArrayInputStream(new byte[1001]), 1000,
                () -> BodyTooLargeException.read(1000));
        BodyTooLargeException e = assertThrows(BodyTooLargeException.class, over::readAllBytes);
        assertEquals(413, e.status());
        assertEquals("request body exceeds this route's limit of 1000 bytes (1000 bytes); it was refused as soon as "
                + "the limit was passed and nothing of it is stored", e.getMessage());
    }

    /** Closing Quarkus' request stream would read the rest of a refused body: past the limit it is not closed. */
    @Test
    void aStreamClosedPastItsLimitLeavesTheBodyUnread() throws IOException {
        boolean[] closed = {false};
        InputStream body = new ByteArrayInputStream(new byte[10]) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        InputStream limited = new LimitedInputStream(body, 4, () -> BodyTooLargeException.read(4));
        assertThrows(BodyTooLargeException.class, limited::readAllBytes);
        limited.close();
        assertEquals(false, closed[0]);
        InputStream within = new LimitedInputStream(body, 100, () -> BodyTooLargeException.read(100));
        within.close();
        assertEquals(true, closed[0]);
    }

    @Test
    void byteByByteReadsAreCountedToo() throws IOException {
        InputStream over = new LimitedInputStream(new ByteArrayInputStream(new byte[3]), 2,
                () -> BodyTooLargeException.read(2));
        over.read();
        over.read();
        assertThrows(BodyTooLargeException.class, over::read);
    }

    @Test
    void limitsAreDescribedInBytesAndBinaryUnits() {
        assertEquals("1048576 bytes (1 MiB)", BodyLimits.describe(1024 * 1024));
        assertEquals("2147483648 bytes (2 GiB)", BodyLimits.describe(2L * 1024 * 1024 * 1024));
        assertEquals("1572864 bytes (1.5 MiB)", BodyLimits.describe(1536 * 1024));
    }
}
