package io.counterfact.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each overlay must contain beyond the shared policy: its data stores, topics and endpoints. */
class RenderTest {

    @Test
    void theOverlaysAreLocalAndAws() {
        assertEquals(List.of("overlays/aws", "overlays/local"), Kustomize.overlays());
    }

    private static Set<String> expectedTopics() {
        Set<String> topics = new TreeSet<>();
        for (String t : Policy.TOPICS) {
            topics.add(t);
            topics.add(t + ".dlq");
        }
        return topics;
    }

    @Test
    void localRunsKafkaInKraftModeWithEveryTopicAndItsDeadLetterTopic() {
        List<ObjectNode> o = Kustomize.render("overlays/local");
        ObjectNode kafka = Kustomize.ofKind(o, "Kafka").get(0);
        String cluster = kafka.path("metadata").path("name").asText();
        List<ObjectNode> pools = Kustomize.ofKind(o, "KafkaNodePool");
        assertFalse(pools.isEmpty(), "KRaft needs a KafkaNodePool");
        Set<String> roles = new TreeSet<>();
        for (ObjectNode pool : pools) {
            assertEquals(cluster, pool.path("metadata").path("labels").path("strimzi.io/cluster").asText());
            pool.path("spec").path("roles").forEach(r -> roles.add(r.asText()));
        }
        assertEquals(Set.of("broker", "controller"), roles, "KRaft controllers and brokers");
        assertTrue(kafka.path("spec").path("entityOperator").has("topicOperator"), "KafkaTopics need the topic operator");

        Set<String> topics = new TreeSet<>();
        for (ObjectNode t : Kustomize.ofKind(o, "KafkaTopic")) {
            assertEquals(cluster, t.path("metadata").path("labels").path("strimzi.io/cluster").asText(), Kustomize.id(t));
            assertEquals(kafka.path("metadata").path("namespace").asText(), t.path("metadata").path("namespace").asText(),
                    "the topic operator watches the Kafka's namespace");
            topics.add(t.path("spec").path("topicName").asText(t.path("metadata").path("name").asText()));
        }
        assertEquals(expectedTopics(), topics);
        assertEquals(12, Policy.commandPartitions(o));
        JsonNode chunks = Kustomize.named(o, "KafkaTopic", "counterfact.dataset-chunks").path("spec").path("config");
        assertTrue(chunks.path("max.message.bytes").asLong() >= 1_100_000, "dataset chunks are up to ~1 MB");
    }

    @Test
    void localHasOneCloudNativePgClusterPerServiceDatabase() {
        List<ObjectNode> o = Kustomize.render("overlays/local");
        for (String service : List.of("ingestion-service", "estimation-service", "query-service")) {
            String db = Policy.DATABASE_OF.get(service);
            ObjectNode cluster = Kustomize.named(o, "Cluster", db + "-db");
            assertEquals(db, cluster.path("spec").path("bootstrap").path("initdb").path("database").asText());
            String secret = cluster.path("spec").path("bootstrap").path("initdb").path("secret").path("name").asText();
            String url = Kustomize.named(o, "ConfigMap", service + "-config").path("data").path("QUARKUS_DATASOURCE_JDBC_URL").asText();
            assertEquals("jdbc:postgresql://" + db + "-db-rw." + cluster.path("metadata").path("namespace").asText()
                    + ".svc:5432/" + db, url, service + " connects to its own cluster's read-write service");
            // the service reads the same credentials CNPG bootstraps the owner with
            List<String> secretsUsed = new ArrayList<>();
            Kustomize.named(o, "Deployment", service).path("spec").path("template").path("spec").path("containers").get(0)
                    .path("env").forEach(e -> secretsUsed.add(e.path("valueFrom").path("secretKeyRef").path("name").asText()));
            assertTrue(secretsUsed.contains(secret), service + " uses Secret " + secret + ": " + secretsUsed);
        }
        assertEquals(3, Kustomize.ofKind(o, "Cluster").size());
    }

    @Test
    void awsUsesRdsAndMskFromTerraformOutputsAndCreatesTopicsWithAJob() {
        List<ObjectNode> o = Kustomize.render("overlays/aws");
        assertTrue(Kustomize.ofKind(o, "Kafka").isEmpty() && Kustomize.ofKind(o, "KafkaTopic").isEmpty()
                && Kustomize.ofKind(o, "Cluster").isEmpty(), "no in-cluster Kafka or PostgreSQL on AWS");
        assertTrue(Kustomize.ofKind(o, "ConfigMap").stream()
                .noneMatch(c -> "terraform-outputs".equals(c.path("metadata").path("name").asText())),
                "the Terraform outputs ConfigMap is local-config, not applied");
        for (String service : List.of("ingestion-service", "estimation-service", "query-service")) {
            JsonNode data = Kustomize.named(o, "ConfigMap", service + "-config").path("data");
            String db = Policy.DATABASE_OF.get(service);
            assertTrue(data.path("QUARKUS_DATASOURCE_JDBC_URL").asText().matches(
                    "jdbc:postgresql://[^/]+\\.rds\\.amazonaws\\.com:5432/" + db + "\\?sslmode=require"),
                    service + ": " + data.path("QUARKUS_DATASOURCE_JDBC_URL"));
            assertTrue(data.path("KAFKA_BOOTSTRAP_SERVERS").asText().contains(".kafka."), service + " uses MSK");
            assertEquals("SSL", data.path("KAFKA_SECURITY_PROTOCOL").asText());
        }
        ObjectNode job = Kustomize.named(o, "Job", "kafka-topics");
        String script = Kustomize.named(o, "ConfigMap", "kafka-topics-script").path("data").path("create-topics.sh").asText();
        for (String topic : expectedTopics()) {
            assertTrue(script.matches("(?s).*\\ncreate " + topic.replace(".", "\\.") + " .*"), "the topic Job creates " + topic);
        }
        assertTrue(script.matches("(?s).*\\ncreate counterfact\\.estimation-commands +12 .*"), "12 command partitions");
        assertEquals("kafka-topics-script", job.path("spec").path("template").path("spec").path("volumes").get(0)
                .path("configMap").path("name").asText());
        ObjectNode so = Kustomize.ofKind(o, "ScaledObject").get(0);
        assertEquals("enable", so.path("spec").path("triggers").get(0).path("metadata").path("tls").asText(),
                "KEDA reaches MSK over TLS");
        assertEquals("alb", Kustomize.named(o, "Ingress", "gateway").path("spec").path("ingressClassName").asText());
        for (ObjectNode d : Kustomize.ofKind(o, "Deployment")) {
            String image = d.path("spec").path("template").path("spec").path("containers").get(0).path("image").asText();
            assertTrue(image.matches("\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/counterfact/" + d.path("metadata").path("name").asText() + ":.+"),
                    "image from ECR: " + image);
        }
    }

    @Test
    void theBaseLeavesDataEndpointsToTheOverlays() {
        List<ObjectNode> base = Kustomize.render("base");
        assertTrue(base.toString().contains("OVERLAY_MUST_SET"));
        assertTrue(Kustomize.ofKind(base, "Secret").isEmpty());
    }
}
