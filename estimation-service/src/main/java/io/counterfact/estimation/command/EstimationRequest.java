package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.http.ProblemException;
import io.counterfact.engine.EstimationSpec;

import java.util.ArrayList;
import java.util.Iterator;
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

    /** The body's fields, in the order the API lists them. */
    static final List<String> FIELDS = List.of("datasetId", "version", "method", "estimand", "treatment", "outcome",
            "covariates", "instruments", "endogenous", "dag", "options");

    /**
     * Reads a body as the API defines it, field by field, so that a value of the wrong JSON type is a 400 naming the
     * field and the type it needs in the API's words. (Bound by Jackson onto this record, the same mistake would be
     * answered in Jackson's words: {@code java.lang.Integer}, {@code EstimationRequest} and the like.)
     *
     * @throws ProblemException 400 naming the field: not a JSON object, an unknown field, a value of the wrong type
     */
    public static EstimationRequest parse(JsonNode body) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            throw ProblemException.badRequest("no request body: expected {\"datasetId\", \"version\", \"method\", ...}");
        }
        if (!body.isObject()) {
            throw ProblemException.badRequest("the request body must be a JSON object {\"datasetId\", \"version\", "
                    + "\"method\", ...}, not " + kind(body));
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw EstimationCommands.bad(shown(name), "unknown field '" + shown(name) + "'; the fields are "
                        + String.join(", ", FIELDS));
            }
        }
        return new EstimationRequest(string(body, "datasetId"), version(body), string(body, "method"),
                string(body, "estimand"), string(body, "treatment"), string(body, "outcome"),
                names(body, "covariates"), names(body, "instruments"), names(body, "endogenous"), dag(body),
                options(body));
    }

    private static String string(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw EstimationCommands.bad(field, field + " must be a string, not " + kind(v));
        }
        return v.textValue();
    }

    private static Integer version(JsonNode body) {
        JsonNode v = body.get("version");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw EstimationCommands.bad("version", "version must be a positive integer (a version of the dataset, "
                    + "from 1), not " + kind(v));
        }
        return v.intValue();
    }

    private static List<String> names(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw EstimationCommands.bad(field, field + " must be an array of column names, not " + kind(v));
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual()) {
                throw EstimationCommands.bad(field + "[" + i + "]", field + "[" + i + "] must be a column name (a "
                        + "string), not " + kind(e));
            }
            out.add(e.textValue());
        }
        return out;
    }

    private static Object dag(JsonNode body) {
        JsonNode v = body.get("dag");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() && !v.isObject()) {
            throw EstimationCommands.bad("dag", "dag must be dagitty text (a string) or the JSON form {\"nodes\", "
                    + "\"edges\", \"bidirected\"}, not " + kind(v));
        }
        return v.isTextual() ? v.textValue() : plain(v);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> options(JsonNode body) {
        JsonNode v = body.get("options");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw EstimationCommands.bad("options", "options must be an object of option names and values, not "
                    + kind(v));
        }
        return (Map<String, Object>) plain(v);
    }

    /** A JSON value's kind as an analyst reads it, with a short excerpt: {@code a number (7)}. */
    static String kind(JsonNode v) {
        String type = switch (v.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> "a value of another kind";
        };
        if (v.isContainerNode() || v.isNull()) {
            return type;
        }
        return type + " (" + shown(v.isTextual() ? "'" + v.textValue() + "'" : v.asText()) + ")";
    }

    /** A caller's text as quoted back in a message: at most 80 characters. */
    static String shown(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

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
