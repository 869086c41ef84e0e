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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /api/estimations → command → worker → result, against the real broker and database, on the NSW sample. */
@QuarkusTest
class EstimationCommandTest {

    static final Duration PATIENCE = Duration.ofSeconds(120);
    static final List<String> COVARIATES = List.of("age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75");
    private static String nsw;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "counterfact.estimation.replica-wait")
    Duration replicaWait;

    @Inject
    ObjectMapper json;

    @Inject
    ReplicaStore replica;

    @Inject
    DataSource dataSource;

    @BeforeEach
    void seedNsw() throws Exception {
        synchronized (EstimationCommandTest.class) {
            if (nsw == null) {
                String ds = Seed.csv(new ObjectMapper().registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                        .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS), bootstrap, "/reference/lalonde_nsw_exp.csv", Seed.NSW_BINARY);
                await().atMost(PATIENCE).until(() -> replica.find(ds, 1).map(v -> v.status() == ReplicaVersion.Status.READY)
                        .orElse(false));
                nsw = ds;
            }
        }
    }

    private ObjectNode aipw() {
        ObjectNode body = json.createObjectNode().put("datasetId", nsw).put("version", 1).put("method", "aipw")
                .put("estimand", "ATE").put("treatment", "treat").put("outcome", "re78");
        COVARIATES.forEach(body.putArray("covariates")::add);
        return body;
    }

    private Response post(Object body, String idempotencyKey) {
        var request = given().header("Authorization", TestTokens.analyst()).contentType("application/json").body(body.toString());
        if (idempotencyKey != null) {
            request = request.header("Idempotency-Key", idempotencyKey);
        }
        return request.when().post("/api/estimations");
    }

    private JsonNode awaitTerminal(String id) throws Exception {
        JsonNode[] last = new JsonNode[1];
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
            String s = given().header("Authorization", TestTokens.viewer()).when().get("/api/estimations/{id}", id)
                    .then().statusCode(200).extract().asString();
            last[0] = json.readTree(s);
            String status = last[0].get("status").asText();
            return status.equals("SUCCEEDED") || status.equals("FAILED");
        });
        return last[0];
    }

    @Test
    void aipwAteOnNswEqualsTheReferenceAndPublishesValidEventsOnce() throws Exception {
        Response r = post(aipw(), null);
        r.then().statusCode(202).header("Location", containsString("/api/estimations/est_"))
                .body("status", equalTo("QUEUED"));
        String id = r.jsonPath().getString("id");
        assertTrue(r.getHeader("Location").endsWith("/api/estimations/" + id), r.getHeader("Location"));

        JsonNode done = awaitTerminal(id);
        assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
        double reference = json.readTree(getClass().getResourceAsStream("/reference/lalonde_nsw_aipw_ref_R.json"))
                .get("aipw").get("ate").asDouble();
        double estimate = done.get("result").get("estimate").asDouble();
        assertTrue(Math.abs(estimate - reference) <= 1e-6 * Math.abs(reference),
                "aipw ATE " + estimate + " vs R " + reference);
        assertEquals("ATE", done.get("result").get("estimand").asText());
        assertEquals(445, done.get("result").get("n").asInt());
        assertEquals(aipw().put("version", 1).get("datasetId"), done.get("request").get("datasetId"));
        assertTrue(done.get("error").isNull());

        List<JsonNode> events = envelopes(Topics.ESTIMATION_EVENTS, id, e -> e.get("type").asText().equals(EventTypes.ESTIMATION_COMPLETED));
        List<String> types = events.stream().map(e -> e.get("type").asText()).toList();
        assertEquals(EventTypes.ESTIMATION_ACCEPTED, types.get(0), types.toString());
        assertTrue(types.contains(EventTypes.ESTIMATION_PROGRESS), types.toString());
        assertEquals(1, types.stream().filter(EventTypes.ESTIMATION_COMPLETED::equals).count(), types.toString());
        for (JsonNode e : events) {
            assertEquals(List.of(), EventSchemas.violations(e), e.toString());
            assertEquals(id, e.get("subject").asText());
        }
        JsonNode completed = events.stream().filter(e -> e.get("type").asText().equals(EventTypes.ESTIMATION_COMPLETED))
                .findFirst().orElseThrow();
        assertEquals(estimate, completed.get("data").get("result").get("estimate").asDouble());

        List<JsonNode> commands = envelopes(Topics.ESTIMATION_COMMANDS, id, e -> true);
        assertEquals(1, commands.size());
        assertEquals(EventTypes.ESTIMATION_RUN, commands.get(0).get("type").asText());
        assertEquals(List.of(), EventSchemas.violations(commands.get(0)));
    }

    @Test
    void theEventsContinueTheCallersTraceTheRunsOwnBeingAChildOfTheRequest() throws Exception {
        String caller = "00-5af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        String id = given().header("Authorization", TestTokens.analyst()).header("traceparent", caller)
                .contentType("application/json").body(aipw().toString()).when().post("/api/estimations")
                .then().statusCode(202).extract().path("id");
        assertEquals("SUCCEEDED", awaitTerminal(id).get("status").asText());
        List<JsonNode> events = envelopes(Topics.ESTIMATION_EVENTS, id,
                e -> e.get("type").asText().equals(EventTypes.ESTIMATION_COMPLETED));
        String accepted = traceparentOf(events, EventTypes.ESTIMATION_ACCEPTED);
        String completed = traceparentOf(events, EventTypes.ESTIMATION_COMPLETED);
        String command = envelopes(Topics.ESTIMATION_COMMANDS, id, e -> true).get(0).get("traceparent").asText();
        for (String traceparent : List.of(accepted, completed, command)) {
            assertTrue(traceparent.startsWith("00-5af7651916cd43dd8448eb211c80319c-"), "the caller's trace: " + traceparent);
            assertFalse(traceparent.contains("b7ad6b7169203331"), "a span of the service, not the caller's: " + traceparent);
        }
        assertEquals(command, accepted, "the command and its acceptance come from the request's span");
        assertNotEquals(accepted, completed, "the result comes from the run's own span");
    }

    private static String traceparentOf(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.get("type").asText().equals(type)).findFirst().orElseThrow()
                .get("traceparent").asText();
    }

    @Test
    void theSameIdempotencyKeyTwiceIsOneEstimationRunOnce() throws Exception {
        String key = "key-" + UUID.randomUUID();
        String first = post(aipw(), key).then().statusCode(202).extract().path("id");
        String second = post(aipw(), key).then().statusCode(202).extract().path("id");
        assertEquals(first, second);
        assertEquals(1, count("SELECT count(*) FROM estimation WHERE idempotency_key = ?", key));
        assertEquals("SUCCEEDED", awaitTerminal(first).get("status").asText());
        post(aipw(), key).then().statusCode(202).body("id", equalTo(first)).body("status", equalTo("SUCCEEDED"));
        assertEquals(1, count("SELECT count(*) FROM outbox WHERE record_key = ? AND event_type = ?", first,
                EventTypes.ESTIMATION_RUN));

        post(aipw().put("method", "ipw"), key).then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString(key));
    }

    @Test
    void aCommandDeliveredTwiceGivesOneResultAndOneCompletedEvent() throws Exception {
        String id = post(aipw(), null).then().statusCode(202).extract().path("id");
        JsonNode done = awaitTerminal(id);
        assertEquals("SUCCEEDED", done.get("status").asText());

        ConsumerRecord<String, byte[]> command = records(Topics.ESTIMATION_COMMANDS, id).get(0);
        RecordMetadata again;
        try (KafkaProducer<String, byte[]> producer = producer()) {
            again = producer.send(new ProducerRecord<>(Topics.ESTIMATION_COMMANDS, command.partition(), id, command.value())).get();
        }
        awaitConsumed(again); // the workers committed past the duplicate: they processed it

        JsonNode after = json.readTree(given().header("Authorization", TestTokens.viewer())
                .when().get("/api/estimations/{id}", id).then().statusCode(200).extract().asString());
        assertEquals(done, after, "the stored estimation is unchanged");
        assertEquals(1, count("SELECT count(*) FROM outbox WHERE record_key = ? AND event_type = ?", id,
                EventTypes.ESTIMATION_COMPLETED));
        assertEquals(1, envelopes(Topics.ESTIMATION_EVENTS, id, e -> e.get("type").asText().equals(EventTypes.ESTIMATION_COMPLETED))
                .stream().filter(e -> e.get("type").asText().equals(EventTypes.ESTIMATION_COMPLETED)).count());
    }

    @Test
    void queuedCommandsAreSpreadEvenlyOverThePartitionsInTheOrderTheyWereAccepted() throws Exception {
        int partitions = Topics.PARTITIONS.get(Topics.ESTIMATION_COMMANDS);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2 * partitions; i++) {
            ids.add(post(aipw().put("method", "ipw"), null).then().statusCode(202).extract().path("id"));
        }
        for (String id : ids) {
            assertEquals("SUCCEEDED", awaitTerminal(id).get("status").asText());
        }
        // the partition each worker took the command from, in the order the commands were accepted
        List<Integer> taken = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT e.command_partition FROM estimation e JOIN outbox o ON o.record_key = e.id AND o.topic = ? "
                        + "WHERE e.id = ANY (?) ORDER BY o.partition_slot")) {
            s.setString(1, Topics.ESTIMATION_COMMANDS);
            s.setArray(2, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    taken.add(rs.getInt(1));
                }
            }
        }
        assertEquals(ids.size(), taken.size());
        for (int i = 1; i < taken.size(); i++) {
            // hashing the ids would put some on one partition and none on another; here each partition gets its turn
            assertEquals((taken.get(i - 1) + 1) % partitions, taken.get(i), "consecutive partitions: " + taken);
        }
        // what the worker recorded is where the record is: the relay placed it, the key is still the estimation id
        ConsumerRecord<String, byte[]> first = records(Topics.ESTIMATION_COMMANDS, ids.get(0)).get(0);
        assertEquals(first.partition(), count("SELECT command_partition FROM estimation WHERE id = ?", ids.get(0)));
    }

    @Test
    void aPoisonCommandGoesToTheDeadLetterTopicAndFailsItsEstimation() throws Exception {
        String id = "est_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO estimation (id, dataset_id, version, request, status) VALUES (?, ?, 1, ?::jsonb, 'QUEUED')")) {
            s.setString(1, id);
            s.setString(2, nsw);
            s.setString(3, aipw().toString());
            s.executeUpdate();
        }
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.ESTIMATION_COMMANDS, id, "{not json".getBytes(StandardCharsets.UTF_8))).get();
        }
        JsonNode done = awaitTerminal(id);
        assertEquals("FAILED", done.get("status").asText());
        assertTrue(done.get("error").asText().contains("poison command"), done.toString());
        assertEquals(1, records(Topics.dlq(Topics.ESTIMATION_COMMANDS), id).size());
        List<JsonNode> failed = envelopes(Topics.ESTIMATION_EVENTS, id, e -> e.get("type").asText().equals(EventTypes.ESTIMATION_FAILED));
        JsonNode event = failed.get(failed.size() - 1);
        assertEquals(List.of(), EventSchemas.violations(event));
        assertTrue(event.get("data").get("poison").asBoolean());
    }

    @Test
    void aCommandStartedMaxStartsTimesWithoutFinishingIsPoisonNotRunAgain() throws Exception {
        // a valid command whose earlier runs all died with their workers (OOM-killed pods): 5 starts, still RUNNING
        String ran = post(aipw(), null).then().statusCode(202).extract().path("id");
        awaitTerminal(ran);
        String id = "est_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO estimation (id, dataset_id, version, request, status, attempts) "
                        + "VALUES (?, ?, 1, ?::jsonb, 'RUNNING', 5)")) {
            s.setString(1, id);
            s.setString(2, nsw);
            s.setString(3, aipw().toString());
            s.executeUpdate();
        }
        String command = new String(records(Topics.ESTIMATION_COMMANDS, ran).get(0).value(), StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.ESTIMATION_COMMANDS, id,
                    command.replace(ran, id).getBytes(StandardCharsets.UTF_8))).get();
        }
        JsonNode done = awaitTerminal(id);
        assertEquals("FAILED", done.get("status").asText(), done.toString());
        assertTrue(done.get("error").asText().contains("started 5 times and never finished"), done.toString());
        assertTrue(done.get("result").isNull(), "not run a sixth time");
        assertEquals(1, records(Topics.dlq(Topics.ESTIMATION_COMMANDS), id).size());
        assertEquals(6, count("SELECT attempts FROM estimation WHERE id = ?", id));
        List<JsonNode> events = envelopes(Topics.ESTIMATION_EVENTS, id, e -> e.get("type").asText().equals(EventTypes.ESTIMATION_FAILED));
        assertTrue(events.stream().noneMatch(e -> e.get("type").asText().equals(EventTypes.ESTIMATION_PROGRESS)),
                "no progress event for a start that is refused: " + events);
        assertTrue(events.get(events.size() - 1).get("data").get("poison").asBoolean());
    }

    @Test
    void aFailureOfTheEngineAtRunTimeEndsFailedWithItsReasonOnceAndIsNotPoison() throws Exception {
        // valid at POST time (trim < 0.5), but no control unit has a propensity in [0.49, 0.51]: only running finds it
        ObjectNode body = aipw().put("method", "ipw");
        body.putObject("options").put("trim", 0.49);
        String id = post(body, null).then().statusCode(202).extract().path("id");
        JsonNode done = awaitTerminal(id);
        assertEquals("FAILED", done.get("status").asText(), done.toString());
        assertTrue(done.get("error").asText().contains("options.trim"), done.toString());
        assertTrue(done.get("error").asText().contains("no control units"), done.toString());
        assertTrue(done.get("result").isNull());
        List<JsonNode> failed = envelopes(Topics.ESTIMATION_EVENTS, id,
                e -> e.get("type").asText().equals(EventTypes.ESTIMATION_FAILED));
        assertEquals(1, failed.stream().filter(e -> e.get("type").asText().equals(EventTypes.ESTIMATION_FAILED)).count());
        JsonNode event = failed.get(failed.size() - 1);
        assertEquals(List.of(), EventSchemas.violations(event));
        assertEquals("options.trim", event.get("data").get("field").asText());
        assertFalse(event.get("data").get("poison").asBoolean());
        assertEquals(0, recordsUpToNow(Topics.dlq(Topics.ESTIMATION_COMMANDS), id), "a failed run is not a dead letter");
    }

    @Test
    void badCommandsAre4xxAtPostTimeNamingTheFault() {
        expect(aipw().put("datasetId", "ds_nope"), 404, "ds_nope");
        expect(aipw().put("version", 7), 404, "no version 7");
        expect(aipw().put("version", 0), 400, "version");
        ObjectNode missing = aipw();
        missing.withArray("covariates").add("salary");
        expect(missing, 400, "covariates[8]");
        expect(aipw().put("method", "magic"), 400, "method");
        // a numeric treatment where a binary one is needed: refused by its declared type, not because 'age' is also a
        // covariate (it is taken out of them here, so nothing else is wrong with the request)
        for (String method : List.of("ipw", "aipw", "matching", "difference-in-means")) {
            ObjectNode numericTreatment = aipw().put("method", method).put("treatment", "age");
            var covariates = numericTreatment.putArray("covariates");
            if (!method.equals("difference-in-means")) {
                COVARIATES.stream().filter(c -> !c.equals("age")).forEach(covariates::add);
            }
            long before = count("SELECT count(*) FROM estimation");
            post(numericTreatment, null).then().statusCode(400).contentType("application/problem+json")
                    .body("detail", containsString("treatment")).body("detail", containsString("'age'"))
                    .body("detail", containsString("numeric")).body("detail", containsString("binary"))
                    .body("detail", containsString(method))
                    .body("errors[0].field", equalTo("treatment"));
            assertEquals(before, count("SELECT count(*) FROM estimation"), "nothing stored for " + numericTreatment);
        }
        expect(aipw().put("options", "x").put("method", "aipw"), 400, null); // options must be an object
        ObjectNode unknownOption = aipw();
        unknownOption.putObject("options").put("turbo", true);
        expect(unknownOption, 400, "options.turbo");
        // a latent confounder of treat and re78: no backdoor set identifies the effect
        ObjectNode dag = aipw();
        dag.putArray("covariates");
        dag.put("dag", "dag { treat -> re78; treat <-> re78; age -> treat; age -> re78 }");
        expect(dag, 400, "dag");
    }

    @Test
    void anIdNeverRegisteredIs404AtOnceWhileAVersionSealedAMomentAgoIsFound() throws Exception {
        // sealed a moment ago: its events are on the topics, the replica may not have applied them yet
        String sealed = Seed.csv(seedJson(), bootstrap, "/collinear.csv", Set.of("treat"));
        ObjectNode fresh = json.createObjectNode().put("datasetId", sealed).put("version", 1)
                .put("method", "regression").put("treatment", "treat").put("outcome", "y");
        fresh.putArray("covariates").add("x1");
        post(fresh, null).then().statusCode(202);

        ObjectNode unknown = aipw().put("datasetId", "ds_never_registered_" + UUID.randomUUID());
        long before = count("SELECT count(*) FROM estimation");
        long started = System.nanoTime();
        Response answer = post(unknown, null);
        long millis = (System.nanoTime() - started) / 1_000_000; // the exchange only: RestAssured's first matchers take seconds
        answer.then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("ds_never_registered_")).body("detail", containsString("datasetId"));
        System.out.printf("404 for a dataset id never registered after %d ms (the replica wait is %s)%n", millis,
                replicaWait);
        assertTrue(millis < 5_000, "answered after " + millis + " ms: it waited for the replica");
        assertEquals(before, count("SELECT count(*) FROM estimation"));
        for (int i = 0; i < 3; i++) {
            long again = System.nanoTime();
            Response next = post(aipw().put("datasetId", "ds_never_registered_" + UUID.randomUUID()), null);
            System.out.printf("... and again after %d ms%n", (System.nanoTime() - again) / 1_000_000);
            next.then().statusCode(404);
        }
    }

    @Test
    void collinearCovariatesEndFailedNamingTheColumnsInTheAnalystsWords() throws Exception {
        String ds = collinear();
        for (String method : List.of("regression", "ipw", "aipw")) {
            // x3 = x1 + 2 x2 in every row: the data, not the request, are at fault, so only running finds it
            ObjectNode body = json.createObjectNode().put("datasetId", ds).put("version", 1).put("method", method)
                    .put("treatment", "treat").put("outcome", "y");
            body.putArray("covariates").add("x1").add("x2").add("x3");
            String id = post(body, null).then().statusCode(202).extract().path("id");
            JsonNode done = awaitTerminal(id);
            assertEquals("FAILED", done.get("status").asText(), done.toString());
            String error = done.get("error").asText();
            for (String name : List.of("'x1'", "'x2'", "'x3'", "drop")) {
                assertTrue(error.contains(name), name + " not in: " + error);
            }
            assertFalse(error.contains("io.counterfact") || error.contains("Exception") || error.contains("java."), error);
            List<JsonNode> failed = envelopes(Topics.ESTIMATION_EVENTS, id,
                    e -> e.get("type").asText().equals(EventTypes.ESTIMATION_FAILED));
            JsonNode event = failed.get(failed.size() - 1).get("data");
            assertFalse(event.toString().contains("io.counterfact") || event.toString().contains("Exception"), event.toString());
            assertEquals("covariates[2]", event.get("field").asText(), event.toString());
        }
    }

    @Test
    void anInternalFailureIsReportedWithAnIncidentIdNotTheExceptionAndLogged() {
        String reason = EstimationWorker.unexpectedFailure("est_x",
                new IllegalStateException("io.counterfact.engine.Something broke at column 3"));
        assertTrue(reason.contains("est_x") && reason.contains("incident inc_"), reason);
        assertFalse(reason.contains("io.counterfact") || reason.contains("Exception") || reason.contains("column 3"), reason);
    }

    @Test
    void bodiesOfTheWrongShapeAre400NamingTheFieldInTheApisWords() {
        String[][] cases = {
                {"{\"datasetId\": 7, \"version\": 1, \"method\": \"ipw\"}", "datasetId"},
                {"{\"datasetId\": \"d\", \"version\": \"one\", \"method\": \"ipw\"}", "version"},
                {"{\"datasetId\": \"d\", \"version\": 1.5, \"method\": \"ipw\"}", "version"},
                {"{\"datasetId\": \"d\", \"version\": 99999999999, \"method\": \"ipw\"}", "version"},
                {"{\"datasetId\": \"d\", \"version\": 1, \"method\": [\"ipw\"]}", "method"},
                {"{\"datasetId\": \"d\", \"version\": 1, \"covariates\": \"age\"}", "covariates"},
                {"{\"datasetId\": \"d\", \"version\": 1, \"covariates\": [\"age\", 3]}", "covariates[1]"},
                {"{\"datasetId\": \"d\", \"version\": 1, \"options\": [1]}", "options"},
                {"{\"datasetId\": \"d\", \"version\": 1, \"dag\": 5}", "dag"},
                {"{\"datasetId\": \"d\", \"version\": 1, \"turbo\": true}", "turbo"},
                {"[1, 2]", "JSON object"},
                {"{\"datasetId\": ", "not valid JSON"},
                {"\"text\"", "JSON object"},
        };
        for (String[] c : cases) {
            long before = count("SELECT count(*) FROM estimation");
            String detail = given().header("Authorization", TestTokens.analyst()).contentType("application/json")
                    .body(c[0]).when().post("/api/estimations")
                    .then().statusCode(400).contentType("application/problem+json").extract().path("detail");
            assertTrue(detail.contains(c[1]), c[1] + " not in: " + detail);
            assertFalse(detail.contains("java.") || detail.contains("io.counterfact") || detail.contains("Exception")
                    || detail.contains("EstimationRequest"), detail);
            assertEquals(before, count("SELECT count(*) FROM estimation"), "nothing stored for " + c[0]);
        }
    }

    private static String collinearDataset;

    private String collinear() throws Exception {
        synchronized (EstimationCommandTest.class) {
            if (collinearDataset == null) {
                String ds = Seed.csv(seedJson(), bootstrap, "/collinear.csv", Set.of("treat"));
                await().atMost(PATIENCE).until(() -> replica.find(ds, 1)
                        .map(v -> v.status() == ReplicaVersion.Status.READY).orElse(false));
                collinearDataset = ds;
            }
            return collinearDataset;
        }
    }

    private static ObjectMapper seedJson() {
        return new ObjectMapper().registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    private void expect(ObjectNode body, int status, String inDetail) {
        long before = count("SELECT count(*) FROM estimation");
        var then = post(body, null).then().statusCode(status).contentType("application/problem+json");
        if (inDetail != null) {
            then.body("detail", containsString(inDetail));
        }
        assertEquals(before, count("SELECT count(*) FROM estimation"), "nothing stored for " + body);
    }

    @Test
    void theTextbookConfounderGraphAndACycle() {
        given().header("Authorization", TestTokens.analyst()).contentType("application/json")
                .body("{\"dag\": \"dag { Z -> X; Z -> Y; X -> Y; X -> M; M -> Y }\", \"treatment\": \"X\", \"outcome\": \"Y\"}")
                .when().post("/api/dags/analyze")
                .then().statusCode(200).body("nodes", equalTo(4)).body("edges", equalTo(5))
                .body("adjustmentSets.minimal", equalTo(List.of(List.of("Z"))))
                .body("adjustmentSets.allTruncated", equalTo(false));
        given().header("Authorization", TestTokens.analyst()).contentType("application/json")
                .body(Map.of("dag", Map.of("nodes", List.of("A", "B", "C"),
                        "edges", List.of(List.of("A", "B"), List.of("B", "C"), List.of("C", "A"))),
                        "treatment", "A", "outcome", "C"))
                .when().post("/api/dags/analyze")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("cycle"));
        given().header("Authorization", TestTokens.analyst()).contentType("application/json")
                .body("{\"dag\": \"dag { A -> B }\", \"treatment\": \"A\", \"outcome\": \"Q\"}")
                .when().post("/api/dags/analyze")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("Q"));
    }

    private long count(String sql, Object... args) {
        return Sql.count(dataSource, sql, args);
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Every record of {@code key} on {@code topic}, read from the beginning until {@code last} matches one (or 60 s). */
    private List<ConsumerRecord<String, byte[]>> records(String topic, String key, java.util.function.Predicate<ConsumerRecord<String, byte[]>> last) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = fromTheBeginning(topic)) {
            List<TopicPartition> partitions = List.copyOf(consumer.assignment());
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean seen = false;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (key.equals(r.key())) {
                        out.add(r);
                        seen |= last.test(r);
                    }
                }
                boolean atEnd = partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                if (seen && atEnd) {
                    return out;
                }
                if (atEnd) {
                    end.putAll(consumer.endOffsets(partitions));
                }
            }
        }
        throw new AssertionError("no matching record of " + key + " on " + topic + "; saw " + out.size());
    }

    /** How many records of {@code key} {@code topic} holds now (read from the beginning to the current end). */
    private int recordsUpToNow(String topic, String key) {
        try (KafkaConsumer<String, byte[]> consumer = fromTheBeginning(topic)) {
            List<TopicPartition> partitions = List.copyOf(consumer.assignment());
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            int count = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    count += key.equals(r.key()) ? 1 : 0;
                }
            }
            return count;
        }
    }

    /** A consumer (no group) assigned every partition of {@code topic}, at its first offset. */
    private KafkaConsumer<String, byte[]> fromTheBeginning(String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private List<ConsumerRecord<String, byte[]>> records(String topic, String key) {
        return records(topic, key, r -> true);
    }

    private List<JsonNode> envelopes(String topic, String key, java.util.function.Predicate<JsonNode> last) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records(topic, key, r -> last.test(read(r.value())))) {
            out.add(read(r.value()));
        }
        return out;
    }

    private JsonNode read(byte[] value) {
        try {
            return json.readTree(value);
        } catch (Exception e) {
            return json.createObjectNode().put("type", "unreadable");
        }
    }

    private void awaitConsumed(RecordMetadata record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(300)).until(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets("estimation-workers")
                        .partitionsToOffsetAndMetadata().get().get(tp);
                return committed != null && committed.offset() > record.offset();
            });
        }
    }
}
