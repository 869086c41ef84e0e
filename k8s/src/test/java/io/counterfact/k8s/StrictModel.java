package io.counterfact.k8s;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.crdgenerator.annotations.PresentInVersions;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Offline, strict validation of rendered objects against typed API models:
 * <ul>
 * <li>built-in Kubernetes kinds against the fabric8 Kubernetes model (generated from the Kubernetes
 * OpenAPI definitions);</li>
 * <li>Strimzi's Kafka, KafkaNodePool and KafkaTopic against Strimzi's own API model (io.strimzi:api,
 * the classes Strimzi generates its CRDs from).</li>
 * </ul>
 * Both models keep unknown fields in an "additionalProperties" map (a @JsonAnySetter); the mapper here
 * ignores every any-setter and fails on unknown properties, so a misspelt or misplaced field fails, as
 * {@code kubectl apply --validate=strict} would. Scalars are not coerced: a number where the API wants
 * a string (an env value, a ConfigMap value, a label) fails as it does in the API server.
 */
final class StrictModel {

    /** Kinds validated by a typed model of their CRD. */
    static final Map<String, Class<?>> CUSTOM_MODELS = Map.of(
            "kafka.strimzi.io/v1/Kafka", Kafka.class,
            "kafka.strimzi.io/v1/KafkaNodePool", KafkaNodePool.class,
            "kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class);

    /** Kinds with no CRD model available offline: checked field by field in {@link CustomResourceChecks}. */
    static final Set<String> FIELD_CHECKED = Set.of(
            "keda.sh/v1alpha1/ScaledObject",
            "postgresql.cnpg.io/v1/Cluster");

    static final ObjectMapper STRICT = strictMapper();
    private static final KubernetesSerialization FABRIC8 = new KubernetesSerialization();

    private StrictModel() {
    }

    static ObjectMapper strictMapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(Annotated a) {
                        // the models' additionalProperties any-setters would swallow unknown fields
                        return Boolean.FALSE;
                    }
                })
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .addModule(new SimpleModule("strimzi-v1-fields").setDeserializerModifier(new V1FieldsOnly()))
                .build();
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /**
     * Strimzi's model classes carry the fields of every API version they serve; a field marked
     * {@code @PresentInVersions("v1beta2")} is not part of kafka.strimzi.io/v1 (e.g. Kafka's
     * spec.kafka.replicas, spec.kafka.storage, spec.zookeeper). Drop such fields from deserialization
     * so that using one in a v1 resource is an unknown field.
     */
    static final class V1FieldsOnly extends BeanDeserializerModifier {
        @Override
        public List<BeanPropertyDefinition> updateProperties(DeserializationConfig config, BeanDescription description,
                                                             List<BeanPropertyDefinition> properties) {
            if (!description.getBeanClass().getName().startsWith("io.strimzi.")) {
                return properties;
            }
            return properties.stream().filter(StrictModel::presentInV1).toList();
        }
    }

    static boolean presentInV1(BeanPropertyDefinition property) {
        for (AnnotatedMember member : new AnnotatedMember[] {property.getGetter(), property.getSetter(), property.getField()}) {
            if (member == null) {
                continue;
            }
            PresentInVersions present = member.getAnnotation(PresentInVersions.class);
            if (present != null) {
                return includesV1(present.value());
            }
        }
        return true;
    }

    /** Strimzi's version ranges: "v1beta2", "v1+", "v1beta2+", "v1alpha1-v1beta2", comma-separated; v1 is the newest. */
    static boolean includesV1(String ranges) {
        for (String range : ranges.split(",")) {
            String r = range.trim();
            if (r.equals("v1") || r.endsWith("+") || r.endsWith("-v1")) {
                return true;
            }
        }
        return false;
    }

    /** The typed model class of an object, if any (built-in via fabric8's registry, else the CRD models). */
    static Optional<Class<?>> modelClass(JsonNode object) {
        Class<?> custom = CUSTOM_MODELS.get(Kustomize.gvk(object));
        if (custom != null) {
            return Optional.of(custom);
        }
        Class<? extends KubernetesResource> type = FABRIC8.getRegisteredKubernetesResource(
                object.path("apiVersion").asText(), object.path("kind").asText());
        if (type == null || GenericKubernetesResource.class.equals(type)) {
            return Optional.empty();
        }
        return Optional.of(type);
    }

    static boolean isBuiltIn(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return group.isEmpty() || !group.contains(".") || group.endsWith(".k8s.io");
    }

    /**
     * Validates one object strictly. Returns the problems found (empty when valid). An object of a kind
     * with no model at all is a problem too, unless it is one of {@link #FIELD_CHECKED}.
     */
    static List<String> validate(JsonNode object) {
        String id = Kustomize.id(object);
        if (!object.path("apiVersion").isTextual() || !object.path("kind").isTextual()) {
            return List.of(id + ": apiVersion and kind are required");
        }
        if (!object.path("metadata").path("name").isTextual() || object.path("metadata").path("name").asText().isBlank()) {
            return List.of(id + ": metadata.name is required");
        }
        Optional<Class<?>> model = modelClass(object);
        if (model.isEmpty()) {
            if (FIELD_CHECKED.contains(Kustomize.gvk(object))) {
                return List.of();
            }
            return List.of(id + ": no schema for " + Kustomize.gvk(object)
                    + (isBuiltIn(object) ? " (not a Kubernetes API kind/version known to the model: misspelt or removed?)"
                    : " (a custom resource with no model here: add one, or field checks in CustomResourceChecks)"));
        }
        try {
            Object typed = STRICT.treeToValue(object, model.get());
            // what the model kept must be what was written: catches values a model maps to null
            // (an unknown enum constant, e.g. a Strimzi listener type) or otherwise drops
            List<String> lost = new java.util.ArrayList<>();
            ObjectNode written = object.deepCopy();
            written.remove(List.of("apiVersion", "kind")); // resolved above; a CR model writes its storage version
            compare(written, STRICT.valueToTree(typed), "", lost);
            return lost.stream().map(l -> id + ": " + l).toList();
        } catch (JsonMappingException e) {
            return List.of(id + ": " + describe(e));
        } catch (Exception e) {
            return List.of(id + ": " + e.getMessage());
        }
    }

    /** Every value of the input must survive the typed model unchanged (numbers compared by value). */
    static void compare(JsonNode input, JsonNode output, String path, List<String> lost) {
        if (input == null || input.isNull()) {
            return;
        }
        if (output == null || output.isNull() || output.isMissingNode()) {
            if ((input.isBoolean() && !input.asBoolean()) || (input.isNumber() && input.decimalValue().signum() == 0)
                    || (input.isContainerNode() && input.isEmpty())) {
                return; // a default value the model does not write back
            }
            lost.add("at " + (path.isEmpty() ? "<root>" : path) + ": value " + input + " is not valid here (the model drops it)");
            return;
        }
        if (input.isObject()) {
            input.fields().forEachRemaining(f -> compare(f.getValue(), output.get(f.getKey()),
                    path.isEmpty() ? f.getKey() : path + "." + f.getKey(), lost));
        } else if (input.isArray()) {
            if (!output.isArray() || output.size() != input.size()) {
                lost.add("at " + path + ": list " + input + " became " + output);
                return;
            }
            for (int i = 0; i < input.size(); i++) {
                compare(input.get(i), output.get(i), path + "[" + i + "]", lost);
            }
        } else if (input.isNumber() && output.isNumber()) {
            if (input.decimalValue().compareTo(output.decimalValue()) != 0) {
                lost.add("at " + path + ": " + input + " became " + output);
            }
        } else if (!input.asText().equals(output.asText()) || input.isContainerNode() != output.isContainerNode()) {
            lost.add("at " + path + ": " + input + " became " + output);
        }
    }

    /** "field 'foo' at spec.template.spec.containers[0] is not part of ..." */
    static String describe(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        String message = e.getOriginalMessage();
        int newline = message.indexOf('\n');
        if (newline > 0) {
            message = message.substring(0, newline);
        }
        return "at " + (path.length() == 0 ? "<root>" : path) + ": " + message;
    }
}
