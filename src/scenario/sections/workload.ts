import { lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import { INT32_MAX, readDeployment, readJob, type DeploymentSpec } from "../manifests.js";
import { scaleDeploymentNode } from "../scale-nodes.js";
import {
  CRONJOB_FIELDS,
  DAEMONSET_FIELDS,
  DEPLOYMENT_FIELDS,
  JOB_FIELDS,
  REPLICASET_FIELDS,
  reportUnmodelled,
  STATEFULSET_FIELDS,
} from "../inputs/modelled-fields.js";
import { readStatefulSet } from "../inputs/stateful-sets.js";
import { readCronJob } from "../inputs/cron-jobs.js";
import { readDaemonSet } from "../inputs/daemon-sets.js";
import { readPriorityClass, type PriorityClassSpec } from "../inputs/priority-classes.js";
import { readObjects } from "../inputs/read-objects.js";
import { readPodDisruptionBudget, type PdbSpec } from "../inputs/pod-disruption-budgets.js";
import { readRuntimeClass, type RuntimeClassSpec } from "../inputs/runtime-classes.js";
import { readLimitRange, type LimitRangeSpec } from "../inputs/limit-ranges.js";
import { noteWorkloadSite, readNamespace } from "../inputs/namespaces.js";
import { readResourceQuota, type ResourceQuotaSpec } from "../inputs/resource-quotas.js";
import { readHorizontalPodAutoscaler, type HpaSpec } from "../inputs/horizontal-pod-autoscalers.js";
import type { YamlReader } from "../yaml-reader.js";
import type { NodePoolSpec } from "./cluster.js";

/** Which nodes a node event acts on: all conditions must hold; `count` keeps the first N. */
export interface NodeSelection {
  pool: string | undefined;
  labels: ReadonlyMap<string, string>;
  names: readonly string[];
  count: number | undefined;
}

/** What a workload step does. */
export type WorkloadAction =
  /**
   * kubectl creates these Deployments (and ReplicaSets and Jobs, by their `kind`), and the
   * HorizontalPodAutoscalers of the same inputs (absent when none).
   */
  | { kind: "create"; deployments: readonly DeploymentSpec[]; autoscalers?: readonly HpaSpec[] }
  /** kubectl scale on a schedule: at each absolute time, the Deployment's replicas (times nondecreasing). */
  | { kind: "scale"; deployment: string; atNs: readonly number[]; replicas: readonly number[] }
  /** From the step's time on, the CPU demand on a Deployment's pods (what its HorizontalPodAutoscaler measures). */
  | { kind: "load"; load: LoadCurve }
  /**
   * kubectl changes a Deployment, a StatefulSet or a DaemonSet (by name): its replica count
   * and/or a container image (a rollout), or pauses or resumes a Deployment's rollouts (kubectl rollout
   * pause / resume: spec.paused).
   */
  | {
      kind: "update";
      /** The workload's name: a Deployment's, or a DaemonSet's (given as `daemonSet:`). */
      deployment: string;
      replicas: number | undefined;
      container: string | undefined;
      image: string | undefined;
      paused?: boolean;
    }
  /** New nodes of an existing pool join the cluster. */
  | { kind: "addNodes"; pool: string; count: number }
  /** kubectl cordon / uncordon, or a node failure (it stops reporting: NotReady). */
  | { kind: "cordon" | "uncordon" | "failNodes"; nodes: NodeSelection }
  /** kubectl drain; `timeoutNs` is --timeout (absent: 0, wait forever). */
  | { kind: "drain"; nodes: NodeSelection; timeoutNs?: number }
  /** A managed node-pool surge upgrade (src/node/pool-upgrade.ts). */
  | ({ kind: "upgradePool" } & PoolUpgradeSpec)
  /** From now on the Deployment's pods lose these scheduling gates (src/controllers/gate-controller.ts). */
  | { kind: "ungate"; deployment: string; gates: readonly string[] };

/** An `upgradePool` step: every node of `pool` is replaced by a new one, surge-upgrade style. */
export interface PoolUpgradeSpec {
  pool: string;
  /** Nodes the pool has when the step runs (its initial count plus earlier addNodes): the new rows it needs. */
  nodes: number;
  maxSurge: number;
  maxUnavailable: number;
  /** How long a node's drain respects PodDisruptionBudgets before its pods are deleted anyway. */
  drainTimeoutNs: number;
  /** From the new node's creation to its kubelet's registration (VM boot, kubelet start). */
  provisioning: DistSpec;
}

/**
 * model: GKE's surge upgrade defaults, maxSurge 1 and maxUnavailable 0, and its one-hour limit
 * on respecting PodDisruptionBudgets and termination grace periods during a node upgrade
 * (cloud.google.com/kubernetes-engine/docs/concepts/node-pool-upgrade-strategies, "Surge
 * upgrades"; .../concepts/cluster-upgrades, "How node upgrades work").
 */
export const GKE_UPGRADE_DEFAULTS = { maxSurge: 1, maxUnavailable: 0, drainTimeoutNs: 60 * NS_PER.m } as const;
/** model: (assumed) a VM's creation to its kubelet's registration: about a minute, rarely two. */
export const DEFAULT_NODE_PROVISIONING: DistSpec = lognormal(60 * NS_PER.s, 120 * NS_PER.s);

/**
 * The CPU a Deployment's pods use over time: piecewise linear through the points (absolute
 * times, nondecreasing), flat before the first and after the last.
 */
export interface LoadCurve {
  deployment: string;
  /** The step's time: the curve applies from then until a later load step on the Deployment. */
  fromNs: number;
  /**
   * true (`total:`): the curve is the Deployment's total demand L(t), shared equally by its
   * Ready pods (a load balancer's view); false (`perPod:`): each Running pod uses the curve.
   */
  shared: boolean;
  atNs: readonly number[];
  cpuMilli: readonly number[];
}

/** A step of the workload: at a simulated time, one action. */
export interface WorkloadStep {
  atNs: number;
  action: WorkloadAction;
}

/** Every Deployment the workload creates, in creation order. */
export function createdDeployments(steps: readonly WorkloadStep[]): DeploymentSpec[] {
  const out: DeploymentSpec[] = [];
  for (const s of steps) if (s.action.kind === "create") out.push(...s.action.deployments);
  return out;
}

/** Whether the workload creates any DaemonSet (its controller is built only then, so other runs are unchanged). */
export function createsDaemonSets(steps: readonly WorkloadStep[]): boolean {
  return createdDeployments(steps).some((d) => d.kind === "DaemonSet");
}

/** Whether the workload creates any Job, or a CronJob that makes them (its components are built only then, so other runs are unchanged). */
export function createsJobs(steps: readonly WorkloadStep[]): boolean {
  return createdDeployments(steps).some((d) => d.kind === "Job" || d.kind === "CronJob");
}

/** Whether the workload creates any CronJob (the CronJob controller and garbage collector are built only then). */
export function createsCronJobs(steps: readonly WorkloadStep[]): boolean {
  return createdDeployments(steps).some((d) => d.kind === "CronJob");
}

/** Every HorizontalPodAutoscaler the workload creates, with the time of its step. */
export function createdAutoscalers(steps: readonly WorkloadStep[]): { atNs: number; spec: HpaSpec }[] {
  const out: { atNs: number; spec: HpaSpec }[] = [];
  for (const s of steps)
    if (s.action.kind === "create") for (const spec of s.action.autoscalers ?? []) out.push({ atNs: s.atNs, spec });
  return out;
}

/** Replicas the workload asks for once every step has run (updates and scale schedules may change them). */
export function finalReplicas(steps: readonly WorkloadStep[]): number {
  const replicas = new Map<string, number>();
  // Scale schedules reach past later steps: every replica change, in time order (ties in step order).
  const changes: { atNs: number; name: string; replicas: number }[] = [];
  for (const s of steps) {
    const a = s.action;
    if (a.kind === "create") for (const d of a.deployments) replicas.set(d.name, d.replicas);
    else if (a.kind === "update" && a.replicas !== undefined)
      changes.push({ atNs: s.atNs, name: a.deployment, replicas: a.replicas });
    else if (a.kind === "scale")
      for (let i = 0; i < a.atNs.length; i++)
        changes.push({ atNs: a.atNs[i]!, name: a.deployment, replicas: a.replicas[i]! });
  }
  changes.sort((x, y) => x.atNs - y.atNs);
  for (const c of changes) replicas.set(c.name, c.replicas);
  let n = 0;
  for (const r of replicas.values()) n += r;
  return n;
}

/** Namespace-level policy objects of `apply:` inputs, which admission applies to the workloads' pods. */
export interface NamespacePolicies {
  namespaces: string[];
  limitRanges: LimitRangeSpec[];
  resourceQuotas: ResourceQuotaSpec[];
}

const ACTION_KEYS = [
  "apply",
  "deployments",
  "update",
  "scale",
  "load",
  "addNodes",
  "cordon",
  "uncordon",
  "drain",
  "failNodes",
  "upgradePool",
  "ungate",
] as const;

export function readWorkload(
  r: YamlReader,
  images: ReadonlySet<string>,
  allPools: readonly NodePoolSpec[],
  priorityClasses: PriorityClassSpec[] = [],
  pdbs: PdbSpec[] = [],
  policies: NamespacePolicies = { namespaces: [], limitRanges: [], resourceQuotas: [] },
  runtimeClasses: RuntimeClassSpec[] = [],
): WorkloadStep[] {
  // Steps name the synthetic pools; a node of cluster.nodes is selected by its name or labels.
  const pools = allPools.filter((p) => p.nodeName === undefined);
  if (!r.present) r.fail("a workload: a list of steps such as - { at: 0s, apply: manifests/web.yaml }");
  let last = 0;
  /** Container names of each Deployment created so far. */
  const containersOf = new Map<string, string[]>();
  /** Scheduling gates of each Deployment's pod template, by name. */
  const gatesOf = new Map<string, readonly string[]>();
  /** Kinds of the ReplicaSets and Jobs created as such, by name (update: is for Deployments). */
  const notDeployments = new Map<string, string>();
  /** The manifest of each Deployment created so far, by name, and the Deployments an HPA targets. */
  const created = new Map<string, DeploymentSpec>();
  const autoscaled = new Set<string>();
  /** load: steps, checked once every step is read (their Deployment's HPA may come later). */
  const loads: [string, YamlReader][] = [];
  /** A Deployment an update:, scale: or load: step names: created by an earlier step, and a Deployment. */
  const deploymentRef = (n: YamlReader): string => {
    const name = n.str();
    if (name !== "" && !containersOf.has(name))
      n.fail(`a Deployment created by an earlier step (${[...containersOf.keys()].join(", ") || "none"})`);
    const other = notDeployments.get(name);
    if (other !== undefined) n.fail(`a Deployment (${name} is a ${other}: updates of ${other}s are not simulated)`);
    return name;
  };
  /** Nodes of each synthetic pool as the steps so far leave it. */
  const poolSize = new Map(pools.map((p) => [p.name, p.count]));
  const steps = r.list("a list of workload steps").map((step): WorkloadStep => {
    step.object(["at", "copies", "runDuration", ...ACTION_KEYS]);
    const atR = step.get("at");
    const atNs = atR.duration({ min: 0 });
    if (atNs < last) atR.fail("a time no earlier than the previous step (steps run in order)");
    last = Math.max(last, atNs);
    const present = ACTION_KEYS.filter((k) => step.has(k));
    if (present.length !== 1) {
      step.fail(
        `exactly one action: ${ACTION_KEYS.join(", ")}${present.length > 1 ? ` (found ${present.join(" and ")})` : ""}`,
      );
      return { atNs, action: { kind: "create", deployments: [] } };
    }
    const key = present[0]!;
    if (key !== "apply" && key !== "deployments" && step.has("copies"))
      step.get("copies").fail("copies only with apply or deployments");
    if (key !== "apply" && step.has("runDuration"))
      step.get("runDuration").fail("runDuration only with apply (the run time of its Jobs' pods)");
    const a = step.get(key);
    switch (key) {
      case "apply":
      case "deployments": {
        const hpas: [HpaSpec, string][] = [];
        const deployments = readCreate(step, key, images, priorityClasses, pdbs, policies, hpas, runtimeClasses);
        for (const d of deployments) {
          if (containersOf.has(d.name)) a.fail(`Deployment names not created before (${d.name} exists)`);
          containersOf.set(
            d.name,
            d.pod.containers.map((c) => c.name),
          );
          created.set(d.name, d);
          if (d.kind !== undefined) notDeployments.set(d.name, d.kind);
          gatesOf.set(d.name, d.pod.schedulingGates ?? []);
        }
        for (const [h, site] of hpas) {
          checkAutoscalerTarget(h, site, a, created, notDeployments);
          if (autoscaled.has(h.target))
            a.fail(
              `HorizontalPodAutoscaler ${h.name} (${site}): a Deployment no other HPA targets (${h.target} has one)`,
            );
          autoscaled.add(h.target);
        }
        if (hpas.length === 0) return { atNs, action: { kind: "create", deployments } };
        return { atNs, action: { kind: "create", deployments, autoscalers: hpas.map(([h]) => h) } };
      }
      case "scale": {
        a.object(["deployment", "schedule"]);
        const deployment = deploymentRef(a.get("deployment"));
        const { times, values: replicas } = readTimedRows(a.get("schedule"), atNs, "replicas", (v) =>
          v.int({ min: 0, max: INT32_MAX }),
        );
        return { atNs, action: { kind: "scale", deployment, atNs: times, replicas } };
      }
      case "load": {
        a.object(["deployment", "total", "perPod"]);
        const deployment = deploymentRef(a.get("deployment"));
        loads.push([deployment, a.get("deployment")]);
        const both = a.has("total") && a.has("perPod");
        if (both || (!a.has("total") && !a.has("perPod")))
          a.fail("exactly one curve: total (shared by the Ready pods) or perPod (each pod's usage)");
        const shared = a.has("total");
        const curve = a.get(shared ? "total" : "perPod");
        const { times, values: cpuMilli } = readTimedRows(curve, atNs, "cpu", (v) =>
          Math.round(v.quantity({ min: 0 }) * 1000),
        );
        return { atNs, action: { kind: "load", load: { deployment, fromNs: atNs, shared, atNs: times, cpuMilli } } };
      }
      case "update": {
        a.object(["deployment", "statefulSet", "daemonSet", "replicas", "container", "image", "paused"]);
        // A StatefulSet is named by `statefulSet:`, a DaemonSet by `daemonSet:` (it has no
        // replicas), a Deployment by `deployment:`.
        const target = a.has("deployment")
          ? "deployment"
          : a.has("statefulSet")
            ? "statefulSet"
            : a.has("daemonSet")
              ? "daemonSet"
              : "deployment";
        if (target === "daemonSet" && a.has("replicas"))
          a.get("replicas").fail("no replicas for a DaemonSet (it runs one pod per eligible node)");
        const kindName = target === "statefulSet" ? "StatefulSet" : target === "daemonSet" ? "DaemonSet" : "Deployment";
        const name = a.get(target).str();
        if (target !== "deployment" && a.has("paused")) a.get("paused").fail("paused only on a Deployment");
        const containers = containersOf.get(name);
        if (name !== "" && containers === undefined)
          a.get(target).fail(
            `a ${kindName} created by an earlier step (${[...containersOf.keys()].join(", ") || "none"})`,
          );
        const other = notDeployments.get(name);
        if (other !== (target === "deployment" ? undefined : kindName) && containers !== undefined)
          a.get(target).fail(
            other === "StatefulSet" || other === "DaemonSet"
              ? `a ${kindName} (${name} is a ${other}: update it with ${other === "StatefulSet" ? "statefulSet" : "daemonSet"}: ${name})`
              : `a ${kindName} (${name} is a ${other ?? "Deployment"}: updates of ${other ?? "Deployment"}s ${other === undefined ? "take deployment:" : "are not simulated"})`,
          );
        const container = a.has("container") ? a.get("container").str() : undefined;
        if (container !== undefined && containers !== undefined && !containers.includes(container))
          a.get("container").fail(`a container of ${name} (${containers.join(", ")})`);
        const replicas = a.has("replicas") ? a.get("replicas").int({ min: 0, max: INT32_MAX }) : undefined;
        const image = a.has("image") ? a.get("image").str() : undefined;
        if (image !== undefined && !images.has(image))
          a.get("image").fail(`an image declared under images: with a size (${image} is not)`);
        const paused = a.has("paused") ? a.get("paused").bool() : undefined;
        if (replicas === undefined && image === undefined && paused === undefined)
          a.fail("a change: replicas, image and/or paused");
        return {
          atNs,
          action: {
            kind: "update",
            deployment: name,
            replicas,
            container,
            image,
            ...(paused === undefined ? {} : { paused }),
          },
        };
      }
      case "addNodes": {
        a.object(["pool", "count"]);
        const pool = a.get("pool").str();
        if (pool !== "" && !pools.some((p) => p.name === pool))
          a.get("pool").fail(`a node pool of cluster.nodePools (${pools.map((p) => p.name).join(", ")})`);
        const count = a.get("count").int({ min: 1 });
        poolSize.set(pool, (poolSize.get(pool) ?? 0) + count);
        return { atNs, action: { kind: "addNodes", pool, count } };
      }
      case "upgradePool":
        return { atNs, action: { kind: "upgradePool", ...readPoolUpgrade(a, pools, poolSize) } };
      case "ungate":
        return { atNs, action: readUngate(a, gatesOf) };
      case "drain": {
        const nodes = readSelection(a, pools, ["timeout"]);
        if (!a.has("timeout")) return { atNs, action: { kind: key, nodes } };
        return { atNs, action: { kind: key, nodes, timeoutNs: a.get("timeout").duration({ min: 1 }) } };
      }
      default:
        return { atNs, action: { kind: key, nodes: readSelection(a, pools) } };
    }
  });
  for (const [name, at] of loads)
    if (name !== "" && !autoscaled.has(name))
      at.fail(`a Deployment that a HorizontalPodAutoscaler targets (the load drives its metric; ${name} has none)`);
  return steps;
}

/**
 * A `[{ at, KEY }]` table (a scale: schedule, a load: curve): at least one row, times counted
 * from the step's `atNs` and in order; each row's value read by `read`.
 */
function readTimedRows(
  list: YamlReader,
  atNs: number,
  key: string,
  read: (v: YamlReader) => number,
): { times: number[]; values: number[] } {
  const times: number[] = [];
  const values: number[] = [];
  const rows = list.list(`a list of { at: DURATION, ${key}: ... } (times from the step's at)`);
  if (rows.length === 0) list.fail(`at least one { at, ${key} } row`);
  for (const row of rows) {
    row.object(["at", key]);
    const t = row.get("at");
    const offset = t.duration({ min: 0 });
    if (times.length > 0 && atNs + offset < times[times.length - 1]!)
      t.fail("a time no earlier than the previous row's (rows run in order)");
    times.push(atNs + offset);
    values.push(read(row.get(key)));
  }
  return { times, values };
}

/**
 * An HPA's target: a Deployment of the workload in its namespace, and for a Utilization target
 * a cpu request on every container (replica_calculator.go calculatePodRequests fails without).
 * Checked once the whole step is read (the Deployment may follow the HPA in the inputs), so the
 * error sits at the step and names the HPA's own `file:line`.
 */
function checkAutoscalerTarget(
  h: HpaSpec,
  site: string,
  step: YamlReader,
  created: ReadonlyMap<string, DeploymentSpec>,
  notDeployments: ReadonlyMap<string, string>,
): void {
  const fail = (expected: string) => step.fail(`HorizontalPodAutoscaler ${h.name} (${site}): ${expected}`);
  const d = created.get(h.target);
  if (h.target === "") return;
  if (d === undefined || notDeployments.has(h.target)) {
    fail(
      `scaleTargetRef.name: a Deployment created by this or an earlier step (${[...created.keys()].join(", ") || "none"})`,
    );
    return;
  }
  if (d.namespace !== h.namespace)
    fail(`scaleTargetRef.name: a Deployment of the HPA's namespace ${h.namespace} (${h.target} is in ${d.namespace})`);
  if (!h.metrics.some((m) => m.type === "Utilization")) return;
  const bare = d.pod.containers.find((c) => !c.requests.has("cpu"));
  if (bare !== undefined)
    fail(`a cpu request on every container of ${h.target} for a Utilization target (container ${bare.name} has none)`);
}

/** `ungate: { deployment, gates }`: gates of the Deployment's pod template (all of them when not listed). */
function readUngate(
  a: YamlReader,
  gatesOf: ReadonlyMap<string, readonly string[]>,
): Extract<WorkloadAction, { kind: "ungate" }> {
  a.object(["deployment", "gates"]);
  const name = a.get("deployment").str();
  const own = gatesOf.get(name);
  if (own === undefined || own.length === 0) {
    const gated = [...gatesOf].filter(([, g]) => g.length > 0).map(([n]) => n);
    a.get("deployment").fail(
      `a workload with spec.schedulingGates created by an earlier step (${gated.join(", ") || "none"})`,
    );
    return { kind: "ungate", deployment: name, gates: [] };
  }
  if (!a.has("gates")) return { kind: "ungate", deployment: name, gates: own };
  const gates = a
    .get("gates")
    .list("a list of gate names")
    .map((g) => {
      const n = g.str();
      if (!own.includes(n)) g.fail(`a scheduling gate of ${name}'s pods (${own.join(", ")})`);
      return n;
    });
  return { kind: "ungate", deployment: name, gates };
}

function readPoolUpgrade(
  a: YamlReader,
  pools: readonly NodePoolSpec[],
  poolSize: ReadonlyMap<string, number>,
): PoolUpgradeSpec {
  a.object(["pool", "maxSurge", "maxUnavailable", "drainTimeout", "provisioning"]);
  const pool = a.get("pool").str();
  if (pool !== "" && !pools.some((p) => p.name === pool))
    a.get("pool").fail(`a node pool of cluster.nodePools (${pools.map((p) => p.name).join(", ")})`);
  const d = GKE_UPGRADE_DEFAULTS;
  const maxSurge = a.get("maxSurge").int({ min: 0, max: 10_000, default: d.maxSurge });
  const maxUnavailable = a.get("maxUnavailable").int({ min: 0, max: 10_000, default: d.maxUnavailable });
  // model: GKE refuses maxSurge = maxUnavailable = 0 (no node could ever be upgraded).
  if (maxSurge + maxUnavailable === 0) a.fail("maxSurge + maxUnavailable of at least 1 (found 0 and 0)");
  return {
    pool,
    nodes: poolSize.get(pool) ?? 0,
    maxSurge,
    maxUnavailable,
    drainTimeoutNs: a.has("drainTimeout") ? a.get("drainTimeout").duration({ min: 1 }) : d.drainTimeoutNs,
    provisioning: a.get("provisioning").dist({ default: DEFAULT_NODE_PROVISIONING }),
  };
}

function readSelection(a: YamlReader, pools: readonly NodePoolSpec[], extra: readonly string[] = []): NodeSelection {
  a.object(["pool", "labels", "names", "count", ...extra]);
  const pool = a.has("pool") ? a.get("pool").str() : undefined;
  if (pool !== undefined && !pools.some((p) => p.name === pool))
    a.get("pool").fail(`a node pool of cluster.nodePools (${pools.map((p) => p.name).join(", ")})`);
  const labels = new Map<string, string>();
  for (const [k, v] of a.get("labels").entries()) labels.set(k, v.str());
  const names = a
    .get("names")
    .list()
    .map((n) => n.str());
  if (pool === undefined && labels.size === 0 && names.length === 0)
    a.fail("a node selection: pool, labels and/or names");
  return { pool, labels, names, count: a.has("count") ? a.get("count").int({ min: 1 }) : undefined };
}

function readCreate(
  step: YamlReader,
  key: "apply" | "deployments",
  images: ReadonlySet<string>,
  priorityClasses: PriorityClassSpec[],
  pdbs: PdbSpec[],
  policies: NamespacePolicies,
  autoscalers: [HpaSpec, string][],
  runtimeClasses: RuntimeClassSpec[],
): DeploymentSpec[] {
  const copies = step.get("copies").int({ min: 1, max: 100_000, default: 1 });
  const runDuration: DistSpec | undefined = step.has("runDuration") ? step.get("runDuration").dist() : undefined;
  const deployments: DeploymentSpec[] = [];
  const report = step.ctx.inputs;
  const stamp = (
    doc: YamlReader,
    kind: "Deployment" | "ReplicaSet" | "Job" | "StatefulSet" | "CronJob" | "DaemonSet" = "Deployment",
  ) => {
    for (let i = 0; i < copies; i++) {
      const suffix = copies > 1 ? `-${i}` : "";
      const d =
        kind === "Job"
          ? readJob(doc, suffix, runDuration)
          : kind === "StatefulSet"
            ? readStatefulSet(doc, suffix)
            : kind === "CronJob"
              ? readCronJob(doc, suffix, runDuration)
              : kind === "DaemonSet"
                ? readDaemonSet(doc, suffix)
                : readDeployment(doc, suffix, kind);
      if (d === undefined) continue;
      noteWorkloadSite(d, doc.ctx.site(doc.offset));
      if (i === 0) {
        const fields = {
          Deployment: DEPLOYMENT_FIELDS,
          Job: JOB_FIELDS,
          CronJob: CRONJOB_FIELDS,
          StatefulSet: STATEFULSET_FIELDS,
          DaemonSet: DAEMONSET_FIELDS,
          ReplicaSet: REPLICASET_FIELDS,
        }[kind];
        reportUnmodelled(doc.node, kind, fields, report, (o) => doc.ctx.site(o));
        for (const c of [...d.pod.containers, ...d.pod.initContainers])
          if (!images.has(c.image)) report.imageDefaultSize(c.image, doc.ctx.site(doc.offset));
      }
      deployments.push(d);
    }
  };
  if (key === "deployments") {
    for (const d of step.get("deployments").list("a list of Deployment manifests")) stamp(d);
    return deployments;
  }
  readObjects(step.get("apply"), "a manifest file", (o) => {
    if (o.kind === "Deployment" || o.kind === "ReplicaSet" || o.kind === "StatefulSet") {
      scaleDeploymentNode(o.r.node, step.ctx.scale);
      stamp(o.r, o.kind);
    } else if (o.kind === "Job" && ownedByCronJob(o.r))
      report.objectSkipped("Job", "a CronJob's Job (its CronJob controller creates its own)", o.site);
    else if (o.kind === "Job" || o.kind === "CronJob" || o.kind === "DaemonSet") stamp(o.r, o.kind);
    else if (o.kind === "PriorityClass") priorityClasses.push(readPriorityClass(o.r));
    else if (o.kind === "PodDisruptionBudget") pdbs.push(readPodDisruptionBudget(o.r));
    else if (o.kind === "Namespace") policies.namespaces.push(readNamespace(o.r));
    else if (o.kind === "LimitRange") policies.limitRanges.push(readLimitRange(o.r));
    else if (o.kind === "ResourceQuota") policies.resourceQuotas.push(readResourceQuota(o.r));
    else if (o.kind === "HorizontalPodAutoscaler") autoscalers.push([readHorizontalPodAutoscaler(o.r), o.site]);
    else if (o.kind === "RuntimeClass") runtimeClasses.push(readRuntimeClass(o.r));
    else report.kindNotModelled(o.kind, o.site);
  });
  return deployments;
}

/**
 * Whether a Job of a dump is a CronJob's (its controller reference is a CronJob): the CronJob,
 * created anew at t = 0, makes its own Jobs, so running the dump's too would double them.
 */
function ownedByCronJob(job: YamlReader): boolean {
  const refs = job.get("metadata").get("ownerReferences").value();
  return (
    Array.isArray(refs) &&
    refs.some((ref) => {
      const r = ref as { kind?: unknown; controller?: unknown } | null;
      return r !== null && typeof r === "object" && r.kind === "CronJob" && r.controller === true;
    })
  );
}
