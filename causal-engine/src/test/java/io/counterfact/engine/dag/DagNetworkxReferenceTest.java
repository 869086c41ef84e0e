package io.counterfact.engine.dag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Correctness at scale against networkx (issue 23): on random DAGs of 1,000-10,000 nodes, with and
 * without bidirected edges ({@link ScaleGraphs}), the engine's minimal backdoor sets, its linear-time
 * set, the head of its listing of all sets and of implied independences equal the answers that
 * {@code dag-scale/networkx_reference.py} checked with networkx ({@code is_d_separator},
 * {@code is_minimal_d_separator}, {@code find_minimal_d_separator}), and every one of those checks
 * passed. Regenerate the reference with that script when the graphs or the answers' order change.
 */
class DagNetworkxReferenceTest {

    @Test
    void answersEqualTheOnesNetworkxChecked() throws Exception {
        JsonNode reference;
        try (InputStream in = getClass().getResourceAsStream("/dag-scale/networkx-reference.json")) {
            assertNotNull(in, "dag-scale/networkx-reference.json");
            reference = new ObjectMapper().readTree(in);
        }
        ObjectMapper mapper = new ObjectMapper();
        assertEquals(ScaleGraphs.CASES.size(), reference.get("cases").size());
        int checks = 0;
        for (int i = 0; i < ScaleGraphs.CASES.size(); i++) {
            ScaleGraphs.Case c = ScaleGraphs.CASES.get(i);
            JsonNode stored = reference.get("cases").get(i);
            assertEquals(c.name(), stored.get("case").asText());
            for (JsonNode check : stored.get("checks")) {
                assertTrue(check.get("ok").asBoolean(), c.name() + ": " + check);
                checks++;
            }
            Map<String, Object> answers = ScaleGraphs.answers(c);
            answers.remove("case");
            answers.remove("x");
            answers.remove("y");
            assertEquals(stored.get("engine"), mapper.valueToTree(answers), c.name());
        }
        assertTrue(checks > 1000, checks + " networkx checks");
    }
}
