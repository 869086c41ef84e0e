package io.counterfact.gateway.routing;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTableTest {

    @ParameterizedTest
    @CsvSource({
            "/api/datasets, datasets, INGESTION",
            "/api/datasets/, datasets, INGESTION",
            "/api/datasets/ds-1/rows, datasets, INGESTION",
            "/api/views/datasets, views, QUERY",
            "/api/views/models/m-1, views, QUERY",
            "/api/estimations, estimations, ESTIMATION",
            "/api/estimations/e-1, estimations, ESTIMATION",
            "/api/dags/analyze, dags, ESTIMATION"})
    void eachPrefixGoesToItsService(String path, String name, Service service) {
        RouteTable.Route route = RouteTable.match(path).orElseThrow();
        assertEquals(name, route.name());
        assertEquals(service, route.service());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api", "/api/", "/api/datasetsx", "/api/viewsets", "/api/dag", "/datasets", "/", "",
            "/API/datasets", "/api/studies/ds-1"})
    void otherPathsMatchNothing(String path) {
        assertTrue(RouteTable.match(path).isEmpty(), path);
    }
}
