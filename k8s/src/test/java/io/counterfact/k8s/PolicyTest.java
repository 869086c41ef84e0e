package io.counterfact.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The deployment policy holds on every overlay (each rule is also shown to fail in PolicyNegativeTest). */
class PolicyTest {

    static List<String> overlays() {
        return Kustomize.overlays();
    }

    private static List<ObjectNode> render(String overlay) {
        return Kustomize.render(overlay);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyDeploymentHasProbesAndRequestsAndLimits(String overlay) {
        assertEquals(List.of(), Policy.probesAndResources(render(overlay)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyPodIsHardened(String overlay) {
        assertEquals(List.of(), Policy.securityContext(render(overlay)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void onlyTheGatewayIsReachableFromOutside(String overlay) {
        assertEquals(List.of(), Policy.onlyGatewayExposed(render(overlay)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void operatorEndpointsAreNotReachableThroughTheIngress(String overlay) {
        assertEquals(List.of(), Policy.noOperatorPathsThroughIngress(render(overlay)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void networkIsDefaultDeny(String overlay) {
        assertEquals(List.of(), Policy.defaultDeny(render(overlay)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void eachServiceReachesOnlyItsOwnDatabase(String overlay) {
        assertEquals(List.of(), Policy.ownDatabaseOnly(render(overlay)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void estimationScalesOnConsumerLag(String overlay) {
        assertEquals(List.of(), Policy.estimationLagScaling(render(overlay)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void noHpaTargetsEstimation(String overlay) {
        assertEquals(List.of(), Policy.noHpaOnEstimation(render(overlay)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void gatewayAndQueryScaleOnCpu(String overlay) {
        assertEquals(List.of(), Policy.cpuHpas(render(overlay)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void eachServiceHasItsServiceAccountServiceAndPdb(String overlay) {
        assertEquals(List.of(), Policy.perServiceObjects(render(overlay)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void noSecretValuesAndNoUnsetConfig(String overlay) {
        assertEquals(List.of(), Policy.secretsAndConfig(render(overlay), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyObjectNamesItsNamespace(String overlay) {
        assertEquals(List.of(), Policy.namespaced(render(overlay)));
    }
}
