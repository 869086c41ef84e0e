package io.counterfact.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The public HTTP API, called on a service directly (internal token) or through the gateway (API key). */
public final class Api {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final String authorization;

    public Api(String authorization) {
        this.authorization = authorization;
    }

    public record Reply(int status, JsonNode body, String text, Map<String, List<String>> headers) {
        public Reply expect(int expected) {
            if (status != expected) {
                throw new AssertionError("expected HTTP " + expected + " but got " + status + ": " + text);
            }
            return this;
        }
    }

    public Reply get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    public Reply postJson(String url, String body) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    public Reply post(String url, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.header("Authorization", authorization)
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode body = null;
            String text = r.body();
            if (text != null && !text.isBlank() && (text.startsWith("{") || text.startsWith("["))) {
                try {
                    body = JSON.readTree(text);
                } catch (IOException e) {
                    body = null;
                }
            }
            return new Reply(r.statusCode(), body, text, r.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- flows -------------------------------------------------------------------------------------------------

    /** Registers a dataset, appends the CSV and seals version 1 through ingestion ({@code base}: service or gateway). */
    public String uploadDataset(String base, String name, Map<String, String> columns, byte[] csv) {
        ObjectNode req = JSON.createObjectNode().put("name", name);
        var cols = req.putArray("columns");
        columns.forEach((c, type) -> cols.addObject().put("name", c).put("type", type));
        String id = postJson(base + "/api/datasets", req.toString()).expect(201).body().get("id").asText();
        post(base + "/api/datasets/" + id + "/rows", "text/csv", csv).expect(200);
        post(base + "/api/datasets/" + id + "/versions", "application/json", new byte[0]).expect(201);
        return id;
    }

    /** Waits until estimation-service ({@code estimationBase}) has the version's replica READY. */
    public void awaitReplicaReady(String estimationBase, String datasetId, int version, Duration timeout) {
        String url = estimationBase + "/api/replica/datasets/" + datasetId + "/versions/" + version;
        String[] last = {""};
        Waits.until(timeout, Duration.ofMillis(250), () -> {
            Reply r = get(url);
            last[0] = r.status() + " " + r.text();
            return r.status() == 200 && "READY".equals(r.body().path("status").asText());
        }, () -> "replica of " + datasetId + " v" + version + " READY; last answer " + last[0]);
    }

    /** POST /api/estimations; @return the estimation id (202 expected) */
    public String submit(String base, JsonNode request) {
        Reply r = postJson(base + "/api/estimations", request.toString()).expect(202);
        return r.body().get("id").asText();
    }

    public JsonNode estimation(String base, String id) {
        Reply r = get(base + "/api/estimations/" + id);
        return r.status() == 200 ? r.body() : null;
    }
}
