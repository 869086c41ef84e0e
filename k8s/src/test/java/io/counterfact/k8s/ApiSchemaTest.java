package io.counterfact.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every rendered object validates strictly and offline: built-in kinds against the fabric8 Kubernetes
 * model, Strimzi's kinds against Strimzi's API model, KEDA's ScaledObject and CloudNativePG's Cluster
 * field by field. The second half proves that the validation does fail on what it should.
 */
class ApiSchemaTest {

    static List<String> targets() {
        return Kustomize.targets();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    @DisplayName("every object of the render is valid against its API schema (unknown fields fail)")
    void everyObjectIsValid(String target) {
        List<ObjectNode> objects = Kustomize.render(target);
        assertFalse(objects.isEmpty(), target + " renders nothing");
        List<String> errors = new ArrayList<>();
        for (ObjectNode o : objects) {
            errors.addAll(StrictModel.validate(o));
        }
        errors.addAll(CustomResourceChecks.check(objects));
        assertEquals(List.of(), errors, target + ": invalid objects");
    }

    // ------------------------------------------------------------------ the validation can fail

    private static ObjectNode deployment(String name) {
        return Kustomize.named(Kustomize.render("overlays/local"), "Deployment", name);
    }

    private static ObjectNode container(ObjectNode deployment) {
        return (ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    @Test
    void unknownFieldInAContainerFails() {
        ObjectNode d = deployment("gateway");
        container(d).put("imagePullPolcy", "Always");
        List<String> errors = StrictModel.validate(d);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("imagePullPolcy") && errors.get(0).contains("spec.template.spec.containers[0]"),
                errors.get(0));
    }

    @Test
    void misplacedFieldFails() {
        ObjectNode d = deployment("query-service");
        // a probe at pod level instead of container level
        ((ObjectNode) d.path("spec").path("template").path("spec")).set("readinessProbe",
                container(d).path("readinessProbe").deepCopy());
        assertFalse(StrictModel.validate(d).isEmpty());
    }

    @Test
    void numberWhereTheApiWantsAStringFails() {
        ObjectNode d = deployment("gateway");
        ((ObjectNode) container(d).path("env").get(0)).put("value", 75);
        List<String> errors = StrictModel.validate(d);
        assertFalse(errors.isEmpty(), "an unquoted number as an env value must fail");
        ObjectNode cm = Kustomize.named(Kustomize.render("overlays/local"), "ConfigMap", "estimation-service-config");
        ((ObjectNode) cm.path("data")).put("RETRIES", 3);
        assertFalse(StrictModel.validate(cm).isEmpty(), "a number as a ConfigMap value must fail");
    }

    @Test
    void wrongTypeFails() {
        ObjectNode d = deployment("ingestion-service");
        ((ObjectNode) d.path("spec")).put("replicas", "two");
        assertFalse(StrictModel.validate(d).isEmpty());
    }

    @Test
    void unknownKindOrVersionFails() {
        ObjectNode hpa = Kustomize.named(Kustomize.render("overlays/local"), "HorizontalPodAutoscaler", "gateway");
        hpa.put("apiVersion", "autoscaling/v2beta1");
        assertFalse(StrictModel.validate(hpa).isEmpty(), "a removed API version must fail");
        ObjectNode d = deployment("gateway");
        d.put("kind", "Deploymnet");
        assertFalse(StrictModel.validate(d).isEmpty(), "a misspelt kind must fail");
    }

    @Test
    void unknownFieldInAStrimziResourceFails() {
        ObjectNode topic = Kustomize.named(Kustomize.render("overlays/local"), "KafkaTopic", Policy.COMMANDS_TOPIC);
        ((ObjectNode) topic.path("spec")).put("partition", 12);
        List<String> errors = StrictModel.validate(topic);
        assertTrue(errors.size() == 1 && errors.get(0).contains("partition"), errors.toString());

        ObjectNode kafka = Kustomize.ofKind(Kustomize.render("overlays/local"), "Kafka").get(0);
        ((ObjectNode) kafka.path("spec").path("kafka").path("listeners").get(0)).put("type", "clusterip-typo");
        assertFalse(StrictModel.validate(kafka).isEmpty(), "an unknown listener type must fail");

        kafka = Kustomize.ofKind(Kustomize.render("overlays/local"), "Kafka").get(0);
        ((ObjectNode) kafka.path("spec").path("kafka")).put("replicas", 3);
        assertFalse(StrictModel.validate(kafka).isEmpty(),
                "spec.kafka.replicas exists in kafka.strimzi.io/v1beta2 only (v1: KafkaNodePool replicas)");

        ObjectNode pool = Kustomize.ofKind(Kustomize.render("overlays/local"), "KafkaNodePool").get(0);
        ((ObjectNode) pool.path("spec")).put("replicas", "one");
        assertFalse(StrictModel.validate(pool).isEmpty(), "a string replica count must fail");
    }

    @Test
    void badScaledObjectFails() {
        List<ObjectNode> objects = Kustomize.render("overlays/local");
        ObjectNode so = Kustomize.ofKind(objects, "ScaledObject").get(0);
        ((ObjectNode) so.path("spec")).put("maxReplicas", 12);
        assertTrue(CustomResourceChecks.checkScaledObject(so).stream().anyMatch(e -> e.contains("maxReplicas")));

        so = Kustomize.ofKind(objects, "ScaledObject").get(0);
        ObjectNode kafkaMetadata = (ObjectNode) so.path("spec").path("triggers").get(0).path("metadata");
        kafkaMetadata.set("lagTreshold", kafkaMetadata.remove("lagThreshold"));
        assertTrue(CustomResourceChecks.checkScaledObject(so).stream().anyMatch(e -> e.contains("lagTreshold")));

        so = Kustomize.ofKind(objects, "ScaledObject").get(0);
        ((ObjectNode) so.path("spec").path("triggers").get(0).path("metadata")).put("lagThreshold", 2);
        assertTrue(CustomResourceChecks.checkScaledObject(so).stream().anyMatch(e -> e.contains("must be a string")),
                "trigger metadata values are strings in the CRD");

        so = Kustomize.ofKind(objects, "ScaledObject").get(0);
        ((ObjectNode) so.path("spec").path("advanced").path("horizontalPodAutoscalerConfig").path("behavior")
                .path("scaleDown")).put("stabilisationWindowSeconds", 60);
        assertTrue(CustomResourceChecks.checkScaledObject(so).stream().anyMatch(e -> e.contains("stabilisationWindowSeconds")),
                "the embedded HPA behavior is checked by the Kubernetes model");
    }

    @Test
    void badCloudNativePgClusterFails() {
        List<ObjectNode> objects = Kustomize.render("overlays/local");
        ObjectNode cluster = Kustomize.named(objects, "Cluster", "query-db");
        ((ObjectNode) cluster.path("spec")).put("replicas", 3);
        assertTrue(CustomResourceChecks.checkCluster(cluster).stream().anyMatch(e -> e.contains("replicas")));

        cluster = Kustomize.named(objects, "Cluster", "query-db");
        ((ObjectNode) cluster.path("spec").path("resources").path("limits")).put("cpus", "1");
        assertTrue(CustomResourceChecks.checkCluster(cluster).stream().anyMatch(e -> e.contains("resources")),
                "resources are checked by the Kubernetes model: " + CustomResourceChecks.checkCluster(cluster));

        cluster = Kustomize.named(objects, "Cluster", "query-db");
        ((ObjectNode) cluster.path("spec").path("bootstrap").path("initdb")).remove("secret");
        assertTrue(CustomResourceChecks.checkCluster(cluster).stream().anyMatch(e -> e.contains("secret")));
    }

    @Test
    void aCustomResourceWithoutSchemaFails() {
        ObjectNode unknown = Kustomize.YAML.createObjectNode();
        unknown.put("apiVersion", "example.com/v1").put("kind", "Widget").putObject("metadata").put("name", "w");
        assertFalse(StrictModel.validate(unknown).isEmpty());
    }
}
