package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.engine.EstimationSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/estimations}. {@code dag} is dagitty text or the JSON form; the lists default to
 * empty, {@code options} to none.
 */
public record EstimationRequest(String datasetId, Integer version, String method, String estimand, String treatment,
                                String outcome, List<String> covariates, List<String> instruments,
                                List<String> endogenous, Object dag, Map<String, Object> options) {

    /** The request as stored and published ({@code estimation-request.v1.json}): defaults filled in. */
    public ObjectNode normalized(ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("datasetId", datasetId);
        n.put("version", version);
        n.put("method", method);
        n.put("estimand", estimand);
        n.put("treatment", treatment);
        n.put("outcome", outcome);
        n.set("covariates", json.valueToTree(covariates == null ? List.of() : covariates));
        n.set("instruments", json.valueToTree(instruments == null ? List.of() : instruments));
        n.set("endogenous", json.valueToTree(endogenous == null ? List.of() : endogenous));
        n.set("dag", dag == null ? json.nullNode() : json.valueToTree(dag));
        n.set("options", json.valueToTree(options == null ? Map.of() : options));
        return n;
    }

    /** The engine's spec of a normalized request. */
    @SuppressWarnings("unchecked")
    public static EstimationSpec spec(ObjectMapper json, JsonNode request) {
        JsonNode dag = request.get("dag");
        String dagText = dag == null || dag.isNull() ? null : dag.isTextual() ? dag.asText() : dag.toString();
        return new EstimationSpec(text(request, "method"), text(request, "estimand"), text(request, "treatment"),
                text(request, "outcome"), list(json, request, "covariates"), list(json, request, "instruments"),
                list(json, request, "endogenous"), dagText,
                request.hasNonNull("options") ? (Map<String, Object>) plain(request.get("options")) : Map.of());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(ObjectMapper json, JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? List.of() : (List<String>) plain(v);
    }

    /** A JSON tree as plain Java values (Map, List, String, Number, Boolean, null), as the engine takes options. */
    static Object plain(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            v.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        if (v.isArray()) {
            List<Object> l = new java.util.ArrayList<>();
            v.forEach(e -> l.add(plain(e)));
            return l;
        }
        if (v.isNumber()) {
            return v.numberValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        return v.asText();
    }
}
