package io.counterfact.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders the kustomizations under k8s/ with {@code kubectl kustomize} (kubectl ships kustomize) and
 * parses the output into one JSON tree per object. Renders are cached: each target is rendered once
 * per test run.
 */
final class Kustomize {

    static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<Path, List<ObjectNode>> CACHE = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    /** The k8s/ directory: system property k8s.dir (set by the pom), else the working directory or its k8s/. */
    static Path k8sDir() {
        String property = System.getProperty("k8s.dir");
        Path dir = property != null ? Path.of(property) : Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve("base/kustomization.yaml"))
                && Files.isRegularFile(dir.resolve("k8s/base/kustomization.yaml"))) {
            dir = dir.resolve("k8s");
        }
        if (!Files.isRegularFile(dir.resolve("base/kustomization.yaml"))) {
            throw new AssertionError("cannot find k8s/base/kustomization.yaml from " + dir.toAbsolutePath()
                    + " (run from the repository root or k8s/, or set -Dk8s.dir)");
        }
        return dir.toAbsolutePath().normalize();
    }

    /** "base" and every overlays/NAME that holds a kustomization.yaml, sorted. */
    static List<String> targets() {
        List<String> targets = new ArrayList<>();
        targets.add("base");
        targets.addAll(overlays());
        return targets;
    }

    static List<String> overlays() {
        Path overlays = k8sDir().resolve("overlays");
        try (Stream<Path> dirs = Files.list(overlays)) {
            List<String> names = dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
                    .map(d -> "overlays/" + d.getFileName())
                    .sorted()
                    .toList();
            if (names.isEmpty()) {
                throw new AssertionError("no overlay under " + overlays);
            }
            return names;
        } catch (IOException e) {
            throw new AssertionError("cannot list " + overlays, e);
        }
    }

    /** The rendered objects of a target relative to k8s/ ("base", "overlays/local"), as fresh copies. */
    static List<ObjectNode> render(String target) {
        return render(k8sDir().resolve(target));
    }

    static List<ObjectNode> render(Path dir) {
        List<ObjectNode> cached = CACHE.computeIfAbsent(dir.toAbsolutePath().normalize(),
                d -> parse(kubectlKustomize(d), d.toString()));
        return cached.stream().map(ObjectNode::deepCopy).toList();
    }

    /** Runs {@code kubectl kustomize DIR}; fails clearly when kubectl is missing or kustomize fails. */
    static String kubectlKustomize(Path dir) {
        String kubectl = System.getenv().getOrDefault("KUBECTL", "kubectl");
        Process process;
        Path stderr;
        try {
            stderr = Files.createTempFile("kustomize", ".err");
            process = new ProcessBuilder(kubectl, "kustomize", dir.toString())
                    .redirectError(stderr.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError("cannot run '" + kubectl + " kustomize': kubectl (which includes kustomize) "
                    + "must be on the PATH, or its path in the KUBECTL environment variable. "
                    + "It must be kubectl >= 1.27 (kustomize v5: labels, replacements); the project's machine image "
                    + "ships one (/usr/bin/kubectl), Debian's kubernetes-client 1.20 is too old. Cause: " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish in 120 s");
            }
            String err = Files.readString(stderr, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "):\n" + err);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("reading kubectl kustomize " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            try {
                Files.deleteIfExists(stderr);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }

    /** Splits a multi-document YAML stream into objects; empty documents are skipped. */
    static List<ObjectNode> parse(String yaml, String origin) {
        List<ObjectNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
                    continue;
                }
                if (!doc.isObject()) {
                    throw new AssertionError(origin + ": a document is not an object: " + doc);
                }
                objects.add((ObjectNode) doc);
            }
        } catch (IOException e) {
            throw new AssertionError(origin + ": not valid YAML: " + e.getMessage(), e);
        }
        return objects;
    }

    /** apiVersion/kind namespace/name, for messages. */
    static String id(JsonNode object) {
        JsonNode meta = object.path("metadata");
        String ns = meta.path("namespace").asText("");
        return object.path("apiVersion").asText("?") + " " + object.path("kind").asText("?") + " "
                + (ns.isEmpty() ? "" : ns + "/") + meta.path("name").asText("?");
    }

    static String gvk(JsonNode object) {
        return object.path("apiVersion").asText() + "/" + object.path("kind").asText();
    }

    static List<ObjectNode> ofKind(List<ObjectNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    static ObjectNode named(List<ObjectNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(o.path("metadata").path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }
}
