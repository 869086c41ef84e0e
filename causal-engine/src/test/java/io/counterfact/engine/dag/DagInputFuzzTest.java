package io.counterfact.engine.dag;

import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.InvalidSpecException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whatever a client sends as a DAG (dagitty text of random tokens, mutations of valid graphs, JSON of the wrong
 * shapes and types), the analysis either answers or refuses with an {@link InvalidSpecException} (a 400 naming
 * the field): never another exception (a 500), never a stack overflow, never a hang. Seeded: each try replays
 * alone with {@code -Ddagfuzz.seed=} and its index in the name.
 */
class DagInputFuzzTest {

    static final long SEED = Long.getLong("dagfuzz.seed", 20261207L);
    static final Duration PER_TRY = Duration.ofSeconds(10);
    static final String[] TOKENS = {"dag", "{", "}", "->", "<-", "<->", "--", ";", "\n", "[", "]", "exposure",
            "outcome", "latent", "adjusted", "A", "B", "C", "D", "E", "x1", "\"", "=", ",", "pos=\"1,2\"", " ", "graph",
            "#", "digraph", "é", "\u0000", "\\", "{{", "}}", "{A B}", "->->", "1e9", "-", ">", "<"};
    static final String[] VALID = {
            "dag { Z -> T; Z -> Y; T -> Y }",
            "dag {\n A [exposure]\n Y [outcome]\n A -> M -> Y\n A <-> Y\n U -> A\n U -> Y\n}",
            "dag { {A B} -> C; C <- D; D -> {E F}; T -> Y; A -> T; F -> Y }",
            "{\"nodes\": [\"T\", \"Y\", \"Z\"], \"edges\": [[\"Z\", \"T\"], [\"Z\", \"Y\"], [\"T\", \"Y\"]]}"};

    private final CausalEngine engine = CausalEngine.standard();

    @TestFactory
    Stream<DynamicTest> dagittyTextOfRandomTokens() {
        return tries("tokens", 400, random -> {
            StringBuilder text = new StringBuilder(random.nextBoolean() ? "dag { " : "");
            int n = random.nextInt(60);
            for (int i = 0; i < n; i++) {
                text.append(TOKENS[random.nextInt(TOKENS.length)]).append(random.nextInt(4) == 0 ? " " : "");
            }
            if (random.nextBoolean()) {
                text.append(" }");
            }
            return new Input(text.toString(), pick(random), pick(random));
        });
    }

    @TestFactory
    Stream<DynamicTest> mutationsOfValidGraphs() {
        return tries("mutations", 400, random -> {
            StringBuilder text = new StringBuilder(VALID[random.nextInt(VALID.length)]);
            int edits = 1 + random.nextInt(6);
            for (int i = 0; i < edits && text.length() > 0; i++) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(4)) {
                    case 0 -> text.deleteCharAt(at);
                    case 1 -> text.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                    case 2 -> text.setCharAt(at, (char) random.nextInt(0x3000));
                    default -> text.insert(at, String.valueOf(text.charAt(at)).repeat(1 + random.nextInt(200)));
                }
            }
            return new Input(text.toString(), pick(random), pick(random));
        });
    }

    @TestFactory
    Stream<DynamicTest> jsonOfWrongShapesAndTypes() {
        return tries("json", 300, random -> {
            Map<String, Object> json = new LinkedHashMap<>();
            if (random.nextInt(5) > 0) {
                json.put("nodes", anyValue(random, 2));
            }
            if (random.nextInt(5) > 0) {
                json.put("edges", pairs(random));
            }
            if (random.nextBoolean()) {
                json.put("bidirected", pairs(random));
            }
            if (random.nextInt(6) == 0) {
                json.put("unknown", anyValue(random, 1));
            }
            return new Input(json, pick(random), pick(random));
        });
    }

    record Input(Object dag, String treatment, String outcome) {
    }

    private Stream<DynamicTest> tries(String name, int count, java.util.function.Function<Random, Input> generator) {
        return IntStream.range(0, Integer.getInteger("dagfuzz.tries", count)).mapToObj(i -> {
            Input input = generator.apply(new Random(SEED * 31 + name.hashCode() * 1_000_003L + i));
            return DynamicTest.dynamicTest(name + " #" + i + " (seed " + SEED + ")", () -> check(input));
        });
    }

    private void check(Input input) {
        assertTimeoutPreemptively(PER_TRY, () -> {
            try {
                assertNotNull(engine.analyzeDag(input.dag(), input.treatment(), input.outcome(), Duration.ofSeconds(2)));
            } catch (InvalidSpecException refused) {
                assertNotNull(refused.getMessage(), "a refusal says why");
            } catch (RuntimeException | StackOverflowError e) {
                fail("not a 400 but " + e + " for dag " + show(input.dag()) + ", treatment " + input.treatment()
                        + ", outcome " + input.outcome(), e);
            }
        });
    }

    private static String pick(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> "Nope";
            case 3 -> "T";
            case 4 -> "Y";
            default -> String.valueOf((char) ('A' + random.nextInt(6)));
        };
    }

    private static List<Object> pairs(Random random) {
        List<Object> pairs = new ArrayList<>();
        for (int i = random.nextInt(8); i > 0; i--) {
            pairs.add(random.nextInt(4) == 0 ? anyValue(random, 1)
                    : List.of(String.valueOf((char) ('A' + random.nextInt(6))), String.valueOf((char) ('A' + random.nextInt(6)))));
        }
        return pairs;
    }

    private static Object anyValue(Random random, int depth) {
        return switch (random.nextInt(depth > 0 ? 7 : 5)) {
            case 0 -> null;
            case 1 -> random.nextInt(100);
            case 2 -> random.nextBoolean();
            case 3 -> String.valueOf((char) ('A' + random.nextInt(6)));
            case 4 -> "";
            case 5 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(anyValue(random, depth - 1));
                }
                yield list;
            }
            default -> Map.of("k", anyValue(random, depth - 1) == null ? "v" : "w");
        };
    }

    private static String show(Object dag) {
        String s = String.valueOf(dag);
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
