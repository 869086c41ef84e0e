package io.counterfact.common.http;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the body limit of a resource method (or of every method of a class): the bytes configured as
 * {@code counterfact.body-limits.<value>}. A method without it gets {@value BodyLimits#JSON}: the default is the small
 * limit, so a route that needs a large body says so where it is declared.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface BodyLimit {

    /** The limit's name, e.g. {@code rows}: {@code counterfact.body-limits.rows} must then be configured. */
    String value();
}
