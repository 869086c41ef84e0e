package io.counterfact.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each policy rule fails when the manifests break it: a compliant render (overlays/local) is broken
 * on purpose, one way at a time, and the rule must name the fault.
 */
class PolicyNegativeTest {

    private static List<ObjectNode> local() {
        return new ArrayList<>(Kustomize.render("overlays/local"));
    }

    private static ObjectNode container(List<ObjectNode> objects, String deployment) {
        return (ObjectNode) Kustomize.named(objects, "Deployment", deployment)
                .path("spec").path("template").path("spec").path("containers").get(0);
    }

    private static ObjectNode podSpec(List<ObjectNode> objects, String deployment) {
        return (ObjectNode) Kustomize.named(objects, "Deployment", deployment).path("spec").path("template").path("spec");
    }

    private static void assertViolation(Function<List<ObjectNode>, List<String>> rule, List<ObjectNode> broken, String expected) {
        List<String> violations = rule.apply(broken);
        assertTrue(violations.stream().anyMatch(v -> v.contains(expected)),
                "expected a violation containing '" + expected + "', got " + violations);
    }

    @Test
    void theCompliantRenderHasNoViolation() {
        Policy.all(local(), true).forEach((rule, violations) -> assertEquals(List.of(), violations, rule));
    }

    @Test
    void missingProbeOrResourceFails() {
        List<ObjectNode> o = local();
        container(o, "ingestion-service").remove("readinessProbe");
        assertViolation(Policy::probesAndResources, o, "ingestion-service container ingestion-service: no readinessProbe");

        o = local();
        container(o, "estimation-service").remove("startupProbe");
        assertViolation(Policy::probesAndResources, o, "no startupProbe");

        o = local();
        ((ObjectNode) container(o, "query-service").path("resources").path("limits")).remove("memory");
        assertViolation(Policy::probesAndResources, o, "no resources.limits.memory");

        o = local();
        container(o, "gateway").remove("resources");
        assertViolation(Policy::probesAndResources, o, "no resources.requests.cpu");
    }

    @Test
    void weakSecurityContextFails() {
        List<ObjectNode> o = local();
        ((ObjectNode) container(o, "gateway").path("securityContext")).put("readOnlyRootFilesystem", false);
        assertViolation(Policy::securityContext, o, "gateway: readOnlyRootFilesystem is not true");

        o = local();
        ((ObjectNode) container(o, "query-service").path("securityContext")).remove("allowPrivilegeEscalation");
        assertViolation(Policy::securityContext, o, "allowPrivilegeEscalation is not false");

        o = local();
        ((ObjectNode) container(o, "ingestion-service").path("securityContext")).remove("capabilities");
        assertViolation(Policy::securityContext, o, "capabilities.drop does not contain ALL");

        o = local();
        ((ObjectNode) container(o, "estimation-service").path("securityContext")).remove("seccompProfile");
        ((ObjectNode) podSpec(o, "estimation-service").path("securityContext")).remove("seccompProfile");
        assertViolation(Policy::securityContext, o, "seccompProfile is not RuntimeDefault");

        o = local();
        ((ObjectNode) container(o, "gateway").path("securityContext")).put("runAsNonRoot", false);
        assertViolation(Policy::securityContext, o, "runAsNonRoot is not true");

        o = local();
        ((ArrayNode) container(o, "gateway").path("volumeMounts")).removeAll();
        assertViolation(Policy::securityContext, o, "no writable volume on /tmp");
    }

    @Test
    void exposingAnotherServiceFails() {
        List<ObjectNode> o = local();
        ((ObjectNode) Kustomize.named(o, "Service", "query-service").path("spec")).put("type", "NodePort");
        assertViolation(Policy::onlyGatewayExposed, o, "type NodePort exposes a service other than the gateway");

        o = local();
        ((ObjectNode) Kustomize.named(o, "Service", "ingestion-service").path("spec")).put("type", "LoadBalancer");
        assertViolation(Policy::onlyGatewayExposed, o, "type LoadBalancer");

        o = local();
        ObjectNode backend = (ObjectNode) Kustomize.named(o, "Ingress", "gateway").path("spec").path("rules").get(0)
                .path("http").path("paths").get(0).path("backend").path("service");
        backend.put("name", "estimation-service");
        assertViolation(Policy::onlyGatewayExposed, o, "routes to estimation-service");

        o = local();
        // a NetworkPolicy admitting any source to query-service
        ((ObjectNode) Kustomize.named(o, "NetworkPolicy", "query-service-from-gateway").path("spec").path("ingress").get(0))
                .remove("from");
        assertViolation(Policy::onlyGatewayExposed, o, "admits traffic from outside");

        o = local();
        ObjectNode peer = (ObjectNode) Kustomize.named(o, "NetworkPolicy", "ingestion-service-from-gateway")
                .path("spec").path("ingress").get(0).path("from").get(0);
        peer.removeAll();
        peer.putObject("ipBlock").put("cidr", "0.0.0.0/0");
        assertViolation(Policy::onlyGatewayExposed, o, "admits traffic from outside");

        o = local();
        ((ObjectNode) Kustomize.ofKind(o, "Kafka").get(0).path("spec").path("kafka").path("listeners").get(0))
                .put("type", "loadbalancer");
        assertViolation(Policy::onlyGatewayExposed, o, "exposes Kafka outside the cluster");

        // the gateway itself may be a LoadBalancer
        o = local();
        ((ObjectNode) Kustomize.named(o, "Service", "gateway").path("spec")).put("type", "LoadBalancer");
        assertEquals(List.of(), Policy.onlyGatewayExposed(o));
    }

    @Test
    void anIngressPathThatReachesQFails() {
        List<ObjectNode> o = local();
        ObjectNode path = (ObjectNode) Kustomize.named(o, "Ingress", "gateway").path("spec").path("rules").get(0)
                .path("http").path("paths").get(0);
        path.put("path", "/").put("pathType", "Prefix");
        assertViolation(Policy::noOperatorPathsThroughIngress, o, "path / (Prefix) reaches /q/health/ready");

        o = local();
        path = (ObjectNode) Kustomize.named(o, "Ingress", "gateway").path("spec").path("rules").get(0)
                .path("http").path("paths").get(0);
        path.put("path", "/q").put("pathType", "Prefix");
        assertViolation(Policy::noOperatorPathsThroughIngress, o, "path /q (Prefix) reaches /q/health/ready");

        o = local();
        ObjectNode spec = (ObjectNode) Kustomize.named(o, "Ingress", "gateway").path("spec");
        spec.putObject("defaultBackend").putObject("service").put("name", "gateway");
        assertViolation(Policy::noOperatorPathsThroughIngress, o, "a default backend");

        // a prefix that only shares letters with /q is not a match: /qa does not reach /q/metrics
        o = local();
        path = (ObjectNode) Kustomize.named(o, "Ingress", "gateway").path("spec").path("rules").get(0)
                .path("http").path("paths").get(0);
        path.put("path", "/qa").put("pathType", "Prefix");
        assertEquals(List.of(), Policy.noOperatorPathsThroughIngress(o));
    }

    @Test
    void missingDefaultDenyOrOpenEgressFails() {
        List<ObjectNode> o = local();
        o.remove(Kustomize.named(o, "NetworkPolicy", "default-deny-all"));
        assertViolation(Policy::defaultDeny, o, "no default-deny NetworkPolicy");

        o = local();
        ((ObjectNode) Kustomize.named(o, "NetworkPolicy", "gateway-to-services").path("spec").path("egress").get(0)).remove("to");
        assertViolation(Policy::defaultDeny, o, "without 'to'");
    }

    @Test
    void reachingAnotherServicesDatabaseFails() {
        List<ObjectNode> o = local();
        ObjectNode labels = (ObjectNode) Kustomize.named(o, "NetworkPolicy", "ingestion-service-to-data")
                .path("spec").path("egress").get(0).path("to").get(0).path("podSelector").path("matchLabels");
        labels.put("cnpg.io/cluster", "query-db");
        assertViolation(Policy::ownDatabaseOnly, o, "may reach database cluster query-db");
    }

    @Test
    void estimationWithoutLagScalingFails() {
        List<ObjectNode> o = local();
        o.remove(Kustomize.ofKind(o, "ScaledObject").get(0));
        assertViolation(Policy::estimationLagScaling, o, "expected exactly one KEDA ScaledObject");

        o = local();
        ArrayNode triggers = (ArrayNode) Kustomize.ofKind(o, "ScaledObject").get(0).path("spec").path("triggers");
        triggers.remove(0); // the kafka trigger
        assertViolation(Policy::estimationLagScaling, o, "no lag-based (kafka) trigger");

        o = local();
        ((ObjectNode) Kustomize.ofKind(o, "ScaledObject").get(0).path("spec").path("triggers").get(0).path("metadata"))
                .put("topic", "counterfact.estimation-events");
        assertViolation(Policy::estimationLagScaling, o, "not counterfact.estimation-commands");

        o = local();
        ((ObjectNode) Kustomize.ofKind(o, "ScaledObject").get(0).path("spec").path("triggers").get(0).path("metadata"))
                .remove("lagThreshold");
        assertViolation(Policy::estimationLagScaling, o, "no lagThreshold");

        o = local();
        ((ArrayNode) Kustomize.ofKind(o, "ScaledObject").get(0).path("spec").path("triggers")).remove(1); // cpu
        assertViolation(Policy::estimationLagScaling, o, "no cpu trigger");

        o = local();
        ((ObjectNode) Kustomize.ofKind(o, "ScaledObject").get(0).path("spec")).put("maxReplicaCount", 20);
        assertViolation(Policy::estimationLagScaling, o, "exceeds the 12 partitions");
    }

    @Test
    void anHpaOnEstimationFails() {
        List<ObjectNode> o = local();
        ObjectNode hpa = Kustomize.named(o, "HorizontalPodAutoscaler", "query-service").deepCopy();
        ((ObjectNode) hpa.path("metadata")).put("name", "estimation-service");
        ((ObjectNode) hpa.path("spec").path("scaleTargetRef")).put("name", "estimation-service");
        o.add(hpa);
        assertViolation(Policy::noHpaOnEstimation, o, "targets estimation-service");
    }

    @Test
    void missingCpuHpaFails() {
        List<ObjectNode> o = local();
        o.remove(Kustomize.named(o, "HorizontalPodAutoscaler", "query-service"));
        assertViolation(Policy::cpuHpas, o, "query-service: expected one HorizontalPodAutoscaler");

        o = local();
        ((ObjectNode) Kustomize.named(o, "HorizontalPodAutoscaler", "gateway").path("spec").path("metrics").get(0)
                .path("resource")).put("name", "memory");
        assertViolation(Policy::cpuHpas, o, "no CPU resource metric");
    }

    @Test
    void missingPdbServiceAccountOrGraceFails() {
        List<ObjectNode> o = local();
        o.remove(Kustomize.named(o, "PodDisruptionBudget", "estimation-service"));
        assertViolation(Policy::perServiceObjects, o, "estimation-service: no PodDisruptionBudget");

        o = local();
        podSpec(o, "ingestion-service").remove("serviceAccountName");
        assertViolation(Policy::perServiceObjects, o, "ingestion-service: runs as the default ServiceAccount");

        o = local();
        podSpec(o, "estimation-service").put("terminationGracePeriodSeconds", 30);
        assertViolation(Policy::perServiceObjects, o, "terminationGracePeriodSeconds below its shutdown");

        o = local();
        ((ObjectNode) Kustomize.named(o, "ConfigMap", "estimation-service-config").path("data"))
                .put("COUNTERFACT_ESTIMATION_SHUTDOWN_GRACE", "PT2M");
        assertViolation(Policy::perServiceObjects, o, "terminationGracePeriodSeconds below its shutdown");

        o = local();
        ((ObjectNode) Kustomize.named(o, "ConfigMap", "estimation-service-config").path("data"))
                .remove("QUARKUS_SHUTDOWN_TIMEOUT");
        assertViolation(Policy::perServiceObjects, o, "QUARKUS_SHUTDOWN_TIMEOUT and COUNTERFACT_ESTIMATION_SHUTDOWN_GRACE");
    }

    @Test
    void secretValuesOrUnsetConfigFail() {
        List<ObjectNode> o = local();
        ObjectNode secret = Kustomize.YAML.createObjectNode();
        secret.put("apiVersion", "v1").put("kind", "Secret").putObject("metadata").put("name", "leak").put("namespace", "counterfact");
        secret.putObject("stringData").put("password", "hunter2");
        o.add(secret);
        assertViolation(l -> Policy.secretsAndConfig(l, true), o, "a Secret in the manifests");

        o = local();
        for (JsonNode env : container(o, "gateway").path("env")) {
            if ("COUNTERFACT_TOKEN".equals(env.path("name").asText())) {
                ((ObjectNode) env).remove("valueFrom");
                ((ObjectNode) env).put("value", "dev-token");
            }
        }
        assertViolation(l -> Policy.secretsAndConfig(l, true), o, "env COUNTERFACT_TOKEN: must come from a Secret");

        o = local();
        ((ObjectNode) Kustomize.named(o, "ConfigMap", "query-service-config").path("data"))
                .put("KAFKA_BOOTSTRAP_SERVERS", "OVERLAY_MUST_SET");
        assertViolation(l -> Policy.secretsAndConfig(l, true), o, "OVERLAY_MUST_SET");
    }

    @Test
    void objectWithoutNamespaceFails() {
        List<ObjectNode> o = local();
        ((ObjectNode) Kustomize.named(o, "Service", "gateway").path("metadata")).remove("namespace");
        assertViolation(Policy::namespaced, o, "Service gateway: no namespace");
    }
}
