package io.counterfact.common.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource method that is not a read by its HTTP method (a POST, to carry a body) but computes its answer
 * from the request alone and stores nothing, e.g. DAG analysis: {@link InternalAuthFilter} lets a viewer call it.
 * The gateway's {@code RouteTable.changesNothing} must list the same routes.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ChangesNothing {
}
