package io.counterfact.query.view;

import java.util.List;

/** A page of the catalog; {@code next} is the {@code after} of the next page, null on the last one. */
public record CatalogPage(List<CatalogItem> items, String next) {
}
