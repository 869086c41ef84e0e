package io.counterfact.ingestion;

import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
class DatasetApiTest {

    static final String SCHEMA = """
            {"name": "promo", "columns": [{"name": "y", "type": "numeric"}, {"name": "t", "type": "binary"},
             {"name": "region", "type": "categorical"}]}""";

    static String register() {
        return given().header("Authorization", TestTokens.analyst()).contentType(ContentType.JSON).body(SCHEMA)
                .when().post("/api/datasets")
                .then().statusCode(201).header("Location", startsWith("/api/datasets/ds_"))
                .body("versions", hasSize(0))
                .extract().path("id");
    }

    @Test
    void registerAppendCsvAndNdjsonThenSealVersions() {
        String id = register();
        given().header("Authorization", TestTokens.analyst()).contentType("text/csv")
                .body("t,y,region\n1,2.5,north\n0,NA,\ntrue,-1e3,south\n")
                .when().post("/api/datasets/{id}/rows", id)
                .then().statusCode(200).body("accepted", equalTo(3));
        given().header("Authorization", TestTokens.analyst()).contentType("application/x-ndjson")
                .body("{\"y\": 1, \"t\": false, \"region\": \"east\"}\n{\"y\": null, \"t\": 1, \"region\": null}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .when().post("/api/datasets/{id}/rows", id)
                .then().statusCode(200).body("accepted", equalTo(2));
        given().header("Authorization", TestTokens.analyst())
                .when().post("/api/datasets/{id}/versions", id)
                .then().statusCode(201).header("Location", equalTo("/api/datasets/" + id + "/versions/1"))
                .body("version", equalTo(1)).body("rows", equalTo(5))
                .body("checksum", matchesPattern("sha256:[0-9a-f]{64}"));
        given().header("Authorization", TestTokens.analyst()).contentType("text/csv")
                .body("y,t,region\n3,1,west\n")
                .when().post("/api/datasets/{id}/rows", id).then().statusCode(200);
        given().header("Authorization", TestTokens.analyst())
                .when().post("/api/datasets/{id}/versions", id)
                .then().statusCode(201).body("version", equalTo(2)).body("rows", equalTo(6));
        given().header("Authorization", TestTokens.viewer())
                .when().get("/api/datasets/{id}", id)
                .then().statusCode(200).body("versions", hasSize(2)).body("versions[1].rows", equalTo(6))
                .body("pendingRows", equalTo(0));
    }

    @Test
    void aCallWithoutTheGatewaysTokenIsRefused() {
        given().when().get("/api/datasets").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer dev-token").when().get("/api/datasets")
                .then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", TestTokens.viewer()).contentType(ContentType.JSON).body(SCHEMA)
                .when().post("/api/datasets").then().statusCode(403).contentType("application/problem+json");
    }
}
