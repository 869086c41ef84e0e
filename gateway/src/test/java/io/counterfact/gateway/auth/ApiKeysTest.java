package io.counterfact.gateway.auth;

import io.counterfact.common.auth.Role;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {

    private static ApiKeys keys(String... nameTokenRole) {
        Map<String, Map.Entry<String, Role>> map = new LinkedHashMap<>();
        for (int i = 0; i < nameTokenRole.length; i += 3) {
            map.put(nameTokenRole[i], Map.entry(nameTokenRole[i + 1], Role.valueOf(nameTokenRole[i + 2])));
        }
        return new ApiKeys(map);
    }

    @Test
    void aBearerKeyIsRecognisedWithItsNameAndRole() {
        ApiKeys keys = keys("analyst", "k-analyst", "ANALYST", "viewer", "k-viewer", "VIEWER", "ci", "k-ci", "ANALYST");
        assertEquals(new ApiKey("analyst", Role.ANALYST), keys.authenticate("Bearer k-analyst").orElseThrow());
        assertEquals(new ApiKey("viewer", Role.VIEWER), keys.authenticate("bearer  k-viewer ").orElseThrow());
        assertEquals(new ApiKey("ci", Role.ANALYST), keys.authenticate("BEARER k-ci").orElseThrow());
    }

    @Test
    void anythingElseIsNoKey() {
        ApiKeys keys = keys("analyst", "k-analyst", "ANALYST", "viewer", "k-viewer", "VIEWER");
        for (String header : new String[]{null, "", "Bearer", "Bearer ", "k-analyst", "Basic k-analyst",
                "Bearer k-analyst2", "Bearer k-analys", "Bearer K-ANALYST", "Bearer k-analyst k-viewer"}) {
            assertTrue(keys.authenticate(header).isEmpty(), String.valueOf(header));
        }
    }

    @Test
    void emptyOrDuplicateKeysFailAtStartUp() {
        IllegalStateException empty = assertThrows(IllegalStateException.class,
                () -> keys("analyst", " ", "ANALYST", "viewer", "v", "VIEWER"));
        assertTrue(empty.getMessage().contains("COUNTERFACT_TOKEN"), empty.getMessage());
        IllegalStateException duplicate = assertThrows(IllegalStateException.class,
                () -> keys("analyst", "same", "ANALYST", "viewer", "same", "VIEWER"));
        assertTrue(duplicate.getMessage().contains("same token"), duplicate.getMessage());
    }
}
