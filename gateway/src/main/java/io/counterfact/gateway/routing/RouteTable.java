package io.counterfact.gateway.routing;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that says which service answers which public path. The first route whose prefix and method match
 * wins; a prefix matches the path itself and anything below it ({@code /api/dags} matches {@code /api/dags/analyze}
 * but not {@code /api/dagsx}). Paths are matched after normalisation (dot segments removed), and the normalised path
 * is what the service receives.
 *
 * <p>Estimations are split the CQRS way: reads go to query-service's views, writes (commands) to estimation-service.
 * A view appears a few milliseconds after its command was accepted, so a read the view cannot answer yet (404) is
 * asked of the route's {@code fallback}, the command side, which knows the estimation from the moment it answered
 * 202: a client polling right after {@code POST /api/estimations} never sees a 404 for its own estimation.
 */
public final class RouteTable {

    private static final Set<String> ANY = Set.of();
    private static final Set<String> READS = Set.of("GET", "HEAD");
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    /** POSTs that compute an answer from the request alone and store nothing: a viewer may make them. */
    private static final Set<String> POSTS_THAT_CHANGE_NOTHING = Set.of("/api/dags/analyze");

    /**
     * A public path prefix, the methods it takes (empty: any) and the service behind it; {@code name} tags metrics;
     * {@code fallback}, if not null, answers what {@code service} answers 404.
     */
    public record Route(String name, String prefix, Set<String> methods, Service service, Service fallback) {
        public boolean matches(String method, String path) {
            return (methods.isEmpty() || methods.contains(method)) && path.startsWith(prefix)
                    && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
        }
    }

    public static final List<Route> ROUTES = List.of(
            new Route("datasets", "/api/datasets", ANY, Service.INGESTION, null),
            new Route("views", "/api/views", ANY, Service.QUERY, null),
            new Route("estimation-views", "/api/estimations", READS, Service.QUERY, Service.ESTIMATION),
            new Route("estimations", "/api/estimations", ANY, Service.ESTIMATION, null),
            new Route("dags", "/api/dags", ANY, Service.ESTIMATION, null));

    private RouteTable() {
    }

    public static Optional<Route> match(String method, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (Route route : ROUTES) {
            if (route.matches(method, path)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a call changes nothing, so that a viewer (reads only) may make it: a read, or a POST that only
     * computes (DAG analysis). Every other write needs an analyst.
     *
     * @param path the normalised path
     */
    public static boolean changesNothing(String method, String path) {
        return SAFE_METHODS.contains(method) || "POST".equals(method) && POSTS_THAT_CHANGE_NOTHING.contains(path);
    }

    public static List<String> prefixes() {
        return ROUTES.stream().map(Route::prefix).distinct().toList();
    }
}
