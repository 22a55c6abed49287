import { lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import { INT32_MAX, readDeployment, readJob, type DeploymentSpec } from "../manifests.js";
import { scaleDeploymentNode } from "../scale-nodes.js";
import {
  DEPLOYMENT_FIELDS,
  JOB_FIELDS,
  REPLICASET_FIELDS,
  reportUnmodelled,
  STATEFULSET_FIELDS,
} from "../inputs/modelled-fields.js";
import { readStatefulSet } from "../inputs/stateful-sets.js";
import { readPriorityClass, type PriorityClassSpec } from "../inputs/priority-classes.js";
import { readObjects } from "../inputs/read-objects.js";
import { readPodDisruptionBudget, type PdbSpec } from "../inputs/pod-disruption-budgets.js";
import { readRuntimeClass, type RuntimeClassSpec } from "../inputs/runtime-classes.js";
import { readLimitRange, type LimitRangeSpec } from "../inputs/limit-ranges.js";
import { noteWorkloadSite, readNamespace } from "../inputs/namespaces.js";
import { readResourceQuota, type ResourceQuotaSpec } from "../inputs/resource-quotas.js";
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
  /** kubectl creates these Deployments (and ReplicaSets and Jobs, by their `kind`). */
  | { kind: "create"; deployments: readonly DeploymentSpec[] }
  /** kubectl changes a Deployment or a StatefulSet (by name): its replica count and/or a container image (a rollout). */
  | {
      kind: "update";
      deployment: string;
      replicas: number | undefined;
      container: string | undefined;
      image: string | undefined;
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

/** Whether the workload creates any Job (its components are built only then, so other runs are unchanged). */
export function createsJobs(steps: readonly WorkloadStep[]): boolean {
  return createdDeployments(steps).some((d) => d.kind === "Job");
}

/** Replicas the workload asks for once every step has run (updates may change them). */
export function finalReplicas(steps: readonly WorkloadStep[]): number {
  const replicas = new Map<string, number>();
  for (const s of steps) {
    const a = s.action;
    if (a.kind === "create") for (const d of a.deployments) replicas.set(d.name, d.replicas);
    else if (a.kind === "update" && a.replicas !== undefined) replicas.set(a.deployment, a.replicas);
  }
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
  /** Nodes of each synthetic pool as the steps so far leave it. */
  const poolSize = new Map(pools.map((p) => [p.name, p.count]));
  return r.list("a list of workload steps").map((step) => {
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
        const deployments = readCreate(step, key, images, priorityClasses, pdbs, policies, runtimeClasses);
        for (const d of deployments) {
          if (containersOf.has(d.name)) a.fail(`Deployment names not created before (${d.name} exists)`);
          containersOf.set(
            d.name,
            d.pod.containers.map((c) => c.name),
          );
          if (d.kind !== undefined) notDeployments.set(d.name, d.kind);
          gatesOf.set(d.name, d.pod.schedulingGates ?? []);
        }
        return { atNs, action: { kind: "create", deployments } };
      }
      case "update": {
        a.object(["deployment", "statefulSet", "replicas", "container", "image"]);
        // A StatefulSet is named by `statefulSet:`, a Deployment by `deployment:`.
        const target = a.has("statefulSet") && !a.has("deployment") ? "statefulSet" : "deployment";
        const kindName = target === "statefulSet" ? "StatefulSet" : "Deployment";
        const name = a.get(target).str();
        const containers = containersOf.get(name);
        if (name !== "" && containers === undefined)
          a.get(target).fail(
            `a ${kindName} created by an earlier step (${[...containersOf.keys()].join(", ") || "none"})`,
          );
        const other = notDeployments.get(name);
        if (other !== (target === "statefulSet" ? "StatefulSet" : undefined) && containers !== undefined)
          a.get(target).fail(
            other === "StatefulSet"
              ? `a Deployment (${name} is a StatefulSet: update it with statefulSet: ${name})`
              : `a ${kindName} (${name} is a ${other ?? "Deployment"}: updates of ${other ?? "Deployment"}s ${other === undefined ? "take deployment:" : "are not simulated"})`,
          );
        const container = a.has("container") ? a.get("container").str() : undefined;
        if (container !== undefined && containers !== undefined && !containers.includes(container))
          a.get("container").fail(`a container of ${name} (${containers.join(", ")})`);
        const replicas = a.has("replicas") ? a.get("replicas").int({ min: 0, max: INT32_MAX }) : undefined;
        const image = a.has("image") ? a.get("image").str() : undefined;
        if (image !== undefined && !images.has(image))
          a.get("image").fail(`an image declared under images: with a size (${image} is not)`);
        if (replicas === undefined && image === undefined) a.fail("a change: replicas and/or image");
        return { atNs, action: { kind: "update", deployment: name, replicas, container, image } };
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
  runtimeClasses: RuntimeClassSpec[],
): DeploymentSpec[] {
  const copies = step.get("copies").int({ min: 1, max: 100_000, default: 1 });
  const runDuration: DistSpec | undefined = step.has("runDuration") ? step.get("runDuration").dist() : undefined;
  const deployments: DeploymentSpec[] = [];
  const report = step.ctx.inputs;
  const stamp = (doc: YamlReader, kind: "Deployment" | "ReplicaSet" | "Job" | "StatefulSet" = "Deployment") => {
    for (let i = 0; i < copies; i++) {
      const suffix = copies > 1 ? `-${i}` : "";
      const d =
        kind === "Job"
          ? readJob(doc, suffix, runDuration)
          : kind === "StatefulSet"
            ? readStatefulSet(doc, suffix)
            : readDeployment(doc, suffix, kind);
      if (d === undefined) continue;
      noteWorkloadSite(d, doc.ctx.site(doc.offset));
      if (i === 0) {
        const fields =
          kind === "Deployment"
            ? DEPLOYMENT_FIELDS
            : kind === "Job"
              ? JOB_FIELDS
              : kind === "StatefulSet"
                ? STATEFULSET_FIELDS
                : REPLICASET_FIELDS;
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
    } else if (o.kind === "Job") stamp(o.r, o.kind);
    else if (o.kind === "PriorityClass") priorityClasses.push(readPriorityClass(o.r));
    else if (o.kind === "PodDisruptionBudget") pdbs.push(readPodDisruptionBudget(o.r));
    else if (o.kind === "Namespace") policies.namespaces.push(readNamespace(o.r));
    else if (o.kind === "LimitRange") policies.limitRanges.push(readLimitRange(o.r));
    else if (o.kind === "ResourceQuota") policies.resourceQuotas.push(readResourceQuota(o.r));
    else if (o.kind === "RuntimeClass") runtimeClasses.push(readRuntimeClass(o.r));
    else report.kindNotModelled(o.kind, o.site);
  });
  return deployments;
}
