package io.counterfact.common.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Jackson's messages lose their Java type names and pointers into Jackson's API. */
class JsonErrorTextTest {

    @Test
    void constraintMessagesLoseTheirPointerIntoJackson() {
        assertEquals("Document nesting depth (201) exceeds the maximum allowed (200)", JsonErrorText.clean(
                "Document nesting depth (201) exceeds the maximum allowed (200, from "
                        + "`StreamReadConstraints.getMaxNestingDepth()`)"));
    }

    @Test
    void javaTypesBecomeJsonKinds() {
        assertEquals("Cannot deserialize value of type object from Array value (token '[')",
                JsonErrorText.clean("Cannot deserialize value of type `io.counterfact.ingestion.dataset.NewDataset` "
                        + "from Array value (token `JsonToken.START_ARRAY`)"));
        assertEquals("Cannot deserialize value of type string from Object value",
                JsonErrorText.clean("Cannot deserialize value of type `java.lang.String` from Object value"));
        assertEquals("Cannot deserialize value of type array from Object value",
                JsonErrorText.clean("Cannot deserialize value of type `java.util.List<java.lang.String>` from Object value"));
        assertEquals("Unrecognized field \"colour\", not marked as ignorable (2 known properties: \"name\", \"columns\"])",
                JsonErrorText.clean("Unrecognized field \"colour\" (class io.counterfact.ingestion.dataset.NewDataset),"
                        + " not marked as ignorable (2 known properties: \"name\", \"columns\"])"));
    }
}
