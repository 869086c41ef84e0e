package io.counterfact.gateway.routing;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BodyKindTest {

    @ParameterizedTest
    @CsvSource({
            "POST, /api/datasets/ds-1/rows, ROWS",
            "POST, /api/datasets, JSON",
            "POST, /api/datasets/ds-1/versions, JSON",
            "PUT, /api/datasets/ds-1/rows, JSON",
            "POST, /api/datasets/ds-1/rows/x, JSON",
            "POST, /api/datasets//rows, JSON",
            "POST, /api/estimations, JSON",
            "POST, /api/dags/analyze, JSON",
            "PATCH, /api/views/datasets, JSON"})
    void onlyRowUploadsGetTheLargeLimit(String method, String path, BodyKind kind) {
        assertEquals(kind, BodyKind.of(method, path));
    }

    @ParameterizedTest
    @CsvSource({
            "GET, /api/datasets, true",
            "HEAD, /api/views/datasets, true",
            "OPTIONS, /api/estimations, true",
            "POST, /api/dags/analyze, true",
            "POST, /api/dags/analyze/x, false",
            "PUT, /api/dags/analyze, false",
            "POST, /api/datasets, false",
            "DELETE, /api/estimations/e-1, false"})
    void aViewerMayReadAndAnalyseADagButNotWrite(String method, String path, boolean changesNothing) {
        assertEquals(changesNothing, RouteTable.changesNothing(method, path));
    }
}
