package io.counterfact.common.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates events against the JSON Schemas shipped in this jar ({@code schemas/}): producers in their tests,
 * consumers before they act on an event (an invalid one goes to the dead-letter topic).
 */
public final class EventSchemas {

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(m -> m.mapPrefix("https://counterfact.io/schemas/", "classpath:schemas/")));
    /** Draft 2020-12 only annotates {@code format} by default; a consumer relies on uuid and date-time being real. */
    private static final SchemaValidatorsConfig FORMATS_ASSERTED = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true).build();
    private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private EventSchemas() {
    }

    /** @return the violations of the envelope and of its data's schema; empty if the event is valid */
    public static List<String> violations(JsonNode envelope) {
        List<String> out = new ArrayList<>(messages(schema("envelope.v1.json").validate(envelope)));
        if (!out.isEmpty()) {
            return out;
        }
        String name = envelope.get("type").asText() + ".v" + envelope.get("schemaversion").asInt() + ".json";
        if (EventSchemas.class.getResource("/schemas/" + name) == null) {
            return List.of("no schema for event type " + envelope.get("type").asText() + " version "
                    + envelope.get("schemaversion").asInt());
        }
        out.addAll(messages(schema(name).validate(envelope.get("data"))));
        return out;
    }

    private static JsonSchema schema(String name) {
        return CACHE.computeIfAbsent(name, n -> FACTORY.getSchema(SchemaLocation.of("https://counterfact.io/schemas/" + n),
                FORMATS_ASSERTED));
    }

    private static List<String> messages(Set<ValidationMessage> messages) {
        return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
    }
}
