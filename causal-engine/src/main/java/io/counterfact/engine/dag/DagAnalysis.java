package io.counterfact.engine.dag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code POST /api/dags/analyze} answers. The record's components serialise (Jackson) to the
 * API's shape; {@link #toMap()} gives the same shape as plain maps and lists, key order included.
 *
 * @param nodes                          declared nodes (latent ones included)
 * @param edges                          directed plus bidirected edges
 * @param adjustmentSets                 backdoor adjustment sets
 * @param frontDoor                      minimal front-door sets (empty when none exists)
 * @param instruments                    instruments implied by the graph, with their conditioning sets
 * @param impliedIndependences           testable implications, at most 1,000
 * @param impliedIndependencesTruncated  true when more implications may exist than listed
 * @param truncatedBy                    why the implied independences stopped: {@code "count"} (the
 *                                       1,000 limit), {@code "time"} (the time budget), null (complete)
 * @param frontDoorTruncatedBy           null unless the front-door search stopped early ("count", "time")
 * @param instrumentsTruncatedBy         null unless the instruments' search ran out of time ("time")
 *
 * <p>{@link #toMap()} writes the {@code ...TruncatedBy} keys only when they are set, so an answer
 * that is complete has exactly the keys it always had.
 */
public record DagAnalysis(int nodes, int edges, AdjustmentSets adjustmentSets, List<List<String>> frontDoor,
                          List<Instrument> instruments, List<ConditionalIndependence> impliedIndependences,
                          boolean impliedIndependencesTruncated, String truncatedBy, String frontDoorTruncatedBy,
                          String instrumentsTruncatedBy) {

    public DagAnalysis {
        frontDoor = List.copyOf(frontDoor);
        instruments = List.copyOf(instruments);
        impliedIndependences = List.copyOf(impliedIndependences);
    }

    public DagAnalysis(int nodes, int edges, AdjustmentSets adjustmentSets, List<List<String>> frontDoor,
                       List<Instrument> instruments, List<ConditionalIndependence> impliedIndependences,
                       boolean impliedIndependencesTruncated) {
        this(nodes, edges, adjustmentSets, frontDoor, instruments, impliedIndependences, impliedIndependencesTruncated,
                impliedIndependencesTruncated ? "count" : null, null, null);
    }

    /** The API's JSON shape as maps and lists. */
    public Map<String, Object> toMap() {
        Map<String, Object> adjustment = new LinkedHashMap<>();
        adjustment.put("minimal", adjustmentSets.minimal());
        adjustment.put("all", adjustmentSets.all());
        adjustment.put("allTruncated", adjustmentSets.allTruncated());
        if (adjustmentSets.truncatedBy() != null) {
            adjustment.put("truncatedBy", adjustmentSets.truncatedBy());
        }
        if (adjustmentSets.minimalTruncatedBy() != null) {
            adjustment.put("minimalTruncated", true);
            adjustment.put("minimalTruncatedBy", adjustmentSets.minimalTruncatedBy());
        }
        List<Map<String, Object>> ivs = new ArrayList<>();
        for (Instrument iv : instruments) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instrument", iv.instrument());
            m.put("given", iv.given());
            ivs.add(m);
        }
        List<Map<String, Object>> cis = new ArrayList<>();
        for (ConditionalIndependence ci : impliedIndependences) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("x", ci.x());
            m.put("y", ci.y());
            m.put("given", ci.given());
            cis.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("nodes", nodes);
        out.put("edges", edges);
        out.put("adjustmentSets", adjustment);
        out.put("frontDoor", frontDoor);
        if (frontDoorTruncatedBy != null) {
            out.put("frontDoorTruncated", true);
            out.put("frontDoorTruncatedBy", frontDoorTruncatedBy);
        }
        out.put("instruments", ivs);
        if (instrumentsTruncatedBy != null) {
            out.put("instrumentsTruncated", true);
            out.put("instrumentsTruncatedBy", instrumentsTruncatedBy);
        }
        out.put("impliedIndependences", cis);
        out.put("impliedIndependencesTruncated", impliedIndependencesTruncated);
        if (truncatedBy != null) {
            out.put("truncatedBy", truncatedBy);
        }
        return out;
    }
}
