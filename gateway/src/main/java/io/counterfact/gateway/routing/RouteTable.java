package io.counterfact.gateway.routing;

import java.util.List;
import java.util.Optional;

/**
 * The one place that says which service answers which public path. The first route whose prefix matches wins; a
 * prefix matches the path itself and anything below it ({@code /api/dags} matches {@code /api/dags/analyze} but not
 * {@code /api/dagsx}). Paths are matched after normalisation (dot segments removed), and the normalised path is
 * what the service receives.
 */
public final class RouteTable {

    /** A public path prefix and the service behind it; {@code name} tags metrics. */
    public record Route(String name, String prefix, Service service) {
        public boolean matches(String path) {
            return path.startsWith(prefix)
                    && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
        }
    }

    public static final List<Route> ROUTES = List.of(
            new Route("datasets", "/api/datasets", Service.INGESTION),
            new Route("views", "/api/views", Service.QUERY),
            new Route("estimations", "/api/estimations", Service.ESTIMATION),
            new Route("dags", "/api/dags", Service.ESTIMATION));

    private RouteTable() {
    }

    public static Optional<Route> match(String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (Route route : ROUTES) {
            if (route.matches(path)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    public static List<String> prefixes() {
        return ROUTES.stream().map(Route::prefix).toList();
    }
}
