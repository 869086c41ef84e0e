package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.estimation.replica.ReplicaStore;
import io.counterfact.estimation.replica.ReplicaVersion;
import io.counterfact.estimation.replica.Seed;
import io.counterfact.infra.Fuzz;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.sql.DataSource;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzing of {@code POST /api/estimations} against the real service: a valid request mutated one to three times
 * (fields removed, set to values of every JSON kind, unknown fields and options, huge arrays, unknown columns, nulls),
 * generated from a fixed seed by {@link Fuzz} (printed, so a failure can be replayed with {@code -Dfuzz.seed=}; each
 * try a dynamic test of its own, {@code -Dfuzz.tries=} sets their number, {@code -Dfuzz.try=} runs one). Every answer
 * is below 500; a 4xx is a problem detail without internals and leaves no command stored; a 202 stores exactly one.
 */
@QuarkusTest
class EstimationRequestFuzzTest {

    private static final int TRIES = 150;
    private static final long SEED = 20261207L;
    private static final List<String> COLUMNS = List.of("treat", "age", "educ", "black", "hispan", "married",
            "nodegree", "re74", "re75", "re78", "u74", "u75");
    private static final List<String> FIELDS = List.of("datasetId", "version", "method", "estimand", "treatment",
            "outcome", "covariates", "instruments", "endogenous", "dag", "options");
    /** Where a value may be put: the body's fields and the options, known and not. */
    private static final List<String> PATHS = List.of("datasetId", "version", "method", "estimand", "treatment",
            "outcome", "covariates", "instruments", "endogenous", "dag", "options", "options.se", "options.trim",
            "options.weights", "options.outcomeModel", "options.crossFitFolds", "options.confidenceLevel",
            "options.bootstrap", "options.refute", "options.caliper", "options.neighbors", "options.studentDepth",
            "options.turbo", "covariates.0", "covariates.3");
    private static String nsw;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectMapper json;

    @Inject
    ReplicaStore replica;

    @Inject
    DataSource dataSource;

    /** One change to a request body, described for the failure message. */
    record Mutation(String description, Consumer<ObjectNode> change) {
        @Override
        public String toString() {
            return description;
        }
    }

    @TestFactory
    Stream<DynamicTest> mutatedRequestsAreNeverA5xxAndA4xxStoresNothing() throws Exception {
        seed();
        int[] accepted = {0};
        int[] refused = {0};
        Stream<DynamicTest> tries = Fuzz.tries("mutatedRequestsAreNeverA5xxAndA4xxStoresNothing", TRIES, SEED,
                EstimationRequestFuzzTest::mutations, List::toString, mutations -> {
                    ObjectNode body = valid();
                    mutations.forEach(m -> m.change().accept(body));
                    long before = stored();
                    Response r = given().header("Authorization", TestTokens.analyst()).contentType("application/json")
                            .body(body.toString()).when().post("/api/estimations");
                    int status = r.statusCode();
                    String what = mutations + " -> " + status + " " + r.asString();
                    if (status >= 500) {
                        fail("a 5xx: " + what);
                    }
                    if (status == 202) {
                        accepted[0]++;
                        assertEquals(before + 1, stored(), what);
                    } else {
                        refused[0]++;
                        assertTrue(status >= 400 && status < 500, what);
                        assertTrue(r.contentType().startsWith("application/problem+json"), what);
                        String detail = r.jsonPath().getString("detail");
                        assertTrue(detail != null && !detail.isBlank(), what);
                        assertFalse(detail.contains("java.") || detail.contains("io.counterfact")
                                || detail.contains("Exception") || detail.contains("\tat "), "internals in " + what);
                        assertEquals(before, stored(), "stored for a " + status + ": " + what);
                    }
                });
        DynamicTest both = DynamicTest.dynamicTest("the mutations both pass and fail", () -> {
            System.out.printf("fuzzing: %d accepted, %d refused%n", accepted[0], refused[0]);
            assertTrue(Integer.getInteger(Fuzz.TRY) != null || accepted[0] > 0 && refused[0] > 0,
                    accepted[0] + " accepted, " + refused[0] + " refused: the generator is stuck");
        });
        return Stream.concat(tries, Stream.of(both));
    }

    /** One to three changes to a valid body. */
    private static List<Mutation> mutations(Random random) {
        int n = Fuzz.size(random, 1, 3);
        List<Mutation> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(mutation(random));
        }
        return out;
    }

    private static Mutation mutation(Random r) {
        switch (r.nextInt(7)) {
            case 0 -> {
                String f = Fuzz.oneOf(r, FIELDS);
                return new Mutation("remove " + f, b -> b.remove(f));
            }
            case 1 -> {
                String path = Fuzz.oneOf(r, PATHS);
                JsonNode v = value(r);
                return new Mutation("set " + path + " = " + abbreviated(v), b -> set(b, path, v));
            }
            case 2 -> {
                String name;
                do {
                    name = Fuzz.chars(r, ALPHA, 1, 12);
                } while (FIELDS.contains(name));
                String field = name;
                return new Mutation("add field " + field, b -> b.put(field, 1));
            }
            case 3 -> {
                List<String> names = concat(COLUMNS, List.of("salary", "", " treat", "TREAT"));
                List<String> list = new ArrayList<>();
                for (int k = Fuzz.size(r, 0, 14); k > 0; k--) {
                    list.add(Fuzz.oneOf(r, names));
                }
                return new Mutation("covariates = " + list, b -> {
                    ArrayNode a = b.putArray("covariates");
                    list.forEach(a::add);
                });
            }
            case 4 -> {
                int n = Fuzz.size(r, 1_000, 50_000);
                String field = Fuzz.oneOf(r, "covariates", "instruments", "endogenous");
                boolean known = r.nextBoolean();
                return new Mutation(field + " of " + n + (known ? " known" : " unknown") + " names", b -> {
                    ArrayNode a = b.putArray(field);
                    for (int k = 0; k < n; k++) {
                        a.add(known ? COLUMNS.get(k % COLUMNS.size()) : "c" + k);
                    }
                });
            }
            case 5 -> {
                String field = Fuzz.oneOf(r, "treatment", "outcome", "method", "estimand");
                String v = Fuzz.oneOf(r, concat(COLUMNS, List.of("difference-in-means", "regression", "ipw", "aipw",
                        "matching", "wald", "2sls", "cate", "ATE", "ATT", "ATC", "LATE", "magic")));
                return new Mutation(field + " = " + v, b -> b.put(field, v));
            }
            default -> {
                String text = Fuzz.oneOf(r, "dag { treat -> re78; age -> treat; age -> re78 }",
                        "dag { treat -> re78; re78 -> treat }", "dag { treat -> ", "dag { a -> b }",
                        "{\"nodes\": [\"treat\", \"re78\"], \"edges\": [[\"treat\", \"re78\"]]}", "{\"nodes\": 3}");
                return new Mutation("dag = " + text, b -> {
                    b.putArray("covariates");
                    if (text.startsWith("{")) {
                        try {
                            b.set("dag", new ObjectMapper().readTree(text));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    } else {
                        b.put("dag", text);
                    }
                });
            }
        }
    }

    private static final String ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final List<JsonNode> FIXED = fixedValues();

    /** Values of every JSON kind, none of them a costly valid option (no bootstrap of thousands of replicates). */
    private static JsonNode value(Random r) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (Fuzz.weighted(r, 6, 2, 2)) {
            case 0 -> Fuzz.oneOf(r, FIXED).deepCopy();
            case 1 -> f.textNode(Fuzz.anyChars(r, 0, 40));
            // two decimals, or any double in range
            default -> f.numberNode(r.nextBoolean() ? Fuzz.between(r, -1000, 1000) / 100.0 : r.nextDouble() * 20 - 10);
        };
    }

    private static List<JsonNode> fixedValues() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode object = f.objectNode().put("a", 1);
        ObjectNode nested = f.objectNode();
        nested.putObject("replicates").put("deep", true);
        ArrayNode mixed = f.arrayNode().add(1).add("age").addNull().add(true);
        ArrayNode numbers = f.arrayNode();
        for (int i = 0; i < 2_000; i++) {
            numbers.add(i);
        }
        return List.of(f.nullNode(), f.booleanNode(true), f.booleanNode(false),
                f.numberNode(0), f.numberNode(1), f.numberNode(-1), f.numberNode(0.5), f.numberNode(1.5),
                f.numberNode(1e308), f.numberNode(-1e308), f.numberNode(new BigInteger("123456789012345678901234567890")),
                f.textNode(""), f.textNode("age"), f.textNode("ds_unknown"), f.textNode("x".repeat(10_000)),
                f.textNode("\u0000\u202e'\"<script>"), f.arrayNode(), mixed, numbers, f.objectNode(), object, nested);
    }

    private static void set(ObjectNode body, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        if (parts.length == 1) {
            body.set(path, value);
        } else if (parts[0].equals("options")) {
            JsonNode options = body.get("options");
            ObjectNode o = options instanceof ObjectNode on ? on : body.putObject("options");
            o.set(parts[1], value);
        } else {
            JsonNode list = body.get(parts[0]);
            ArrayNode a = list instanceof ArrayNode an ? an : body.putArray(parts[0]);
            int index = Integer.parseInt(parts[1]);
            while (a.size() <= index) {
                a.add("age");
            }
            a.set(index, value);
        }
    }

    private static String abbreviated(JsonNode v) {
        String s = v.toString();
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private ObjectNode valid() {
        ObjectNode body = json.createObjectNode().put("datasetId", nsw).put("version", 1).put("method", "aipw")
                .put("estimand", "ATE").put("treatment", "treat").put("outcome", "re78");
        body.putArray("covariates").add("age").add("educ").add("re74");
        body.putObject("options");
        return body;
    }

    private void seed() throws Exception {
        synchronized (EstimationRequestFuzzTest.class) {
            if (nsw == null) {
                ObjectMapper mapper = new ObjectMapper().registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                        .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
                String ds = Seed.csv(mapper, bootstrap, "/reference/lalonde_nsw_exp.csv", Seed.NSW_BINARY);
                await().atMost(Duration.ofSeconds(120)).until(() -> replica.find(ds, 1)
                        .map(v -> v.status() == ReplicaVersion.Status.READY).orElse(false));
                nsw = ds;
            }
        }
    }

    private long stored() {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM estimation"); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
