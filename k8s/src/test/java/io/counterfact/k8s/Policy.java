package io.counterfact.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The deployment policy of counterfact, as functions from rendered objects to violations (empty:
 * compliant). PolicyTest runs each rule on every overlay; PolicyNegativeTest breaks a rendered overlay
 * on purpose and checks that the rule reports it.
 */
final class Policy {

    static final String GATEWAY = "gateway";
    static final String ESTIMATION = "estimation-service";
    static final String COMMANDS_TOPIC = "counterfact.estimation-commands";
    static final String CONSUMER_GROUP = "estimation-workers";
    static final Set<String> SERVICES = Set.of("gateway", "ingestion-service", "estimation-service", "query-service");
    static final Map<String, String> DATABASE_OF = Map.of(
            "ingestion-service", "ingestion", "estimation-service", "estimation", "query-service", "query");
    static final List<String> TOPICS = List.of("counterfact.datasets", "counterfact.dataset-chunks",
            "counterfact.estimation-commands", "counterfact.estimation-events");
    static final String NAME_LABEL = "app.kubernetes.io/name";
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(PASSWORD|SECRET|TOKEN|CREDENTIAL|API_?KEY).*");

    private Policy() {
    }

    // ------------------------------------------------------------------ workloads

    /** Pod templates of Deployments, StatefulSets, DaemonSets and Jobs, with the owner's id. */
    static Map<String, JsonNode> podSpecs(List<ObjectNode> objects) {
        Map<String, JsonNode> specs = new java.util.LinkedHashMap<>();
        for (ObjectNode o : objects) {
            String kind = o.path("kind").asText();
            if (Set.of("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet").contains(kind)) {
                specs.put(Kustomize.id(o), o.path("spec").path("template").path("spec"));
            } else if ("CronJob".equals(kind)) {
                specs.put(Kustomize.id(o), o.path("spec").path("jobTemplate").path("spec").path("template").path("spec"));
            }
        }
        return specs;
    }

    /** Every Deployment: startup, liveness and readiness probes; cpu and memory requests and limits. */
    static List<String> probesAndResources(List<ObjectNode> objects) {
        List<String> v = new ArrayList<>();
        for (ObjectNode d : Kustomize.ofKind(objects, "Deployment")) {
            String id = Kustomize.id(d);
            JsonNode containers = d.path("spec").path("template").path("spec").path("containers");
            if (containers.isEmpty()) {
                v.add(id + ": no containers");
            }
            for (JsonNode c : containers) {
                String cid = id + " container " + c.path("name").asText();
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    JsonNode p = c.path(probe);
                    if (!p.isObject() || !(p.has("httpGet") || p.has("tcpSocket") || p.has("exec") || p.has("grpc"))) {
                        v.add(cid + ": no " + probe);
                    }
                }
                v.addAll(resources(cid, c));
            }
        }
        // jobs and other workloads: requests and limits too
        for (Map.Entry<String, JsonNode> e : podSpecs(objects).entrySet()) {
            if (e.getKey().contains(" Deployment ")) {
                continue;
            }
            for (JsonNode c : e.getValue().path("containers")) {
                v.addAll(resources(e.getKey() + " container " + c.path("name").asText(), c));
            }
        }
        return v;
    }

    private static List<String> resources(String cid, JsonNode c) {
        List<String> v = new ArrayList<>();
        for (String bound : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                JsonNode q = c.path("resources").path(bound).path(resource);
                if (q.isMissingNode() || q.isNull() || q.asText().isBlank()) {
                    v.add(cid + ": no resources." + bound + "." + resource);
                }
            }
        }
        return v;
    }

    /**
     * Every pod (Deployments and Jobs, init containers included): runAsNonRoot, readOnlyRootFilesystem,
     * allowPrivilegeEscalation false, capabilities drop ALL, seccompProfile RuntimeDefault (pod or
     * container level), no host namespaces.
     */
    static List<String> securityContext(List<ObjectNode> objects) {
        List<String> v = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : podSpecs(objects).entrySet()) {
            JsonNode pod = e.getValue();
            JsonNode psc = pod.path("securityContext");
            for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
                if (pod.path(host).asBoolean(false)) {
                    v.add(e.getKey() + ": " + host + " is true");
                }
            }
            List<JsonNode> containers = new ArrayList<>();
            pod.path("containers").forEach(containers::add);
            pod.path("initContainers").forEach(containers::add);
            for (JsonNode c : containers) {
                String cid = e.getKey() + " container " + c.path("name").asText();
                JsonNode csc = c.path("securityContext");
                boolean nonRoot = csc.has("runAsNonRoot") ? csc.path("runAsNonRoot").asBoolean(false)
                        : psc.path("runAsNonRoot").asBoolean(false);
                if (!nonRoot) {
                    v.add(cid + ": runAsNonRoot is not true");
                }
                JsonNode uid = csc.has("runAsUser") ? csc.path("runAsUser") : psc.path("runAsUser");
                if (uid.isIntegralNumber() && uid.asLong() == 0) {
                    v.add(cid + ": runAsUser is 0");
                }
                if (!csc.path("readOnlyRootFilesystem").asBoolean(false)) {
                    v.add(cid + ": readOnlyRootFilesystem is not true");
                }
                if (!csc.path("allowPrivilegeEscalation").isBoolean() || csc.path("allowPrivilegeEscalation").asBoolean()) {
                    v.add(cid + ": allowPrivilegeEscalation is not false");
                }
                if (csc.path("privileged").asBoolean(false)) {
                    v.add(cid + ": privileged");
                }
                boolean dropsAll = false;
                for (JsonNode cap : csc.path("capabilities").path("drop")) {
                    dropsAll |= "ALL".equals(cap.asText());
                }
                if (!dropsAll) {
                    v.add(cid + ": capabilities.drop does not contain ALL");
                }
                if (!csc.path("capabilities").path("add").isEmpty()) {
                    v.add(cid + ": capabilities.add is not empty");
                }
                String seccomp = csc.path("seccompProfile").has("type") ? csc.path("seccompProfile").path("type").asText()
                        : psc.path("seccompProfile").path("type").asText();
                if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
                    v.add(cid + ": seccompProfile is not RuntimeDefault");
                }
                if (csc.path("readOnlyRootFilesystem").asBoolean(false) && !mountsTmp(pod, c)) {
                    v.add(cid + ": read-only root filesystem but no writable volume on /tmp");
                }
            }
        }
        return v;
    }

    private static boolean mountsTmp(JsonNode pod, JsonNode container) {
        for (JsonNode m : container.path("volumeMounts")) {
            if ("/tmp".equals(m.path("mountPath").asText()) && !m.path("readOnly").asBoolean(false)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ exposure

    /** Labels a pod selector selects on (matchLabels of a NetworkPolicy, or a Service's selector). */
    private static boolean selectsOnly(JsonNode podSelector, String name) {
        return name.equals(podSelector.path("matchLabels").path(NAME_LABEL).asText())
                && podSelector.path("matchExpressions").isEmpty();
    }

    /** True when a peer list admits traffic from outside the cluster or from any namespace. */
    static boolean admitsOutside(JsonNode rule, String peersField) {
        JsonNode peers = rule.path(peersField);
        if (peers.isMissingNode() || peers.isNull() || peers.isEmpty()) {
            return true; // no "from": every source
        }
        for (JsonNode peer : peers) {
            if (peer.has("ipBlock")) {
                return true;
            }
            if (peer.has("namespaceSelector") && peer.path("namespaceSelector").isEmpty()) {
                return true; // pods of every namespace (ingress controllers, anything)
            }
        }
        return false;
    }

    /**
     * Only the gateway is reachable from outside: no Service other than the gateway's is a LoadBalancer
     * or NodePort or has externalIPs, every Ingress routes to the gateway Service only, Kafka has only
     * in-cluster listeners, and no
     * NetworkPolicy admits outside (or any-namespace) traffic to pods other than the gateway's.
     */
    /** Operator endpoints (health, metrics, OpenAPI of the framework) that must never be reachable from outside. */
    static final List<String> OPERATOR_PATHS = List.of("/q/health/ready", "/q/metrics", "/q/openapi", "/q/", "/q");

    /**
     * No Ingress (nor a default backend) routes an operator path under /q/ to anything: probes and Prometheus reach
     * the pods directly inside the cluster; from outside only the public API (and the dashboard) is reachable.
     * Matching follows the Ingress spec: Exact is equality, Prefix matches whole path elements.
     */
    static List<String> noOperatorPathsThroughIngress(List<ObjectNode> objects) {
        List<String> v = new ArrayList<>();
        for (ObjectNode ing : Kustomize.ofKind(objects, "Ingress")) {
            if (!ing.path("spec").path("defaultBackend").isMissingNode()) {
                v.add(Kustomize.id(ing) + ": a default backend receives every path, /q/ included");
            }
            for (JsonNode rule : ing.path("spec").path("rules")) {
                for (JsonNode path : rule.path("http").path("paths")) {
                    String p = path.path("path").asText("/");
                    String type = path.path("pathType").asText("ImplementationSpecific");
                    for (String operator : OPERATOR_PATHS) {
                        boolean matches = switch (type) {
                            case "Exact" -> operator.equals(p);
                            case "Prefix" -> p.equals("/") || operator.equals(p) || operator.startsWith(p.endsWith("/") ? p : p + "/");
                            default -> true; // ImplementationSpecific: the controller decides; nothing can be promised
                        };
                        if (matches) {
                            v.add(Kustomize.id(ing) + ": path " + p + " (" + type + ") reaches " + operator);
                            break;
                        }
                    }
                }
            }
        }
        return v;
    }

    static List<String> onlyGatewayExposed(List<ObjectNode> objects) {
        List<String> v = new ArrayList<>();
        for (ObjectNode s : Kustomize.ofKind(objects, "Service")) {
            String type = s.path("spec").path("type").asText("ClusterIP");
            boolean isGateway = GATEWAY.equals(s.path("metadata").path("name").asText());
            if (!isGateway && (Set.of("LoadBalancer", "NodePort").contains(type) || !s.path("spec").path("externalIPs").isEmpty())) {
                v.add(Kustomize.id(s) + ": type " + type + " exposes a service other than the gateway");
            }
        }
        for (ObjectNode ing : Kustomize.ofKind(objects, "Ingress")) {
            List<String> backends = new ArrayList<>();
            JsonNode def = ing.path("spec").path("defaultBackend");
            if (!def.isMissingNode()) {
                backends.add(def.path("service").path("name").asText("<resource>"));
            }
            for (JsonNode rule : ing.path("spec").path("rules")) {
                for (JsonNode path : rule.path("http").path("paths")) {
                    backends.add(path.path("backend").path("service").path("name").asText("<resource>"));
                }
            }
            for (String b : backends) {
                if (!GATEWAY.equals(b)) {
                    v.add(Kustomize.id(ing) + ": routes to " + b + ", only the gateway may be exposed");
                }
            }
        }
        for (String kind : List.of("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute")) {
            for (ObjectNode route : Kustomize.ofKind(objects, kind)) {
                for (JsonNode rule : route.path("spec").path("rules")) {
                    for (JsonNode ref : rule.path("backendRefs")) {
                        if (!GATEWAY.equals(ref.path("name").asText())) {
                            v.add(Kustomize.id(route) + ": routes to " + ref.path("name").asText());
                        }
                    }
                }
            }
        }
        for (ObjectNode kafka : Kustomize.ofKind(objects, "Kafka")) {
            for (JsonNode listener : kafka.path("spec").path("kafka").path("listeners")) {
                String type = listener.path("type").asText();
                if (!Set.of("internal", "cluster-ip").contains(type)) {
                    v.add(Kustomize.id(kafka) + ": listener " + listener.path("name").asText() + " of type " + type
                            + " exposes Kafka outside the cluster");
                }
            }
        }
        for (ObjectNode np : Kustomize.ofKind(objects, "NetworkPolicy")) {
            JsonNode selector = np.path("spec").path("podSelector");
            if (selectsOnly(selector, GATEWAY)) {
                continue;
            }
            for (JsonNode rule : np.path("spec").path("ingress")) {
                if (admitsOutside(rule, "from")) {
                    v.add(Kustomize.id(np) + ": admits traffic from outside (or from any namespace) to pods "
                            + selector + "; only the gateway may be reachable from outside");
                }
            }
        }
        return v;
    }

    /**
     * Default deny: every namespace that runs a counterfact service has a policy selecting all pods with
     * both policy types and no rules; the gateway may call the three services only.
     */
    static List<String> defaultDeny(List<ObjectNode> objects) {
        List<String> v = new ArrayList<>();
        Set<String> namespaces = new java.util.TreeSet<>();
        for (ObjectNode d : Kustomize.ofKind(objects, "Deployment")) {
            namespaces.add(d.path("metadata").path("namespace").asText(""));
        }
        for (String ns : namespaces) {
            boolean found = false;
            for (ObjectNode np : Kustomize.ofKind(objects, "NetworkPolicy")) {
                JsonNode spec = np.path("spec");
                List<String> types = new ArrayList<>();
                spec.path("policyTypes").forEach(t -> types.add(t.asText()));
                if (ns.equals(np.path("metadata").path("namespace").asText("")) && spec.path("podSelector").isEmpty()
                        && types.contains("Ingress") && types.contains("Egress")
                        && spec.path("ingress").isEmpty() && spec.path("egress").isEmpty()) {
                    found = true;
                }
            }
            if (!found) {
                v.add("namespace '" + ns + "': no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)");
            }
        }
        // egress of every counterfact workload to anywhere (no "to") is only allowed for DNS
        for (ObjectNode np : Kustomize.ofKind(objects, "NetworkPolicy")) {
            for (JsonNode rule : np.path("spec").path("egress")) {
                if (rule.path("to").isEmpty()) {
                    v.add(Kustomize.id(np) + ": an egress rule without 'to' allows every destination");
                }
                if (rule.path("ports").isEmpty()) {
                    v.add(Kustomize.id(np) + ": an egress rule without ports allows every port");
                }
            }
        }
        return v;
    }

    /**
     * Each backend reaches only its own database: its egress policies name no other service's
     * CloudNativePG cluster, and a backend pod selector is never given egress to another backend.
     */
    static List<String> ownDatabaseOnly(List<ObjectNode> objects) {
        List<String> v = new ArrayList<>();
        for (ObjectNode np : Kustomize.ofKind(objects, "NetworkPolicy")) {
            String selected = np.path("spec").path("podSelector").path("matchLabels").path(NAME_LABEL).asText("");
            for (JsonNode rule : np.path("spec").path("egress")) {
                for (JsonNode peer : rule.path("to")) {
                    String cluster = peer.path("podSelector").path("matchLabels").path("cnpg.io/cluster").asText("");
                    if (!cluster.isEmpty()) {
                        String own = DATABASE_OF.get(selected);
                        if (own == null || !cluster.equals(own + "-db")) {
                            v.add(Kustomize.id(np) + ": pods '" + (selected.isEmpty() ? "<all>" : selected)
                                    + "' may reach database cluster " + cluster);
                        }
                    }
                    String target = peer.path("podSelector").path("matchLabels").path(NAME_LABEL).asText("");
                    if (DATABASE_OF.containsKey(selected) && DATABASE_OF.containsKey(target)) {
                        v.add(Kustomize.id(np) + ": backend " + selected + " may call backend " + target);
                    }
                }
            }
        }
        return v;
    }

    // ------------------------------------------------------------------ autoscaling

    /**
     * estimation-service scales on consumer lag: exactly one KEDA ScaledObject targets its Deployment,
     * with a kafka trigger on counterfact.estimation-commands for group estimation-workers with a
     * lagThreshold, and a cpu trigger; maxReplicaCount is at most the topic's partitions (12).
     */
    static List<String> estimationLagScaling(List<ObjectNode> objects) {
        List<String> v = new ArrayList<>();
        List<ObjectNode> scaled = Kustomize.ofKind(objects, "ScaledObject").stream()
                .filter(so -> ESTIMATION.equals(so.path("spec").path("scaleTargetRef").path("name").asText())
                        && "Deployment".equals(so.path("spec").path("scaleTargetRef").path("kind").asText("Deployment")))
                .toList();
        if (scaled.size() != 1) {
            v.add("estimation-service: expected exactly one KEDA ScaledObject targeting its Deployment, found " + scaled.size());
            return v;
        }
        ObjectNode so = scaled.get(0);
        String id = Kustomize.id(so);
        boolean kafka = false;
        boolean cpu = false;
        for (JsonNode t : so.path("spec").path("triggers")) {
            JsonNode md = t.path("metadata");
            if ("kafka".equals(t.path("type").asText())) {
                if (!COMMANDS_TOPIC.equals(md.path("topic").asText())) {
                    v.add(id + ": kafka trigger topic is '" + md.path("topic").asText() + "', not " + COMMANDS_TOPIC);
                } else if (!CONSUMER_GROUP.equals(md.path("consumerGroup").asText())) {
                    v.add(id + ": kafka trigger consumerGroup is '" + md.path("consumerGroup").asText() + "', not " + CONSUMER_GROUP);
                } else if (md.path("lagThreshold").asText("").isBlank()) {
                    v.add(id + ": kafka trigger has no lagThreshold");
                } else {
                    kafka = true;
                }
            }
            if ("cpu".equals(t.path("type").asText())) {
                cpu = true;
            }
        }
        if (!kafka) {
            v.add(id + ": no lag-based (kafka) trigger on " + COMMANDS_TOPIC + " for group " + CONSUMER_GROUP);
        }
        if (!cpu) {
            v.add(id + ": no cpu trigger in the same ScaledObject");
        }
        long max = so.path("spec").path("maxReplicaCount").asLong(100); // KEDA's default is 100
        int partitions = commandPartitions(objects);
        if (max > partitions) {
            v.add(id + ": maxReplicaCount " + max + " exceeds the " + partitions + " partitions of " + COMMANDS_TOPIC
                    + " (extra consumers idle)");
        }
        return v;
    }

    /** Partitions of the command topic: from its KafkaTopic when the render has one, else the contract (12). */
    static int commandPartitions(List<ObjectNode> objects) {
        for (ObjectNode t : Kustomize.ofKind(objects, "KafkaTopic")) {
            String name = t.path("spec").path("topicName").asText(t.path("metadata").path("name").asText());
            if (COMMANDS_TOPIC.equals(name)) {
                return t.path("spec").path("partitions").asInt(1);
            }
        }
        return 12;
    }

    /** No HorizontalPodAutoscaler targets the estimation Deployment (KEDA owns its HPA). */
    static List<String> noHpaOnEstimation(List<ObjectNode> objects) {
        List<String> v = new ArrayList<>();
        for (ObjectNode hpa : Kustomize.ofKind(objects, "HorizontalPodAutoscaler")) {
            if (ESTIMATION.equals(hpa.path("spec").path("scaleTargetRef").path("name").asText())) {
                v.add(Kustomize.id(hpa) + ": targets " + ESTIMATION + ", which KEDA scales (one ScaledObject, no separate HPA)");
            }
        }
        return v;
    }

    /** gateway and query-service have an autoscaling/v2 HPA on CPU, and their CPU requests are set. */
    static List<String> cpuHpas(List<ObjectNode> objects) {
        List<String> v = new ArrayList<>();
        for (String name : List.of("gateway", "query-service")) {
            List<ObjectNode> hpas = Kustomize.ofKind(objects, "HorizontalPodAutoscaler").stream()
                    .filter(h -> name.equals(h.path("spec").path("scaleTargetRef").path("name").asText()))
                    .toList();
            if (hpas.size() != 1) {
                v.add(name + ": expected one HorizontalPodAutoscaler, found " + hpas.size());
                continue;
            }
            ObjectNode hpa = hpas.get(0);
            if (!"autoscaling/v2".equals(hpa.path("apiVersion").asText())) {
                v.add(Kustomize.id(hpa) + ": not autoscaling/v2");
            }
            boolean onCpu = false;
            for (JsonNode m : hpa.path("spec").path("metrics")) {
                onCpu |= "Resource".equals(m.path("type").asText()) && "cpu".equals(m.path("resource").path("name").asText());
            }
            if (!onCpu) {
                v.add(Kustomize.id(hpa) + ": no CPU resource metric");
            }
            if (hpa.path("spec").path("minReplicas").asInt(1) > hpa.path("spec").path("maxReplicas").asInt()) {
                v.add(Kustomize.id(hpa) + ": minReplicas > maxReplicas");
            }
        }
        return v;
    }

    // ------------------------------------------------------------------ per-service objects, config, secrets

    /** Each service has its Deployment, Service, ServiceAccount (used, token not mounted) and a PDB selecting its pods. */
    static List<String> perServiceObjects(List<ObjectNode> objects) {
        List<String> v = new ArrayList<>();
        for (String name : SERVICES) {
            ObjectNode deployment = Kustomize.ofKind(objects, "Deployment").stream()
                    .filter(d -> name.equals(d.path("metadata").path("name").asText())).findFirst().orElse(null);
            if (deployment == null) {
                v.add(name + ": no Deployment");
                continue;
            }
            JsonNode pod = deployment.path("spec").path("template");
            JsonNode podLabels = pod.path("metadata").path("labels");
            if (Kustomize.ofKind(objects, "Service").stream().noneMatch(s -> name.equals(s.path("metadata").path("name").asText()))) {
                v.add(name + ": no Service");
            }
            String sa = pod.path("spec").path("serviceAccountName").asText("");
            if (sa.isEmpty() || "default".equals(sa)) {
                v.add(name + ": runs as the default ServiceAccount");
            } else if (Kustomize.ofKind(objects, "ServiceAccount").stream().noneMatch(s -> sa.equals(s.path("metadata").path("name").asText()))) {
                v.add(name + ": ServiceAccount " + sa + " is not in the render");
            }
            if (pod.path("spec").path("automountServiceAccountToken").asBoolean(true)) {
                v.add(name + ": mounts a service account token it does not need");
            }
            boolean pdb = false;
            for (ObjectNode p : Kustomize.ofKind(objects, "PodDisruptionBudget")) {
                JsonNode match = p.path("spec").path("selector").path("matchLabels");
                boolean selects = match.size() > 0;
                for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) match::fields) {
                    selects &= e.getValue().asText().equals(podLabels.path(e.getKey()).asText(null));
                }
                pdb |= selects;
            }
            if (!pdb) {
                v.add(name + ": no PodDisruptionBudget selects its pods");
            }
        }
        ObjectNode estimation = Kustomize.ofKind(objects, "Deployment").stream()
                .filter(d -> ESTIMATION.equals(d.path("metadata").path("name").asText())).findFirst().orElse(null);
        if (estimation != null) {
            v.addAll(estimationShutdownFits(objects, estimation));
        }
        return v;
    }

    /** Seconds of a duration as the services' configuration writes it: "10s", "2m", "PT20S", "30". */
    static long seconds(String duration) {
        String d = duration.trim();
        if (d.startsWith("PT") || d.startsWith("pt")) {
            return java.time.Duration.parse(d.toUpperCase()).toSeconds();
        }
        if (d.endsWith("ms")) {
            return (Long.parseLong(d.substring(0, d.length() - 2)) + 999) / 1000;
        }
        if (d.endsWith("s")) {
            return Long.parseLong(d.substring(0, d.length() - 1));
        }
        if (d.endsWith("m")) {
            return 60 * Long.parseLong(d.substring(0, d.length() - 1));
        }
        return Long.parseLong(d);
    }

    /**
     * estimation-service's pod is given the time its shutdown can take (issue 24): the preStop sleep, then Quarkus'
     * wait for HTTP requests in flight (QUARKUS_SHUTDOWN_TIMEOUT), then the worker's wait for its running commands,
     * which are handed back at their next checkpoint, within about a second
     * (COUNTERFACT_ESTIMATION_SHUTDOWN_GRACE, its bound for a step without checkpoints), plus 5 s to close the
     * connectors. Killed earlier, a command is still not lost (its offset is not committed), but counts one more start.
     */
    static List<String> estimationShutdownFits(List<ObjectNode> objects, ObjectNode deployment) {
        List<String> v = new ArrayList<>();
        JsonNode spec = deployment.path("spec").path("template").path("spec");
        long grace = spec.path("terminationGracePeriodSeconds").asLong(30);
        long preStop = 0;
        for (JsonNode c : spec.path("containers")) {
            preStop = Math.max(preStop, c.path("lifecycle").path("preStop").path("sleep").path("seconds").asLong(0));
        }
        JsonNode data = objects.stream().filter(o -> "ConfigMap".equals(o.path("kind").asText())
                        && o.path("metadata").path("name").asText().startsWith(ESTIMATION + "-config"))
                .findFirst().map(o -> o.path("data")).orElse(Kustomize.YAML.createObjectNode());
        String httpTimeout = data.path("QUARKUS_SHUTDOWN_TIMEOUT").asText(null);
        String workerGrace = data.path("COUNTERFACT_ESTIMATION_SHUTDOWN_GRACE").asText(null);
        if (httpTimeout == null || workerGrace == null) {
            v.add(ESTIMATION + ": QUARKUS_SHUTDOWN_TIMEOUT and COUNTERFACT_ESTIMATION_SHUTDOWN_GRACE must be set in its "
                    + "ConfigMap: terminationGracePeriodSeconds is checked against them");
            return v;
        }
        long needed = preStop + seconds(httpTimeout) + seconds(workerGrace) + 5;
        if (grace < needed) {
            v.add(ESTIMATION + ": terminationGracePeriodSeconds below its shutdown (" + grace + " s < preStop " + preStop
                    + " s + QUARKUS_SHUTDOWN_TIMEOUT " + httpTimeout + " + COUNTERFACT_ESTIMATION_SHUTDOWN_GRACE "
                    + workerGrace + " + 5 s): running commands cannot be handed back before the kill");
        }
        return v;
    }

    /**
     * No secret values in the repository: no Secret objects are rendered, env vars that look secret come
     * from secretKeyRef, ConfigMaps hold no secret-looking keys; no "OVERLAY_MUST_SET" placeholder is left.
     */
    static List<String> secretsAndConfig(List<ObjectNode> objects, boolean isOverlay) {
        List<String> v = new ArrayList<>();
        for (ObjectNode s : Kustomize.ofKind(objects, "Secret")) {
            v.add(Kustomize.id(s) + ": a Secret in the manifests; Secrets are created out of band (k8s/README.md)");
        }
        for (ObjectNode cm : Kustomize.ofKind(objects, "ConfigMap")) {
            cm.path("data").fieldNames().forEachRemaining(k -> {
                if (SECRET_NAME.matcher(k).matches()) {
                    v.add(Kustomize.id(cm) + ": key " + k + " looks secret; put it in a Secret");
                }
            });
        }
        for (Map.Entry<String, JsonNode> e : podSpecs(objects).entrySet()) {
            for (JsonNode c : e.getValue().path("containers")) {
                for (JsonNode env : c.path("env")) {
                    String name = env.path("name").asText();
                    if (SECRET_NAME.matcher(name).matches() && env.path("valueFrom").path("secretKeyRef").isMissingNode()) {
                        v.add(e.getKey() + " env " + name + ": must come from a Secret (valueFrom.secretKeyRef)");
                    }
                }
            }
        }
        if (isOverlay) {
            String all = objects.toString();
            if (all.contains("OVERLAY_MUST_SET")) {
                v.add("a value the overlay must set is still OVERLAY_MUST_SET");
            }
        }
        return v;
    }

    /** Every namespaced object names its namespace (the render is applied as is). */
    static List<String> namespaced(List<ObjectNode> objects) {
        Set<String> clusterScoped = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                "StorageClass", "PriorityClass", "ClusterTriggerAuthentication");
        List<String> v = new ArrayList<>();
        for (ObjectNode o : objects) {
            if (!clusterScoped.contains(o.path("kind").asText()) && o.path("metadata").path("namespace").asText("").isBlank()) {
                v.add(Kustomize.id(o) + ": no namespace");
            }
        }
        return v;
    }

    /** All checks of the policy, by name. */
    static Map<String, List<String>> all(List<ObjectNode> objects, boolean isOverlay) {
        Map<String, List<String>> results = new HashMap<>();
        results.put("probesAndResources", probesAndResources(objects));
        results.put("securityContext", securityContext(objects));
        results.put("onlyGatewayExposed", onlyGatewayExposed(objects));
        results.put("defaultDeny", defaultDeny(objects));
        results.put("ownDatabaseOnly", ownDatabaseOnly(objects));
        results.put("estimationLagScaling", estimationLagScaling(objects));
        results.put("noHpaOnEstimation", noHpaOnEstimation(objects));
        results.put("cpuHpas", cpuHpas(objects));
        results.put("perServiceObjects", perServiceObjects(objects));
        results.put("secretsAndConfig", secretsAndConfig(objects, isOverlay));
        results.put("namespaced", namespaced(objects));
        return results;
    }
}
