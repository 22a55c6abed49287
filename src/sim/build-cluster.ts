import { Interner } from "../cluster/interner.js";
import { NodeTable, TaintEffect, type NodeSpec } from "../cluster/node-table.js";
import {
  DEFAULT_MEMORY_REQUEST,
  DEFAULT_MILLI_CPU_REQUEST,
  type ContainerSpec,
  type PodTemplate,
} from "../cluster/pod-template.js";
import { BUILTIN_RESOURCE_NAMES, quantityToColumnUnit, Res } from "../cluster/resources.js";
import type { ContainerManifest, DeploymentSpec } from "../scenario/manifests.js";
import { hostLocalAssignable } from "../node/ipam.js";
import { effectiveRequests } from "../cluster/pod-requests.js";
import { addedNodeCount } from "../node/node-selection.js";
import { createdDeployments } from "../scenario/sections/workload.js";
import type { NodePoolSpec, Scenario } from "../scenario/types.js";

/** The interned vocabularies of a run: strings become dense ids before the hot path. */
export interface Vocabulary {
  resources: Interner;
  labels: Interner;
  images: Interner;
}

/** Interns every resource, label and image a scenario names, built-ins first. */
export function buildVocabulary(s: Scenario): Vocabulary {
  const resources = new Interner();
  for (const r of BUILTIN_RESOURCE_NAMES) resources.intern(r);
  const labels = new Interner();
  const images = new Interner();
  for (const img of s.images) images.intern(img.name);
  for (const p of s.nodePools) for (const r of p.allocatable.keys()) resources.intern(r);
  const pods = [...createdDeployments(s.workload).map((d) => d.pod), ...(s.existingPods ?? []).map((p) => p.pod)];
  for (const pod of pods) {
    for (const c of [...pod.containers, ...pod.initContainers]) for (const r of c.requests.keys()) resources.intern(r);
    for (const r of pod.overhead?.keys() ?? []) resources.intern(r);
  }
  return { resources, labels, images };
}

/**
 * Expands node pools into the NodeTable: pool `web` with count 3 gives nodes web-0, web-1,
 * web-2; a label with several values is spread round-robin. Nodes that `addNodes` steps add
 * later follow in their pool's numbering, absent until they join.
 */
export function buildNodes(s: Scenario, v: Vocabulary): NodeTable {
  const specs: NodeSpec[] = [];
  const R = v.resources.size;
  for (const pool of s.nodePools) {
    const allocatable = new Array<number>(R).fill(0);
    for (const [name, q] of pool.allocatable) {
      const r = v.resources.lookup(name);
      allocatable[r] = quantityToColumnUnit(r, q);
    }
    const images = pool.images.map((i) => v.images.intern(i));
    const taints = pool.taints.map(
      (t) => [v.labels.intern(t.key), t.value === "" ? -1 : v.labels.intern(t.value), TaintEffect[t.effect]] as const,
    );
    const podCidrSize = hostLocalAssignable(pool.podCIDRPrefix);
    // Nodes that addNodes steps bring later get rows now, absent until they join.
    const total = poolRows(s, pool);
    for (let i = 0; i < total; i++) {
      const name = pool.nodeName ?? `${pool.name}-${i}`;
      const labels: (readonly [number, number])[] = [];
      // A real Node carries its own hostname label (the kubelet sets it); a pool's get one here.
      if (pool.nodeName === undefined || !pool.labels.has("kubernetes.io/hostname"))
        labels.push([v.labels.intern("kubernetes.io/hostname"), v.labels.intern(name)]);
      for (const [key, values] of pool.labels)
        labels.push([v.labels.intern(key), v.labels.intern(values[i % values.length]!)]);
      specs.push({
        name,
        allocatable,
        labels,
        taints,
        images,
        unschedulable: pool.unschedulable,
        podCidrSize,
        absent: i >= pool.count,
      });
    }
  }
  const table = new NodeTable(specs, R, v.images.size);
  // model: a node whose Ready condition was False or Unknown in the dump starts NotReady; the
  // dump's own taints (node.kubernetes.io/not-ready, .../unreachable) keep pods off it.
  let row = 0;
  for (const pool of s.nodePools) {
    if (pool.notReady === true) table.ready[row] = 0;
    row += poolRows(s, pool);
  }
  return table;
}

/**
 * Rows of a pool in the NodeTable: its nodes, those addNodes steps add, and up to maxNodes for
 * a node group the Cluster Autoscaler may grow (src/autoscaler/node-groups.ts).
 */
export function poolRows(s: Scenario, pool: NodePoolSpec): number {
  const n = pool.count + addedNodeCount(s.workload, pool.name);
  return pool.autoscaling === undefined ? n : Math.max(n, pool.autoscaling.maxNodes);
}

/**
 * The pod template of a Deployment. Requests are upstream's effective pod request, sidecars and
 * RuntimeClass overhead included ({@link effectiveRequests}); non-zero requests for scoring
 * apply the 100m / 200 MiB defaults per container that does not request the resource at all;
 * an explicit 0 stays 0 (pkg/scheduler/util/pod_resources.go GetRequestForResource).
 */
export function buildTemplate(id: number, d: DeploymentSpec, v: Vocabulary): PodTemplate {
  const R = v.resources.size;
  const vector = (m: ReadonlyMap<string, number>) => {
    const x = new Float64Array(R);
    for (const [name, q] of m) {
      const r = v.resources.lookup(name);
      x[r] = quantityToColumnUnit(r, q);
    }
    return x;
  };
  const nonZero = (c: ContainerManifest) => {
    const x = new Float64Array(2);
    const cpu = c.requests.get("cpu");
    const mem = c.requests.get("memory");
    x[0] = cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : quantityToColumnUnit(Res.cpu, cpu);
    x[1] = mem === undefined ? DEFAULT_MEMORY_REQUEST : Math.ceil(mem);
    return x;
  };
  const sidecar = (c: ContainerManifest) => c.sidecar === true;
  const overhead = d.pod.overhead === undefined ? undefined : vector(d.pod.overhead);
  const requests = effectiveRequests(
    new Float64Array(R),
    d.pod.containers.map((c) => ({ requests: vector(c.requests), sidecar: false })),
    d.pod.initContainers.map((c) => ({ requests: vector(c.requests), sidecar: sidecar(c) })),
    overhead,
  );
  requests[Res.pods] = 1;
  const nz = effectiveRequests(
    new Float64Array(2),
    d.pod.containers.map((c) => ({ requests: nonZero(c), sidecar: false })),
    d.pod.initContainers.map((c) => ({ requests: nonZero(c), sidecar: sidecar(c) })),
    overhead === undefined ? undefined : Float64Array.of(overhead[Res.cpu] ?? 0, overhead[Res.memory] ?? 0),
  );
  const container = (c: ContainerManifest): ContainerSpec => ({
    name: c.name,
    image: v.images.intern(c.image),
    imagePullPolicy: c.imagePullPolicy,
  });
  return {
    id,
    requests,
    nonZeroCpuMilli: nz[0]!,
    nonZeroMemBytes: nz[1]!,
    priority: d.pod.priority,
    schedulerName: d.pod.schedulerName,
    initContainers: d.pod.initContainers.map(container),
    containers: d.pod.containers.map(container),
    labels: [...d.pod.labels].map(([k, val]) => [v.labels.intern(k), v.labels.intern(val)] as const),
    ...(d.job === undefined ? {} : { runDuration: d.job.runDuration }),
    ...(d.pod.preemptionPolicy === "Never" ? { preemptNever: true } : {}),
    ...(d.pod.terminationGracePeriodSeconds === undefined
      ? {}
      : { terminationGraceNs: d.pod.terminationGracePeriodSeconds * 1e9 }),
    ...(d.pod.schedulingGates === undefined ? {} : { schedulingGates: d.pod.schedulingGates }),
  };
}

/**
 * A Deployment manifest with one container's image changed (the named container, or the first),
 * as `kubectl set image` makes it: the template changes, so a rollout follows.
 */
export function withImage(spec: DeploymentSpec, container: string | undefined, image: string): DeploymentSpec {
  const i = container === undefined ? 0 : spec.pod.containers.findIndex((c) => c.name === container);
  if (i < 0) throw new RangeError(`Deployment ${spec.name} has no container ${container}`);
  const containers = spec.pod.containers.map((c, j) => (j === i ? { ...c, image } : c));
  return { ...spec, pod: { ...spec.pod, containers } };
}
