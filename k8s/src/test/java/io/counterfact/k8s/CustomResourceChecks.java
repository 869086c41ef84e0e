package io.counterfact.k8s;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Field-by-field checks of the custom resources for which no CRD schema or typed model can be had
 * offline from Maven Central: KEDA's ScaledObject (keda.sh/v1alpha1) and CloudNativePG's Cluster
 * (postgresql.cnpg.io/v1). The schemas below are the subsets of the upstream CRDs (KEDA 2.x,
 * CloudNativePG 1.2x) that a counterfact manifest may use; any other field fails, as it would with
 * {@code kubectl apply --validate=strict}. Where a CRD embeds a core Kubernetes type (HPA behavior,
 * ResourceRequirements, ObjectMeta) the strict fabric8 model validates it.
 */
final class CustomResourceChecks {

    private CustomResourceChecks() {
    }

    /** A minimal structural schema: the subset of OpenAPI v3 the CRDs use here. */
    interface Schema {
        void check(JsonNode value, String path, List<String> errors);
    }

    static Schema string() {
        return (v, p, e) -> {
            if (!v.isTextual()) {
                e.add(p + ": must be a string, is " + v.getNodeType() + " (" + v + ")");
            }
        };
    }

    static Schema nonEmptyString() {
        return (v, p, e) -> {
            if (!v.isTextual() || v.asText().isBlank()) {
                e.add(p + ": must be a non-empty string, is " + v);
            }
        };
    }

    static Schema enumOf(String... values) {
        Set<String> allowed = Set.of(values);
        return (v, p, e) -> {
            if (!v.isTextual() || !allowed.contains(v.asText())) {
                e.add(p + ": must be one of " + allowed + ", is " + v);
            }
        };
    }

    static Schema integer(long min, long max) {
        return (v, p, e) -> {
            if (!v.isIntegralNumber()) {
                e.add(p + ": must be an integer, is " + v.getNodeType() + " (" + v + ")");
            } else if (v.asLong() < min || v.asLong() > max) {
                e.add(p + ": must be in [" + min + ", " + max + "], is " + v);
            }
        };
    }

    static Schema bool() {
        return (v, p, e) -> {
            if (!v.isBoolean()) {
                e.add(p + ": must be a boolean, is " + v);
            }
        };
    }

    /** A string that a KEDA scaler parses as an integer (metadata values are strings in the CRD). */
    static Schema intString(long min) {
        return (v, p, e) -> {
            if (!v.isTextual()) {
                e.add(p + ": must be a string (quote it), is " + v.getNodeType() + " (" + v + ")");
                return;
            }
            try {
                if (Long.parseLong(v.asText()) < min) {
                    e.add(p + ": must be >= " + min + ", is " + v);
                }
            } catch (NumberFormatException x) {
                e.add(p + ": must be an integer in a string, is " + v);
            }
        };
    }

    static Schema listOf(Schema item) {
        return (v, p, e) -> {
            if (!v.isArray()) {
                e.add(p + ": must be a list, is " + v.getNodeType());
                return;
            }
            for (int i = 0; i < v.size(); i++) {
                item.check(v.get(i), p + "[" + i + "]", e);
            }
        };
    }

    /** A map of string to string (labels, annotations, KEDA trigger metadata). */
    static Schema stringMap() {
        return (v, p, e) -> {
            if (!v.isObject()) {
                e.add(p + ": must be a map of strings, is " + v.getNodeType());
                return;
            }
            v.fields().forEachRemaining(f -> string().check(f.getValue(), p + "." + f.getKey(), e));
        };
    }

    /** A core Kubernetes type embedded in a CRD, checked strictly by the fabric8 model. */
    static Schema core(Class<?> type) {
        return (v, p, e) -> {
            try {
                StrictModel.STRICT.treeToValue(v, type);
            } catch (JsonMappingException x) {
                e.add(p + " (" + type.getSimpleName() + ") " + StrictModel.describe(x));
            } catch (Exception x) {
                e.add(p + " (" + type.getSimpleName() + "): " + x.getMessage());
            }
        };
    }

    static final class Obj implements Schema {
        private final Map<String, Schema> properties = new LinkedHashMap<>();
        private final List<String> required = new ArrayList<>();

        Obj field(String name, Schema schema) {
            properties.put(name, schema);
            return this;
        }

        Obj required(String name, Schema schema) {
            required.add(name);
            return field(name, schema);
        }

        @Override
        public void check(JsonNode v, String p, List<String> e) {
            if (!v.isObject()) {
                e.add(p + ": must be an object, is " + v.getNodeType());
                return;
            }
            for (String name : required) {
                if (!v.has(name) || v.get(name).isNull()) {
                    e.add(p + "." + name + ": required");
                }
            }
            Iterator<Map.Entry<String, JsonNode>> fields = v.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                Schema schema = properties.get(f.getKey());
                if (schema == null) {
                    e.add(p + "." + f.getKey() + ": unknown field (known: " + properties.keySet() + ")");
                } else if (!f.getValue().isNull()) {
                    schema.check(f.getValue(), p + "." + f.getKey(), e);
                }
            }
        }
    }

    static Obj object() {
        return new Obj();
    }

    // ---------------------------------------------------------------- KEDA ScaledObject (keda.sh/v1alpha1)

    /** Metadata keys the KEDA kafka scaler reads (KEDA 2.1x). A misspelt key would be ignored by KEDA: fail on it here. */
    static final Set<String> KAFKA_TRIGGER_KEYS = Set.of(
            "bootstrapServers", "bootstrapServersFromEnv", "consumerGroup", "consumerGroupFromEnv",
            "topic", "topicFromEnv", "partitionLimitation", "lagThreshold", "activationLagThreshold",
            "offsetResetPolicy", "allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset",
            "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions", "version",
            "sasl", "tls", "unsafeSsl", "awsRegion", "awsEndpoint");

    static final Set<String> CPU_TRIGGER_KEYS = Set.of("value", "containerName", "type");

    static final Schema SCALED_OBJECT = object()
            .required("apiVersion", enumOf("keda.sh/v1alpha1"))
            .required("kind", enumOf("ScaledObject"))
            .required("metadata", core(ObjectMeta.class))
            .required("spec", object()
                    .required("scaleTargetRef", object()
                            .field("apiVersion", string())
                            .field("kind", string())
                            .required("name", nonEmptyString())
                            .field("envSourceContainerName", string()))
                    .field("pollingInterval", integer(1, 86_400))
                    .field("cooldownPeriod", integer(0, 86_400))
                    .field("initialCooldownPeriod", integer(0, 86_400))
                    .field("idleReplicaCount", integer(0, 1_000))
                    .field("minReplicaCount", integer(0, 1_000))
                    .field("maxReplicaCount", integer(1, 1_000))
                    .field("fallback", object()
                            .required("failureThreshold", integer(1, 1_000))
                            .required("replicas", integer(0, 1_000))
                            .field("behavior", enumOf("static", "currentReplicas", "currentReplicasIfHigher",
                                    "currentReplicasIfLower")))
                    .field("advanced", object()
                            .field("restoreToOriginalReplicaCount", bool())
                            .field("horizontalPodAutoscalerConfig", object()
                                    .field("name", string())
                                    .field("behavior", core(HorizontalPodAutoscalerBehavior.class)))
                            .field("scalingModifiers", object()
                                    .field("formula", string())
                                    .field("target", string())
                                    .field("activationTarget", string())
                                    .field("metricType", enumOf("AverageValue", "Value"))))
                    .required("triggers", listOf(object()
                            .required("type", nonEmptyString())
                            .field("name", string())
                            .required("metadata", stringMap())
                            .field("authenticationRef", object()
                                    .required("name", nonEmptyString())
                                    .field("kind", enumOf("TriggerAuthentication", "ClusterTriggerAuthentication")))
                            .field("metricType", enumOf("AverageValue", "Value", "Utilization"))
                            .field("useCachedMetrics", bool()))))
            .field("status", object());

    static List<String> checkScaledObject(JsonNode so) {
        List<String> errors = new ArrayList<>();
        String id = Kustomize.id(so);
        SCALED_OBJECT.check(so, id, errors);
        JsonNode spec = so.path("spec");
        if (spec.has("minReplicaCount") && spec.has("maxReplicaCount")
                && spec.path("minReplicaCount").asLong() > spec.path("maxReplicaCount").asLong()) {
            errors.add(id + ": minReplicaCount > maxReplicaCount");
        }
        JsonNode triggers = spec.path("triggers");
        for (int i = 0; i < triggers.size(); i++) {
            JsonNode t = triggers.get(i);
            String p = id + ".spec.triggers[" + i + "]";
            JsonNode md = t.path("metadata");
            switch (t.path("type").asText()) {
                case "kafka" -> {
                    md.fieldNames().forEachRemaining(k -> {
                        if (!KAFKA_TRIGGER_KEYS.contains(k)) {
                            errors.add(p + ".metadata." + k + ": not a parameter of the kafka scaler");
                        }
                    });
                    if (!md.has("bootstrapServers") && !md.has("bootstrapServersFromEnv")) {
                        errors.add(p + ".metadata: bootstrapServers or bootstrapServersFromEnv required");
                    }
                    if (!md.has("consumerGroup") && !md.has("consumerGroupFromEnv")) {
                        errors.add(p + ".metadata: consumerGroup required");
                    }
                    if (md.has("lagThreshold")) {
                        intString(1).check(md.get("lagThreshold"), p + ".metadata.lagThreshold", errors);
                    }
                    if (md.has("activationLagThreshold")) {
                        intString(0).check(md.get("activationLagThreshold"), p + ".metadata.activationLagThreshold", errors);
                    }
                    if (md.has("offsetResetPolicy")) {
                        enumOf("earliest", "latest").check(md.get("offsetResetPolicy"), p + ".metadata.offsetResetPolicy", errors);
                    }
                    for (String flag : List.of("allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset",
                            "limitToPartitionsWithLag", "unsafeSsl")) {
                        if (md.has(flag)) {
                            enumOf("true", "false").check(md.get(flag), p + ".metadata." + flag, errors);
                        }
                    }
                    if (md.has("tls")) {
                        enumOf("enable", "disable").check(md.get("tls"), p + ".metadata.tls", errors);
                    }
                }
                case "cpu", "memory" -> {
                    md.fieldNames().forEachRemaining(k -> {
                        if (!CPU_TRIGGER_KEYS.contains(k)) {
                            errors.add(p + ".metadata." + k + ": not a parameter of the " + t.path("type").asText() + " scaler");
                        }
                    });
                    if (!t.has("metricType")) {
                        errors.add(p + ".metricType: required for a " + t.path("type").asText() + " trigger (Utilization or AverageValue)");
                    } else {
                        enumOf("Utilization", "AverageValue").check(t.get("metricType"), p + ".metricType", errors);
                    }
                    if (!md.has("value")) {
                        errors.add(p + ".metadata.value: required");
                    } else {
                        intString(1).check(md.get("value"), p + ".metadata.value", errors);
                    }
                }
                default -> errors.add(p + ".type: scaler '" + t.path("type").asText() + "' is not checked here; add its parameters");
            }
        }
        return errors;
    }

    // ---------------------------------------------------------------- CloudNativePG Cluster (postgresql.cnpg.io/v1)

    static final Schema SECRET_REF = object().required("name", nonEmptyString());

    static final Schema CLUSTER = object()
            .required("apiVersion", enumOf("postgresql.cnpg.io/v1"))
            .required("kind", enumOf("Cluster"))
            .required("metadata", core(ObjectMeta.class))
            .required("spec", object()
                    .required("instances", integer(1, 100))
                    .field("description", string())
                    .field("imageName", string())
                    .field("imagePullPolicy", enumOf("Always", "IfNotPresent", "Never"))
                    .field("primaryUpdateStrategy", enumOf("unsupervised", "supervised"))
                    .field("primaryUpdateMethod", enumOf("switchover", "restart"))
                    .field("enableSuperuserAccess", bool())
                    .field("superuserSecret", SECRET_REF)
                    .field("enablePDB", bool())
                    .field("logLevel", enumOf("error", "warning", "info", "debug", "trace"))
                    .field("startDelay", integer(1, 86_400))
                    .field("stopDelay", integer(1, 86_400))
                    .field("smartShutdownTimeout", integer(0, 86_400))
                    .field("switchoverDelay", integer(0, 86_400))
                    .field("failoverDelay", integer(0, 86_400))
                    .field("minSyncReplicas", integer(0, 100))
                    .field("maxSyncReplicas", integer(0, 100))
                    .field("priorityClassName", string())
                    .field("inheritedMetadata", object().field("labels", stringMap()).field("annotations", stringMap()))
                    .field("resources", core(ResourceRequirements.class))
                    .field("postgresql", object()
                            .field("parameters", stringMap())
                            .field("pg_hba", listOf(string()))
                            .field("pg_ident", listOf(string()))
                            .field("shared_preload_libraries", listOf(string())))
                    .field("bootstrap", object()
                            .field("initdb", object()
                                    .field("database", nonEmptyString())
                                    .field("owner", nonEmptyString())
                                    .field("secret", SECRET_REF)
                                    .field("encoding", string())
                                    .field("localeCollate", string())
                                    .field("localeCType", string())
                                    .field("locale", string())
                                    .field("localeProvider", string())
                                    .field("dataChecksums", bool())
                                    .field("walSegmentSize", integer(1, 1024))
                                    .field("options", listOf(string()))
                                    .field("postInitSQL", listOf(string()))
                                    .field("postInitApplicationSQL", listOf(string()))
                                    .field("postInitTemplateSQL", listOf(string()))))
                    .field("storage", object()
                            .field("size", nonEmptyString())
                            .field("storageClass", string())
                            .field("resizeInUseVolumes", bool()))
                    .field("walStorage", object()
                            .field("size", nonEmptyString())
                            .field("storageClass", string())
                            .field("resizeInUseVolumes", bool()))
                    .field("monitoring", object()
                            .field("enablePodMonitor", bool())
                            .field("disableDefaultQueries", bool())))
            .field("status", object());

    static List<String> checkCluster(JsonNode cluster) {
        List<String> errors = new ArrayList<>();
        String id = Kustomize.id(cluster);
        CLUSTER.check(cluster, id, errors);
        JsonNode initdb = cluster.path("spec").path("bootstrap").path("initdb");
        if (initdb.isMissingNode()) {
            errors.add(id + ".spec.bootstrap.initdb: required here (each service's database is created by initdb)");
        } else if (initdb.has("owner") && !initdb.has("secret")) {
            errors.add(id + ".spec.bootstrap.initdb.secret: the owner's credentials must come from a Secret");
        }
        if (!cluster.path("spec").path("storage").has("size")) {
            errors.add(id + ".spec.storage.size: required");
        }
        return errors;
    }

    /** Checks every field-checked custom resource of a render. */
    static List<String> check(List<? extends JsonNode> objects) {
        List<String> errors = new ArrayList<>();
        for (JsonNode o : objects) {
            switch (Kustomize.gvk(o)) {
                case "keda.sh/v1alpha1/ScaledObject" -> errors.addAll(checkScaledObject(o));
                case "postgresql.cnpg.io/v1/Cluster" -> errors.addAll(checkCluster(o));
                default -> {
                    // validated by StrictModel
                }
            }
        }
        return errors;
    }
}
