package io.counterfact.ingestion.dataset;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.common.http.BodyLimit;
import io.counterfact.common.http.ProblemException;
import io.counterfact.ingestion.rows.StrictUtf8Reader;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The dataset part of the public API (see ARCHITECTURE.md); the gateway routes {@code /api/datasets/**} here. */
@Path("/api/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    static final String CSV = "text/csv";
    static final String NDJSON = "application/x-ndjson";

    @Inject
    DatasetService service;

    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(InputStream body, @HeaderParam("traceparent") String traceparent) throws IOException {
        // bound here rather than by the REST layer so that a shape error keeps its field path for the 400's detail
        JsonNode tree = readStrictUtf8(body);
        NewDataset request = tree == null || tree.isNull() ? null : json.treeToValue(tree, NewDataset.class);
        DatasetView dataset = service.register(request, traceparent);
        return Response.status(201).header("Location", "/api/datasets/" + dataset.id()).entity(dataset).build();
    }

    /**
     * The body as a JSON tree, decoded strictly: Jackson's own byte parser lets overlong encodings through (an
     * overlong NUL becomes a U+0000 that PostgreSQL refuses), so the bytes go through {@link StrictUtf8Reader} and a
     * fault names the field the parser was reading.
     */
    private JsonNode readStrictUtf8(InputStream body) throws IOException {
        try (JsonParser parser = json.getFactory().createParser(new StrictUtf8Reader(body))) {
            try {
                JsonNode tree = json.readTree(parser);
                if (tree != null && parser.nextToken() != null) { // read to the end: bad bytes may follow the value
                    throw ProblemException.badRequest("malformed JSON: more content after the end of the JSON value");
                }
                return tree;
            } catch (StrictUtf8Reader.InvalidUtf8Exception e) {
                String field = fieldPath(parser.getParsingContext());
                throw ProblemException.badRequest((field.isEmpty() ? "" : "field '" + field + "': ") + e.getMessage());
            }
        }
    }

    /** The context's path as the API's faults name fields: {@code columns[1].name}. */
    private static String fieldPath(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            String part = c.inArray() ? "[" + Math.max(c.getCurrentIndex(), 0) + "]"
                    : c.getCurrentName() == null ? "" : "." + c.getCurrentName();
            path.insert(0, part);
        }
        return path.length() > 0 && path.charAt(0) == '.' ? path.substring(1) : path.toString();
    }

    @GET
    public Map<String, Object> list(@QueryParam("limit") Integer limit, @QueryParam("after") String after) {
        int size = limit == null ? 50 : limit;
        if (size < 1 || size > 500) {
            throw ProblemException.badRequest("query parameter 'limit' must be between 1 and 500");
        }
        if (after != null && after.indexOf('\0') >= 0) {
            throw ProblemException.badRequest("query parameter 'after' is not a dataset id (it holds a NUL)");
        }
        List<DatasetView> items = service.list(size, after);
        Map<String, Object> page = new HashMap<>();
        page.put("items", items);
        page.put("next", items.size() == size ? items.get(items.size() - 1).id() : null);
        return page;
    }

    @GET
    @Path("/{id}")
    public DatasetView get(@PathParam("id") String id) {
        return service.get(id);
    }

    /** Rows are read from the request as it streams in; a batch is accepted whole or rejected whole. */
    @POST
    @Path("/{id}/rows")
    @BodyLimit("rows")
    @Consumes({CSV, NDJSON})
    public Response append(@PathParam("id") String id, @HeaderParam("Content-Type") String contentType,
                           @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
        DatasetService.Format format = contentType != null && contentType.toLowerCase().startsWith(NDJSON)
                ? DatasetService.Format.NDJSON : DatasetService.Format.CSV;
        DatasetService.Appended appended = service.append(id, format, body, idempotencyKey);
        Map<String, Object> answer = new HashMap<>();
        answer.put("accepted", appended.accepted());
        if (appended.batch() != null) {
            answer.put("batch", appended.batch().toString());
        }
        Response.ResponseBuilder response = Response.ok(answer);
        if (appended.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.build();
    }

    @POST
    @Path("/{id}/versions")
    public Response seal(@PathParam("id") String id, @HeaderParam("traceparent") String traceparent) {
        DatasetService.Sealed sealed = service.seal(id, traceparent);
        return Response.status(201).header("Location", "/api/datasets/" + id + "/versions/" + sealed.version())
                .entity(sealed).build();
    }

    @GET
    @Path("/{id}/versions/{version}")
    public DatasetView.VersionView version(@PathParam("id") String id, @PathParam("version") int version) {
        return service.version(id, version);
    }
}
