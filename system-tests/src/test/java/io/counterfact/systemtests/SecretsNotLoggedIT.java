package io.counterfact.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API keys and secrets never reach a log. The whole suite (the gateway included) runs with API keys and an internal
 * secret made up for this run; a session of ordinary and hostile calls goes through the gateway and straight to the
 * services (a right key, a wrong one that differs in one character, a viewer's write, a forged internal token, bad
 * input, an estimation run to the end); then every process's log is searched for the keys, the secret and any
 * internal token the gateway issued.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsNotLoggedIT {

    static final Duration START = Duration.ofMinutes(3);

    final String analystKey = "ak-" + random();
    final String viewerKey = "vk-" + random();
    Suite suite;
    ServiceProcess gateway;
    ServiceProcess ingestion;

    @BeforeAll
    void startSuite() {
        Path root = Suite.rootFromEnvironment();
        Path work = Path.of(System.getProperty("counterfact.work", root.resolve("system-tests/target/system-tests").toString()))
                .resolve("secrets-" + System.currentTimeMillis());
        suite = Suite.start(root, work);
        try {
            ingestion = suite.start(Suite.Spec.of("ingestion-service", "ingestion-service").jvmArgs(FAST_START));
            ServiceProcess estimation = suite.start(Suite.Spec.of("estimation-service", "estimation-service").jvmArgs(FAST_START));
            ServiceProcess query = suite.start(Suite.Spec.of("query-service", "query-service").jvmArgs(FAST_START));
            ingestion.awaitReady(START);
            estimation.awaitReady(START);
            query.awaitReady(START);
            gateway = suite.start(Suite.Spec.gateway(ingestion, estimation, query).jvmArgs(FAST_START)
                    .env("COUNTERFACT_TOKEN", analystKey).env("COUNTERFACT_VIEWER_TOKEN", viewerKey));
            gateway.awaitReady(START);
        } catch (RuntimeException | AssertionError e) {
            System.err.println("the suite did not start:" + suite.tails(60));
            throw e;
        }
    }

    @AfterAll
    void stopSuite() {
        if (suite != null) {
            suite.close();
        }
    }

    static final String[] FAST_START = {"-XX:TieredStopAtLevel=1"};

    @Test
    void noKeySecretOrInternalTokenAppearsInAnyLog() {
        String base = gateway.baseUrl();
        Api analyst = new Api("Bearer " + analystKey);
        String datasetId = analyst.uploadDataset(base, "secrets check", SyntheticData.columns(), SyntheticData.csv(400, 3));
        ObjectNode request = Api.JSON.createObjectNode().put("datasetId", datasetId).put("version", 1)
                .put("method", "difference-in-means").put("treatment", "treat").put("outcome", "y");
        String id = awaitAccepted(analyst, base, request);
        Waits.until(Duration.ofMinutes(2), Duration.ofMillis(250), () -> {
            JsonNode e = analyst.estimation(base, id);
            return e != null && "SUCCEEDED".equals(e.path("status").asText());
        }, () -> "estimation " + id + " SUCCEEDED");

        // hostile and mistaken calls: each is refused, and none may write its credential into a log
        new Api("Bearer " + analystKey.substring(0, analystKey.length() - 1) + "x").get(base + "/api/views/datasets").expect(401);
        new Api("Bearer " + viewerKey).postJson(base + "/api/datasets", "{\"name\":\"x\",\"columns\":[]}").expect(403);
        analyst.postJson(base + "/api/estimations", "{\"datasetId\": " + "\"" + datasetId + "\", \"method\": 7}").expect(400);
        new Api("Bearer cf1.e30.AAAA").get(ingestion.baseUrl() + "/api/datasets/" + datasetId).expect(401);
        new Api("Bearer " + analystKey).get(ingestion.baseUrl() + "/api/datasets/" + datasetId).expect(401);

        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("the analyst API key", analystKey);
        secrets.put("the viewer API key", viewerKey);
        secrets.put("the wrong API key's distinctive part", analystKey.substring(3, analystKey.length() - 1));
        secrets.put("the internal secret", suite.internalSecret());
        secrets.put("an internal token", "cf1.");
        List<String> found = new ArrayList<>();
        long logged = 0;
        for (ServiceProcess p : suite.processes()) {
            String log = p.logText();
            logged += log.length();
            secrets.forEach((what, value) -> {
                if (log.contains(value)) {
                    found.add(what + " in the log of " + p.name());
                }
            });
        }
        assertTrue(logged > 1000, "the services logged something to search (" + logged + " characters)");
        assertEquals(List.of(), found);
    }

    /** POST until 202: a version sealed a moment ago may still be loading into the replica (503 Retry-After). */
    private static String awaitAccepted(Api api, String base, JsonNode request) {
        String[] id = {null};
        Waits.until(Duration.ofMinutes(1), Duration.ofMillis(250), () -> {
            Api.Reply r = api.postJson(base + "/api/estimations", request.toString());
            if (r.status() == 202) {
                id[0] = r.body().path("id").asText();
            }
            return id[0] != null;
        }, () -> "estimation accepted");
        return id[0];
    }

    private static String random() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
