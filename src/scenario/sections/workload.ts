import type { DistSpec } from "../../core/distributions.js";
import { INT32_MAX, readDeployment, readJob, type DeploymentSpec } from "../manifests.js";
import { scaleDeploymentNode } from "../scale-nodes.js";
import {
  DAEMONSET_FIELDS,
  DEPLOYMENT_FIELDS,
  JOB_FIELDS,
  REPLICASET_FIELDS,
  reportUnmodelled,
  STATEFULSET_FIELDS,
} from "../inputs/modelled-fields.js";
import { readStatefulSet } from "../inputs/stateful-sets.js";
import { readDaemonSet } from "../inputs/daemon-sets.js";
import { readPriorityClass, type PriorityClassSpec } from "../inputs/priority-classes.js";
import { readObjects } from "../inputs/read-objects.js";
import { readPodDisruptionBudget, type PdbSpec } from "../inputs/pod-disruption-budgets.js";
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
  /** kubectl changes a Deployment, a StatefulSet or a DaemonSet (by name): its replica count and/or a container image (a rollout). */
  | {
      kind: "update";
      /** The workload's name: a Deployment's, or a DaemonSet's (given as `daemonSet:`). */
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
  | { kind: "drain"; nodes: NodeSelection; timeoutNs?: number };

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

const ACTION_KEYS = ["apply", "deployments", "update", "addNodes", "cordon", "uncordon", "drain", "failNodes"] as const;

export function readWorkload(
  r: YamlReader,
  images: ReadonlySet<string>,
  allPools: readonly NodePoolSpec[],
  priorityClasses: PriorityClassSpec[] = [],
  pdbs: PdbSpec[] = [],
  policies: NamespacePolicies = { namespaces: [], limitRanges: [], resourceQuotas: [] },
): WorkloadStep[] {
  // Steps name the synthetic pools; a node of cluster.nodes is selected by its name or labels.
  const pools = allPools.filter((p) => p.nodeName === undefined);
  if (!r.present) r.fail("a workload: a list of steps such as - { at: 0s, apply: manifests/web.yaml }");
  let last = 0;
  /** Container names of each Deployment created so far. */
  const containersOf = new Map<string, string[]>();
  /** Kinds of the ReplicaSets and Jobs created as such, by name (update: is for Deployments). */
  const notDeployments = new Map<string, string>();
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
        const deployments = readCreate(step, key, images, priorityClasses, pdbs, policies);
        for (const d of deployments) {
          if (containersOf.has(d.name)) a.fail(`Deployment names not created before (${d.name} exists)`);
          containersOf.set(
            d.name,
            d.pod.containers.map((c) => c.name),
          );
          if (d.kind !== undefined) notDeployments.set(d.name, d.kind);
        }
        return { atNs, action: { kind: "create", deployments } };
      }
      case "update": {
        a.object(["deployment", "statefulSet", "daemonSet", "replicas", "container", "image"]);
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
        if (replicas === undefined && image === undefined) a.fail("a change: replicas and/or image");
        return { atNs, action: { kind: "update", deployment: name, replicas, container, image } };
      }
      case "addNodes": {
        a.object(["pool", "count"]);
        const pool = a.get("pool").str();
        if (pool !== "" && !pools.some((p) => p.name === pool))
          a.get("pool").fail(`a node pool of cluster.nodePools (${pools.map((p) => p.name).join(", ")})`);
        return { atNs, action: { kind: "addNodes", pool, count: a.get("count").int({ min: 1 }) } };
      }
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
): DeploymentSpec[] {
  const copies = step.get("copies").int({ min: 1, max: 100_000, default: 1 });
  const runDuration: DistSpec | undefined = step.has("runDuration") ? step.get("runDuration").dist() : undefined;
  const deployments: DeploymentSpec[] = [];
  const report = step.ctx.inputs;
  const stamp = (
    doc: YamlReader,
    kind: "Deployment" | "ReplicaSet" | "Job" | "StatefulSet" | "DaemonSet" = "Deployment",
  ) => {
    for (let i = 0; i < copies; i++) {
      const suffix = copies > 1 ? `-${i}` : "";
      const d =
        kind === "Job"
          ? readJob(doc, suffix, runDuration)
          : kind === "StatefulSet"
            ? readStatefulSet(doc, suffix)
            : kind === "DaemonSet"
              ? readDaemonSet(doc, suffix)
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
                : kind === "DaemonSet"
                  ? DAEMONSET_FIELDS
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
    } else if (o.kind === "Job" || o.kind === "DaemonSet") stamp(o.r, o.kind);
    else if (o.kind === "PriorityClass") priorityClasses.push(readPriorityClass(o.r));
    else if (o.kind === "PodDisruptionBudget") pdbs.push(readPodDisruptionBudget(o.r));
    else if (o.kind === "Namespace") policies.namespaces.push(readNamespace(o.r));
    else if (o.kind === "LimitRange") policies.limitRanges.push(readLimitRange(o.r));
    else if (o.kind === "ResourceQuota") policies.resourceQuotas.push(readResourceQuota(o.r));
    else report.kindNotModelled(o.kind, o.site);
  });
  return deployments;
}
