package io.counterfact.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end through kubectl kustomize: a deliberately broken overlay (src/test/resources/broken-overlay,
 * built on overlays/local) must fail the schema validation and the policy, each fault by name.
 */
class BrokenManifestTest {

    private static List<ObjectNode> broken() {
        return Kustomize.render(Kustomize.k8sDir().resolve(Path.of("src", "test", "resources", "broken-overlay")));
    }

    @Test
    void aMisspeltFieldFailsTheSchemaValidation() {
        List<String> errors = new ArrayList<>();
        for (ObjectNode o : broken()) {
            errors.addAll(StrictModel.validate(o));
        }
        assertTrue(errors.size() == 1 && errors.get(0).contains("Deployment counterfact/gateway")
                && errors.get(0).contains("\"resource\""), errors.toString());
    }

    @Test
    void theBrokenOverlayFailsThePolicy() {
        Map<String, List<String>> violations = Policy.all(broken(), true);
        assertContains(violations.get("onlyGatewayExposed"), "Service counterfact/query-service: type NodePort");
        assertContains(violations.get("probesAndResources"), "ingestion-service: no livenessProbe");
        assertContains(violations.get("probesAndResources"), "ingestion-service: no readinessProbe");
        assertContains(violations.get("estimationLagScaling"), "no lag-based (kafka) trigger");
        assertContains(violations.get("noHpaOnEstimation"), "HorizontalPodAutoscaler counterfact/estimation-service: targets estimation-service");
    }

    private static void assertContains(List<String> violations, String expected) {
        assertTrue(violations.stream().anyMatch(v -> v.contains(expected)),
                "expected a violation containing '" + expected + "', got " + violations);
    }
}
