import type { PdbSpec } from "./inputs/pod-disruption-budgets.js";
import { NS_PER } from "../core/time.js";
import { estimateMemory, formatBytes } from "./estimate-memory.js";
import { defaultInputLimits, readInputFile, type InputLimits } from "./input-files.js";
import { scaleScenarioNodes } from "./scale-nodes.js";
import { ScenarioError } from "./scenario-error.js";
import { readApiServer } from "./sections/api-server.js";
import { readBackground } from "./sections/background.js";
import { DEFAULT_IMAGE_BYTES } from "./inputs/input-report.js";
import { resolvePriorities, type PriorityClassSpec } from "./inputs/priority-classes.js";
import { adoptStatefulSetPod } from "./inputs/stateful-sets.js";
import { readCluster, readImages, startNodeNames } from "./sections/cluster.js";
import { readClusterPods, type ExistingPodSpec } from "./sections/cluster-pods.js";
import { createdDeployments } from "./sections/workload.js";
import { readControllerManager } from "./sections/controller-manager.js";
import { readDensityTest } from "./sections/density-test.js";
import { readClusterAutoscaler } from "./sections/cluster-autoscaler.js";
import { readKarpenter } from "./sections/karpenter.js";
import { readEtcd } from "./sections/etcd.js";
import { readKubelet } from "./sections/kubelet.js";
import { readRegistry } from "./sections/registry.js";
import { readScheduler } from "./sections/scheduler.js";
import { readStorage, reportUnknownClasses } from "./sections/storage.js";
import { readWatch } from "./sections/watch.js";
import { createdAutoscalers, readWorkload, type NamespacePolicies } from "./sections/workload.js";
import { applyLimitRanges } from "./inputs/limit-ranges.js";
import { reportUndeclaredNamespaces } from "./inputs/namespaces.js";
import { resolveRuntimeClasses, type RuntimeClassSpec } from "./inputs/runtime-classes.js";
import type { OutputTable, Scenario, WorkloadStep } from "./types.js";
import { readYamlDocuments, type ReadContext } from "./yaml-reader.js";

const TOP_KEYS = [
  "name",
  "seed",
  "cluster",
  "images",
  "controlPlane",
  "kubelet",
  "registry",
  "storage",
  "workload",
  "stop",
  "densityTest",
  "outputs",
  "startTime",
  "clusterAutoscaler",
  "karpenter",
] as const;
const OUTPUTS: readonly OutputTable[] = ["pods", "scheduler", "api", "etcd", "timeseries", "nodes", "registry"];
/** A run stops at this simulated time unless the scenario says otherwise. */
const DEFAULT_TIME_LIMIT_NS = 2 * 3600 * NS_PER.s;
/**
 * The longest `stop.timeLimit`: 100 days. Simulated time is integer nanoseconds in a double,
 * exact to 2^53 ns (about 104 days); past that, event times round and order breaks.
 */
export const MAX_TIME_LIMIT_NS = 100 * 24 * 3600 * NS_PER.s;
/** Nodes a run may have in all (pools plus addNodes): 200 times upstream's 5,000-node limit. */
export const MAX_NODES = 1_000_000;
/** Pods a run may create in all (see podsCreatedBound): 100 times upstream's 150,000-pod limit. */
export const MAX_PODS = 15_000_000;
/**
 * The scenario name names the results directory `<name>-<seed>` (plus a temporary suffix while
 * it is written): 128 characters keep it well inside a file name's 255 bytes.
 */
export const MAX_NAME_LENGTH = 128;
/** A scenario name: a letter or digit, then letters, digits, '.', '_' and '-', at most {@link MAX_NAME_LENGTH}. */
export const SCENARIO_NAME = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${MAX_NAME_LENGTH - 1}}$`);
/** How scenario names are described in messages. */
export const SCENARIO_NAME_EXPECTED = `a name of letters, digits, '.', '_' and '-' (at most ${MAX_NAME_LENGTH} characters)`;

/** Options of {@link loadScenario} and {@link parseScenario}. */
export interface LoadOptions {
  /** Replaces the scenario's seed. */
  seed?: number;
  /** Confinement and size limits (default: {@link defaultInputLimits}). */
  limits?: InputLimits;
  /** `--scale`: multiplies the counts of scale-nodes.ts on the parsed document (default 1). */
  scale?: number;
}

/**
 * Reads, validates and resolves a scenario file. Every problem is collected and thrown together
 * as a {@link ScenarioError} (file, YAML path, line:column, expected, found) before anything
 * runs, including every limit a run would meet (names, counts, time, estimated memory).
 * The file must be a regular file within the size limit; the files it names must also lie in
 * its directory tree (see input-files.ts).
 */
export function loadScenario(file: string, options: LoadOptions = {}): Scenario {
  return parseScenario(file, readTopFile(file, "scenario", options.limits), options);
}

/**
 * Reads a file the user named on the command line (a scenario, a study): a regular file within
 * the size limit, anywhere. Throws a located {@link ScenarioError} otherwise.
 */
export function readTopFile(file: string, what: string, limits: InputLimits = defaultInputLimits()): string {
  const read = readInputFile(file, process.cwd(), undefined, limits);
  if ("text" in read) return read.text;
  throw new ScenarioError([
    { file, path: "", line: 0, column: 0, expected: `a ${what} file: ${read.expected}`, found: read.found },
  ]);
}

/** As {@link loadScenario}, from text already in memory (`file` names it in errors and anchors relative paths). */
export function parseScenario(file: string, text: string, options: LoadOptions = {}): Scenario {
  const { ctx, docs } = readYamlDocuments(file, text, {
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    scale: options.scale ?? 1,
  });
  const root = docs[0];
  if (root === undefined || docs.length !== 1) {
    ctx.report("", 0, "exactly one YAML document", `${docs.length} documents`);
    ctx.throwIfIssues();
  }
  const r = root!;
  scaleScenarioNodes(r.node, ctx.scale);
  if (!r.object(TOP_KEYS)) r.fail(`a mapping with keys ${TOP_KEYS.join(", ")}`);
  const name = r.get("name").str({ pattern: SCENARIO_NAME, expected: SCENARIO_NAME_EXPECTED });
  const seed = options.seed ?? r.get("seed").int({ min: 0, max: 2 ** 53 - 1, default: 1 });
  const images = readImages(r.get("images"));
  const declared = new Set(images.map((i) => i.name));
  const { pools: nodePools, nodeImages } = readCluster(r.get("cluster"), declared);
  const kr = r.get("karpenter");
  if (kr.present && (r.has("clusterAutoscaler") || nodePools.some((p) => p.autoscaling !== undefined)))
    kr.fail(
      "no karpenter: in a scenario with the Cluster Autoscaler (clusterAutoscaler: or a pool with autoscaling:): a scenario uses one or the other",
    );
  const karpenter = kr.present ? readKarpenter(kr, new Set(nodePools.map((p) => p.name))) : undefined;
  if (karpenter !== undefined) nodePools.push(...karpenter.pools);
  images.push(...nodeImages);
  const known = new Set(images.map((i) => i.name));
  const priorityClasses: PriorityClassSpec[] = [];
  const pdbs: PdbSpec[] = [];
  const policies: NamespacePolicies = { namespaces: [], limitRanges: [], resourceQuotas: [] };
  const runtimeClasses: RuntimeClassSpec[] = [];
  const workload = admitWorkloads(
    ctx,
    readWorkload(r.get("workload"), known, nodePools, priorityClasses, pdbs, policies, runtimeClasses),
    priorityClasses,
    policies,
    runtimeClasses,
  );
  const existingPods = r.get("cluster").has("pods")
    ? adoptExistingPods(readClusterPods(r.get("cluster").get("pods"), startNodeNames(nodePools), known), workload)
    : undefined;
  // model: an image no input gives a size for gets the documented default (input-report.ts).
  for (const name of ctx.inputs.defaultSizedImages())
    if (!known.has(name)) images.push({ name, sizeBytes: DEFAULT_IMAGE_BYTES, layers: [] });
  const storage = readStorage(r.get("storage"));
  reportUnknownClasses(storage, workload, ctx.inputs, ctx.site(r.get("workload").offset));
  const cp = r.get("controlPlane");
  cp.object(["apiserver", "etcd", "watch", "controllerManager", "scheduler", "background"]);
  const st = r.get("stop");
  st.object(["when", "timeLimit"]);
  const ca = r.get("clusterAutoscaler");
  const autoscaled = karpenter === undefined && nodePools.some((p) => p.autoscaling !== undefined);
  if (ca.present && !autoscaled) ca.fail("a cluster with a node pool that has autoscaling: { minNodes, maxNodes }");
  const scenario: Scenario = {
    file,
    name,
    seed,
    nodePools,
    images,
    // model: the control plane is sized for the cluster it starts with (get-master-size reads
    // NUM_NODES at cluster creation); nodes added later do not resize it.
    apiserver: readApiServer(
      cp.get("apiserver"),
      nodePools.reduce((n, p) => n + p.count, 0),
    ),
    etcd: readEtcd(cp.get("etcd")),
    watch: readWatch(cp.get("watch")),
    controllerManager: readControllerManager(cp.get("controllerManager")),
    scheduler: readScheduler(cp.get("scheduler")),
    background: readBackground(cp.get("background")),
    kubelet: readKubelet(r.get("kubelet")),
    registry: readRegistry(r.get("registry")),
    workload,
    ...(existingPods === undefined ? {} : { existingPods }),
    ...(storage === undefined ? {} : { storage }),
    ...(pdbs.length === 0 ? {} : { podDisruptionBudgets: pdbs }),
    ...(policies.resourceQuotas.length === 0 ? {} : { resourceQuotas: policies.resourceQuotas }),
    ...(karpenter === undefined ? {} : { karpenter: karpenter.spec }),
    ...(autoscaled
      ? { clusterAutoscaler: readClusterAutoscaler(ca, nodePools, r.get("cluster").get("nodePools")) }
      : {}),
    stop: {
      when: st.get("when").oneOf(["allRunning", "timeLimit"] as const, { default: "allRunning" }),
      timeLimitNs: st.get("timeLimit").duration({ min: 1, max: MAX_TIME_LIMIT_NS, default: DEFAULT_TIME_LIMIT_NS }),
    },
    outputs: r.get("outputs").subsetOf(OUTPUTS),
    ...(r.has("startTime") ? { startTimeMs: readStartTime(r.get("startTime")) } : {}),
    ...(r.has("densityTest")
      ? { densityTest: readDensityTest(r.get("densityTest"), createdDeployments(workload))! }
      : {}),
    inputs: ctx.inputs.toJSON(),
  };
  if (scenario.stop.when === "allRunning" && createdAutoscalers(workload).length > 0)
    (st.has("when") ? st.get("when") : st).fail(
      "stop: { when: timeLimit } (a HorizontalPodAutoscaler changes the replicas at any time: no final count to wait for)",
    );
  ctx.throwIfIssues();
  checkSize(ctx, scenario, r);
  ctx.throwIfIssues();
  return scenario;
}

/** An RFC 3339 time with a zone (`2026-01-01T00:00:00Z`, `2026-03-29T02:30:00+02:00`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `startTime:` the wall-clock time of simulated 0 (types.ts DEFAULT_START_TIME_MS when absent). */
function readStartTime(r: ReturnType<typeof readYamlDocuments>["docs"][number]): number {
  const text = r.str({ expected: "an RFC 3339 time such as 2026-01-01T00:00:00Z" });
  const ms = RFC3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) r.fail("an RFC 3339 time with a zone, such as 2026-01-01T00:00:00Z");
  return ms;
}

/**
 * Marks each existing pod that a Deployment of the workload adopts: its controller is a
 * ReplicaSet named `<deployment>-<hash>` of that Deployment's namespace (or a ReplicaSet the
 * workload creates as such, by its name), and it carries the
 * Deployment's template labels (model: (approximation) the labels stand for spec.selector,
 * which they include; the ReplicaSet controller adopts orphans and pods of its own the same
 * way, controller_ref_manager.go ClaimPods).
 */
function adoptExistingPods(pods: ExistingPodSpec[], steps: readonly WorkloadStep[]): ExistingPodSpec[] {
  const deployments = createdDeployments(steps);
  return pods.map((p) => {
    if (p.ownerKind === "StatefulSet") return adoptStatefulSetPod(p, deployments);
    if (p.ownerKind === "DaemonSet") {
      // model: a DaemonSet of the inputs claims the pods it owns (by name) whose labels its selector matches.
      const ds = deployments.find(
        (x) =>
          x.kind === "DaemonSet" &&
          x.namespace === p.namespace &&
          x.name === p.ownerName &&
          [...x.pod.labels].every(([k, v]) => p.pod.labels.get(k) === v),
      );
      return ds === undefined ? p : { ...p, adoptedBy: ds.name };
    }
    if (p.ownerKind !== "ReplicaSet") return p;
    const d = deployments.find(
      (x) =>
        x.namespace === p.namespace &&
        (x.kind === "ReplicaSet"
          ? p.ownerName === x.name
          : p.ownerName.startsWith(`${x.name}-`) && !p.ownerName.slice(x.name.length + 1).includes("-")) &&
        [...x.pod.labels].every(([k, v]) => p.pod.labels.get(k) === v),
    );
    return d === undefined ? p : { ...p, adoptedBy: d.name };
  });
}

/**
 * The workload as the API server's in-process admission leaves each created workload's pods,
 * once every input is read: the RuntimeClass plugin's overhead (runtime-classes.ts), the
 * Priority plugin's priority (priority-classes.ts) and the LimitRanger plugin's defaults and
 * checks (limit-ranges.ts); workloads in a namespace no input declares are reported
 * (namespaces.ts). ResourceQuota admission depends on what runs at the time, so it acts during
 * the run (src/apiserver/resource-quotas.ts).
 */
function admitWorkloads(
  ctx: ReadContext,
  steps: WorkloadStep[],
  classes: readonly PriorityClassSpec[],
  policies: NamespacePolicies,
  runtimeClasses: readonly RuntimeClassSpec[],
): WorkloadStep[] {
  return steps.map((s) => {
    if (s.action.kind !== "create") return s;
    reportUndeclaredNamespaces(s.action.deployments, policies.namespaces, ctx.inputs);
    // Runtime classes first: their references are keyed by the pod manifests as read.
    const withOverhead = resolveRuntimeClasses(ctx, s.action.deployments, runtimeClasses);
    const prioritized = resolvePriorities(ctx, withOverhead, classes);
    return { ...s, action: { ...s.action, deployments: applyLimitRanges(ctx, prioritized, policies.limitRanges) } };
  });
}

/**
 * The limits a valid scenario can still exceed as a whole: total nodes and pods, and the
 * estimated peak memory against `--max-memory` (checked here so that validate refuses what run
 * could not finish).
 */
function checkSize(ctx: ReadContext, s: Scenario, r: ReturnType<typeof readYamlDocuments>["docs"][number]): void {
  const est = estimateMemory(s);
  const scaled = ctx.scale === 1 ? "" : ` after --scale ${ctx.scale}`;
  if (est.nodes > MAX_NODES)
    r.get("cluster").fail(`at most ${MAX_NODES} nodes in all, with addNodes (found ${est.nodes}${scaled})`);
  if (est.pods > MAX_PODS)
    r.get("workload").fail(`a workload creating at most ${MAX_PODS} pods in all (up to ${est.pods}${scaled})`);
  if (ctx.issues.length > 0) return;
  const max = ctx.limits.maxMemoryBytes;
  if (est.bytes <= max) return;
  const where =
    est.largest === "pods" || est.largest === "podTemplates"
      ? r.get("workload")
      : est.largest === "nodes"
        ? r.get("cluster")
        : r.get("stop").get("timeLimit");
  const why =
    est.largest === "pods"
      ? `${est.pods} pods`
      : est.largest === "nodes"
        ? `${est.nodes} nodes`
        : est.largest === "podTemplates"
          ? `the scheduler's count of each of ${est.podTemplates} pod templates' pods on each of ${est.nodes} nodes`
          : est.largest === "background"
            ? `the background load of ${est.nodes} nodes (Leases, node status) until stop.timeLimit`
            : `${est.nodeSampleRows} node samples: ${est.nodes} nodes every kubelet.sampleInterval until stop.timeLimit`;
  ctx.report(
    where.path,
    where.offset,
    `a run whose estimated peak memory fits --max-memory (${formatBytes(max)})`,
    `an estimated ${formatBytes(est.bytes)}, mostly ${why}${scaled}`,
    "lower the counts or stop.timeLimit, raise kubelet.sampleInterval, turn controlPlane.background off, or raise --max-memory",
  );
}
