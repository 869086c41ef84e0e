package io.counterfact.query.rest;

import io.counterfact.common.http.ProblemException;
import io.counterfact.query.view.CatalogPage;
import io.counterfact.query.view.DatasetOverview;
import io.counterfact.query.view.DatasetViews;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The dataset views of the public API (ARCHITECTURE.md); the gateway routes {@code /api/views/**} here. Served from
 * the query database only.
 */
@Path("/api/views/datasets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "views")
public class DatasetViewResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    @Inject
    DatasetViews views;

    @GET
    @Operation(summary = "The catalog of datasets, in id order, paged by keyset")
    public CatalogPage catalog(
            @Parameter(description = "page size, 1 to 500 (default 50)") @QueryParam("limit") String limit,
            @Parameter(description = "the `next` of the previous page") @QueryParam("after") String after) {
        return views.catalog(after == null || after.isEmpty() ? null : after, limit(limit));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A dataset's overview: the dataset, its versions, the latest estimate per method")
    public DatasetOverview overview(@PathParam("id") String id) {
        return views.overview(id).orElseThrow(() -> ProblemException.notFound("no dataset with id '" + id + "'"));
    }

    /** @return the {@code limit} query parameter: 1 to 500, 50 when absent */
    public static int limit(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProblemException.badRequest("query parameter 'limit' must be an integer from 1 to " + MAX_LIMIT
                + ", not '" + value + "'");
    }
}
