package io.counterfact.common.json;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Bounds what Quarkus' ObjectMapper (the one that reads request bodies, and events and stored JSON) will read, so
 * that no JSON document can make a service build a huge tree or recurse deep: document length, string, number and
 * name lengths, nesting depth. A document past one of them fails with Jackson's {@code StreamConstraintsException},
 * which {@code ProblemMappers} answers as a 400 (413 for the document length) with a readable detail.
 *
 * <p>The request body limits ({@code BodyLimitFilter}, 1 MiB for JSON) come first for HTTP bodies; the document
 * length here (16 MiB by default) is the bound for everything else this mapper reads (events, stored results).
 * Each is configurable as {@code counterfact.json.<name>}.
 */
@Singleton
public class JsonReadLimits implements ObjectMapperCustomizer {

    static final long MAX_DOCUMENT_BYTES = 16L * 1024 * 1024;
    /** A dagitty DAG is a string, and may fill a JSON body (1 MiB) alone. */
    static final int MAX_STRING_LENGTH = 1024 * 1024;
    /** Digits of one number: far more than any double or long needs, far less than Jackson's 1000. */
    static final int MAX_NUMBER_LENGTH = 100;
    static final int MAX_NAME_LENGTH = 10_000;
    /** The deepest document counterfact writes (a distilled tree of depth 4, in a result) is about a dozen. */
    static final int MAX_NESTING_DEPTH = 200;

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(constraints(ConfigProvider.getConfig()));
    }

    static StreamReadConstraints constraints(Config config) {
        return StreamReadConstraints.builder()
                .maxDocumentLength(config.getOptionalValue("counterfact.json.max-document-bytes", Long.class)
                        .orElse(MAX_DOCUMENT_BYTES))
                .maxStringLength(config.getOptionalValue("counterfact.json.max-string-length", Integer.class)
                        .orElse(MAX_STRING_LENGTH))
                .maxNumberLength(config.getOptionalValue("counterfact.json.max-number-length", Integer.class)
                        .orElse(MAX_NUMBER_LENGTH))
                .maxNameLength(config.getOptionalValue("counterfact.json.max-name-length", Integer.class)
                        .orElse(MAX_NAME_LENGTH))
                .maxNestingDepth(config.getOptionalValue("counterfact.json.max-nesting-depth", Integer.class)
                        .orElse(MAX_NESTING_DEPTH))
                .build();
    }
}
