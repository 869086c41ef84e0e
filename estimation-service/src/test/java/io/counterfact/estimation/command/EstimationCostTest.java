package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.events.EventSchemas;
import io.counterfact.common.events.EventTypes;
import io.counterfact.common.events.Topics;
import io.counterfact.estimation.replica.ReplicaStore;
import io.counterfact.estimation.replica.ReplicaVersion;
import io.counterfact.estimation.replica.Seed;
import io.counterfact.infra.Sql;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 24 on the real broker and database: the cost of a command at POST ({@code estimatedSeconds} in the 202, the
 * command side's GET and the Accepted event), the limits (400 naming the option or the column, the limit and the
 * estimate) and a command that runs out of memory (FAILED at its first start, not redelivered, the worker alive).
 */
@QuarkusTest
class EstimationCostTest {

    static final Duration PATIENCE = Duration.ofSeconds(120);
    private static String nsw;
    private static String stores;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectMapper json;

    @Inject
    ReplicaStore replica;

    @Inject
    DataSource dataSource;

    @BeforeEach
    void seed() throws Exception {
        synchronized (EstimationCostTest.class) {
            ObjectMapper seedJson = new ObjectMapper().registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                    .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
            if (nsw == null) {
                String ds = Seed.csv(seedJson, bootstrap, "/reference/lalonde_nsw_exp.csv", Seed.NSW_BINARY);
                awaitReady(ds);
                nsw = ds;
            }
            if (stores == null) {
                // the issue's case: one categorical covariate of 5,000 levels on 20,000 rows
                String ds = Seed.manyLevels(seedJson, bootstrap, 20_000, 5_000, 24);
                awaitReady(ds);
                stores = ds;
            }
        }
    }

    private void awaitReady(String ds) {
        await().atMost(PATIENCE).until(() -> replica.find(ds, 1).map(v -> v.status() == ReplicaVersion.Status.READY)
                .orElse(false));
    }

    private ObjectNode request(String ds, String method, String treatment, String outcome, String... covariates) {
        ObjectNode body = json.createObjectNode().put("datasetId", ds).put("version", 1).put("method", method)
                .put("treatment", treatment).put("outcome", outcome);
        for (String c : covariates) {
            body.withArray("covariates").add(c);
        }
        return body;
    }

    private ObjectNode aipw() {
        return request(nsw, "aipw", "treat", "re78", "age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75");
    }

    private Response post(ObjectNode body) {
        return given().header("Authorization", TestTokens.analyst()).contentType("application/json").body(body.toString())
                .when().post("/api/estimations");
    }

    private JsonNode get(String id) throws Exception {
        return json.readTree(given().header("Authorization", TestTokens.viewer()).when().get("/api/estimations/{id}", id)
                .then().statusCode(200).extract().asString());
    }

    private JsonNode awaitTerminal(String id) throws Exception {
        JsonNode[] last = new JsonNode[1];
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = get(id);
            String status = last[0].get("status").asText();
            return status.equals("SUCCEEDED") || status.equals("FAILED");
        });
        return last[0];
    }

    private JsonNode problem(ObjectNode body) throws Exception {
        Response r = post(body);
        assertEquals(400, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        return json.readTree(r.asString());
    }

    @Test
    void theCostIsIn202TheCommandSidesAnswerAndTheAcceptedEventAndGrowsWithTheWork() throws Exception {
        Response r = post(aipw());
        r.then().statusCode(202);
        JsonNode accepted = json.readTree(r.asString());
        assertEquals(List.of("id", "status", "estimatedSeconds"), fieldNames(accepted));
        double seconds = accepted.get("estimatedSeconds").asDouble();
        assertTrue(seconds > 0 && seconds < 5, "445-row aipw: " + seconds);
        String id = accepted.get("id").asText();

        ObjectNode heavier = aipw();
        heavier.putObject("options").putObject("bootstrap").put("replicates", 2000);
        JsonNode bootstrapped = json.readTree(post(heavier).then().statusCode(202).extract().asString());
        assertTrue(bootstrapped.get("estimatedSeconds").asDouble() > 50 * seconds,
                "2,000 replicates: " + bootstrapped + " against " + seconds);

        JsonNode done = awaitTerminal(id);
        assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
        assertEquals(seconds, done.get("estimatedSeconds").asDouble(), "the command side's answer keeps it");

        JsonNode event = envelopes(Topics.ESTIMATION_EVENTS, id).stream()
                .filter(e -> e.get("type").asText().equals(EventTypes.ESTIMATION_ACCEPTED)).findFirst().orElseThrow();
        assertEquals(List.of(), EventSchemas.violations(event), event.toString());
        assertEquals(seconds, event.get("data").get("estimatedSeconds").asDouble(), event.toString());
    }

    @Test
    void aHundredThousandBootstrapReplicatesAreRefusedNamingTheOptionAndTheLimit() throws Exception {
        ObjectNode body = aipw();
        body.putObject("options").putObject("bootstrap").put("replicates", 100_000);
        JsonNode p = problem(body);
        assertTrue(p.get("detail").asText().startsWith(
                "options.bootstrap.replicates: 100000 is more than the limit of 10000"), p.toString());
        assertEquals("options.bootstrap.replicates", p.get("errors").get(0).get("field").asText(), p.toString());

        body.putObject("options").putObject("bootstrap").put("replicates", 10_000); // at the limit: accepted
        post(body).then().statusCode(202);
    }

    @Test
    void theIssuesFiveThousandLevelRegressionIsRefusedAtPostNamingTheColumnNotRunToAnOutOfMemoryError() throws Exception {
        assertEquals(Map.of("store", 5000), replica.levels(replica.find(stores, 1).orElseThrow()),
                "the levels counted when the version became READY");
        int before = (int) Sql.count(dataSource, "SELECT count(*) FROM estimation WHERE dataset_id = ?", stores);
        JsonNode p = problem(request(stores, "regression", "t", "y", "x", "store"));
        String detail = p.get("detail").asText();
        assertTrue(detail.startsWith("covariates[1]: covariate 'store' has 5,000 levels: its one-hot design (20,000 rows "
                + "x 4,999 columns) would need 800 MB"), detail);
        assertTrue(detail.matches(".*more than the \\d+ (MB|kB) a command may use here.*"), detail);
        assertEquals("covariates[1]", p.get("errors").get(0).get("field").asText());
        assertEquals(before, Sql.count(dataSource, "SELECT count(*) FROM estimation WHERE dataset_id = ?", stores),
                "nothing stored, nothing queued");
        // the same data without the many-level covariate is fine
        JsonNode ok = json.readTree(post(request(stores, "regression", "t", "y", "x")).then().statusCode(202)
                .extract().asString());
        assertEquals("SUCCEEDED", awaitTerminal(ok.get("id").asText()).get("status").asText());
    }

    @Test
    void aCommandThatRunsOutOfMemoryEndsFailedAtItsFirstStartInWordsAndTheWorkerGoesOn() throws Exception {
        String id = post(request(nsw, HeapHungryEngine.METHOD, "treat", "re78")).then().statusCode(202)
                .extract().path("id");
        JsonNode done = awaitTerminal(id);
        assertEquals("FAILED", done.get("status").asText(), done.toString());
        String error = done.get("error").asText();
        assertTrue(error.startsWith("The estimation needed more memory than a worker has"), error);
        assertFalse(error.contains("OutOfMemoryError") || error.contains("java."), "in words: " + error);
        assertEquals(1, Sql.count(dataSource, "SELECT attempts FROM estimation WHERE id = ?", id), "its first start");

        List<JsonNode> events = envelopes(Topics.ESTIMATION_EVENTS, id);
        List<JsonNode> failed = events.stream().filter(e -> e.get("type").asText().equals(EventTypes.ESTIMATION_FAILED)).toList();
        assertEquals(1, failed.size(), events.toString());
        assertFalse(failed.get(0).get("data").get("poison").asBoolean());
        assertEquals(0, recordsUpToNow(Topics.dlq(Topics.ESTIMATION_COMMANDS), id), "not a dead letter");

        // the worker is alive and runs the next command; the failed one is not run again
        String next = post(aipw()).then().statusCode(202).extract().path("id");
        assertEquals("SUCCEEDED", awaitTerminal(next).get("status").asText());
        assertEquals(1, Sql.count(dataSource, "SELECT attempts FROM estimation WHERE id = ?", id), "not redelivered");
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The envelopes of {@code key} on {@code topic} from the beginning to the current end (waits up to 30 s for one). */
    private List<JsonNode> envelopes(String topic, String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<JsonNode> out = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : upToNow(topic, key)) {
                out.add(json.readTree(r.value()));
            }
            if (!out.isEmpty() || System.nanoTime() > deadline) {
                return out;
            }
            Thread.sleep(300);
        }
    }

    private int recordsUpToNow(String topic, String key) {
        return upToNow(topic, key).size();
    }

    private List<ConsumerRecord<String, byte[]>> upToNow(String topic, String key) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (key.equals(r.key())) {
                        out.add(r);
                    }
                }
            }
            return out;
        }
    }
}
