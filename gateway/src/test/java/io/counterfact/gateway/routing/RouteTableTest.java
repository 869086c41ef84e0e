package io.counterfact.gateway.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTableTest {

    @ParameterizedTest
    @CsvSource({
            "GET, /api/datasets, datasets, INGESTION",
            "POST, /api/datasets/, datasets, INGESTION",
            "PUT, /api/datasets/ds-1/rows, datasets, INGESTION",
            "GET, /api/views/datasets, views, QUERY",
            "GET, /api/views/models/m-1, views, QUERY",
            "POST, /api/estimations, estimations, ESTIMATION",
            "GET, /api/estimations/e-1, estimation-views, QUERY",
            "HEAD, /api/estimations/e-1, estimation-views, QUERY",
            "DELETE, /api/estimations/e-1, estimations, ESTIMATION",
            "POST, /api/dags/analyze, dags, ESTIMATION"})
    void eachPrefixAndMethodGoesToItsService(String method, String path, String name, Service service) {
        RouteTable.Route route = RouteTable.match(method, path).orElseThrow();
        assertEquals(name, route.name());
        assertEquals(service, route.service());
    }

    @Test
    void onlyEstimationReadsFallBackToTheCommandSide() {
        assertEquals(Service.ESTIMATION, RouteTable.match("GET", "/api/estimations/e-1").orElseThrow().fallback());
        assertNull(RouteTable.match("POST", "/api/estimations").orElseThrow().fallback());
        assertNull(RouteTable.match("GET", "/api/views/datasets").orElseThrow().fallback());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api", "/api/", "/api/datasetsx", "/api/viewsets", "/api/dag", "/datasets", "/", "",
            "/API/datasets", "/api/studies/ds-1"})
    void otherPathsMatchNothing(String path) {
        assertTrue(RouteTable.match("GET", path).isEmpty(), path);
    }
}
