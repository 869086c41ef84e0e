package io.counterfact.gateway;

import io.counterfact.gateway.support.FakeService;
import io.counterfact.gateway.support.FakeServicePorts;
import io.counterfact.gateway.support.GatewayTestBase;
import io.counterfact.gateway.support.GeneratedBody;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 300 MB upload, generated on the fly by the client, streamed through the gateway to a fake service that counts
 * and hashes it without keeping it. The test JVM (client, gateway and service together) runs with a heap smaller
 * than the body (surefire's -Xmx256m), so a body held in memory anywhere would fail with OutOfMemoryError; the heap
 * in use is sampled during the upload and reported.
 */
@QuarkusTest
@WithTestResource(FakeServicePorts.class)
class LargeUploadTest extends GatewayTestBase {

    static final long SIZE = 300_000_000L;
    static final long MIB = 1024 * 1024;

    @Test
    void a300MegabyteUploadReachesTheServiceIntactWhileTheHeapStaysSmall() throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        assertTrue(maxHeap < SIZE, "the test is only meaningful with a heap smaller than the body: " + maxHeap);
        System.gc();
        long baseline = heapUsed();
        AtomicLong peak = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(heapUsed(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();

        GeneratedBody body = new GeneratedBody(SIZE, 42);
        long start = System.nanoTime();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gatewayUrl() + "/api/datasets/ds-big/rows"))
                .header("Authorization", "Bearer " + ANALYST_KEY)
                .header("Content-Type", "text/csv")
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), SIZE))
                .build(), HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - start) / 1e9;
        sampling.set(false);
        sampler.join();
        long oldGenAfterGc = oldGenUsedAfterLastGc();

        assertEquals(200, response.statusCode(), response.body());
        FakeService.Received received = services.ingestion.single();
        assertTrue(received.completed());
        assertEquals(SIZE, received.bytes());
        assertEquals(body.sha256(), received.sha256());
        assertEquals(SIZE, new JsonPath(response.body()).getLong("bytes"));
        assertEquals(SIZE, Long.parseLong(received.headers().get("Content-Length")), "sent with its length, not re-chunked");

        System.out.printf("LARGE UPLOAD: %d MB in %.1f s (%.0f MB/s); max heap %d MiB; heap used before %d MiB, "
                        + "peak during %d MiB; old generation after last GC %d MiB%n", SIZE / 1_000_000, seconds,
                SIZE / 1e6 / seconds, maxHeap / MIB, baseline / MIB, peak.get() / MIB, oldGenAfterGc / MIB);
        assertTrue(oldGenAfterGc < 128 * MIB, "memory retained across GCs grew to " + oldGenAfterGc / MIB + " MiB");
    }

    @Test
    void a200MegabyteDownloadStreamsBackToTheClientIntact() throws Exception {
        long size = 200_000_000L;
        GeneratedBody generated = new GeneratedBody(size, 99);
        services.query.answer((request, received) -> {
            HttpServerResponse response = request.response().setChunked(true).putHeader("Content-Type", "text/csv");
            byte[] chunk = new byte[64 * 1024];
            Runnable pump = new Runnable() {
                @Override
                public void run() {
                    while (!response.writeQueueFull()) {
                        int n = generated.read(chunk, 0, chunk.length);
                        if (n < 0) {
                            response.end();
                            return;
                        }
                        response.write(Buffer.buffer(n == chunk.length ? chunk.clone() : java.util.Arrays.copyOf(chunk, n)));
                    }
                    response.drainHandler(v -> run());
                }
            };
            pump.run();
        });
        System.gc();
        AtomicLong peak = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(heapUsed(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long start = System.nanoTime();
        HttpResponse<InputStream> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(URI.create(gatewayUrl() + "/api/views/datasets/ds-big/export"))
                        .header("Authorization", "Bearer " + VIEWER_KEY).timeout(Duration.ofMinutes(5)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long count = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
                count += n;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        sampling.set(false);
        sampler.join();
        assertEquals(size, count);
        assertEquals(generated.sha256(), HexFormat.of().formatHex(sha.digest()));
        System.out.printf("LARGE DOWNLOAD: %d MB in %.1f s; heap peak %d MiB; old generation after last GC %d MiB%n",
                size / 1_000_000, seconds, peak.get() / MIB, oldGenUsedAfterLastGc() / MIB);
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long oldGenUsedAfterLastGc() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null
                    && (pool.getName().contains("Old") || pool.getName().contains("Tenured"))) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }
}
