import type { Rng } from "../core/random.js";
import { Interner } from "../cluster/interner.js";
import { NodeTable, TaintEffect, type NodeSpec } from "../cluster/node-table.js";
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST } from "../cluster/pod-template.js";
import { BUILTIN_RESOURCE_NAMES, parseQuantity, quantityToColumnUnit, Res } from "../cluster/resources.js";
import { YamlReader } from "../scenario/yaml-reader.js";
import { defaultSchedulerConfig, type SchedulerConfig } from "./config.js";
import { type ExplainRecord, Framework, type CycleResult, type Rotation } from "./framework.js";
import type { PodRef } from "./plugin.js";
import { compilePodSpec, readerFor, type HostPort, type PodSpec } from "./pod-spec.js";
import { REGISTRY } from "./registry.js";
import { SchedulerCache } from "./scheduler-cache.js";

/** A quantity as written in YAML: 500m, 4, 16Gi, or a number. */
export type Quantity = string | number;

/** A node as `simctl schedule` and tests describe it (the fields of a core/v1 Node that matter). */
export interface NodeInput {
  name: string;
  allocatable: Readonly<Record<string, Quantity>>;
  labels?: Readonly<Record<string, string>>;
  taints?: readonly { key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
  /** status.images: each image's names and size. */
  images?: readonly { names: readonly string[]; sizeBytes: number }[];
  unschedulable?: boolean;
  /** Ready condition (default true). */
  ready?: boolean;
}

/** A container: image, requests and host ports. */
export interface ContainerInput {
  image?: string;
  requests?: Readonly<Record<string, Quantity>>;
  ports?: readonly { hostPort?: number; containerPort?: number; protocol?: string; hostIP?: string }[];
  /** restartPolicy Always makes an init container a sidecar (counted as running). */
  restartPolicy?: string;
}

/** A pod as `simctl schedule` and tests describe it. Raw fields may be plain values or YAML readers. */
export interface PodInput {
  name: string;
  namespace?: string;
  labels?: Readonly<Record<string, string>>;
  priority?: number;
  preemptionPolicy?: string;
  schedulerName?: string;
  nodeName?: string;
  nodeSelector?: Readonly<Record<string, string>>;
  containers: readonly ContainerInput[];
  initContainers?: readonly ContainerInput[];
  overhead?: Readonly<Record<string, Quantity>>;
  tolerations?: unknown;
  affinity?: unknown;
  topologySpreadConstraints?: unknown;
  /** Labels an owning ReplicaSet / Service selects on (PodTopologySpread system defaults). */
  ownerSelector?: Readonly<Record<string, string>> | null;
  /** metadata.deletionTimestamp is set: an existing pod that is terminating. */
  terminating?: boolean;
  /** status.conditions has DisruptionTarget True with reason PreemptionByScheduler. */
  preemptedByScheduler?: boolean;
  /** status.startTime in ns since the Unix epoch (preemption prefers victims that started later). */
  startTimeNs?: number;
  /** status.nominatedNodeName of the pod to schedule (set by an earlier preemption). */
  nominatedNodeName?: string;
}

/** A Rng that always returns the same sequence (for deterministic tests and the CLI). */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0 || 1;
  return {
    next(): number {
      // xorshift32
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      return s / 4294967296;
    },
  } as Rng;
}

/**
 * A scheduler cache and frameworks built from node and pod descriptions instead of a run: what
 * `simctl schedule`, the tests and the benchmark use.
 */
export class StandaloneCluster {
  readonly labels = new Interner();
  readonly resources = new Interner();
  readonly images = new Interner();
  readonly nodes: NodeTable;
  readonly cache: SchedulerCache;
  private nextPod = 0;
  private readonly groupsByKey = new Map<string, number>();

  constructor(nodes: readonly NodeInput[], extraResources: readonly string[] = []) {
    for (const r of BUILTIN_RESOURCE_NAMES) this.resources.intern(r);
    for (const n of nodes) for (const r of Object.keys(n.allocatable)) this.resources.intern(r);
    for (const r of extraResources) this.resources.intern(r);
    const sizes: number[] = [];
    const R = this.resources.size;
    const specs: NodeSpec[] = nodes.map((n) => {
      const allocatable = new Array<number>(R).fill(0);
      for (const [name, q] of Object.entries(n.allocatable)) {
        const r = this.resources.lookup(name);
        allocatable[r] = quantityToColumnUnit(r, toNumber(q, `${n.name} allocatable ${name}`));
      }
      // model: kubelet default maxPods 110 when a node does not report pods.
      if (n.allocatable.pods === undefined) allocatable[Res.pods] = 110;
      const images: number[] = [];
      for (const img of n.images ?? []) {
        for (const name of img.names) {
          const id = this.images.intern(name);
          sizes[id] = img.sizeBytes;
          images.push(id);
        }
      }
      return {
        name: n.name,
        allocatable,
        labels: Object.entries(n.labels ?? {}).map(([k, v]) => [this.labels.intern(k), this.labels.intern(v)] as const),
        taints: (n.taints ?? []).map(
          (t) =>
            [
              this.labels.intern(t.key),
              (t.value ?? "") === "" ? -1 : this.labels.intern(t.value!),
              TaintEffect[t.effect],
            ] as const,
        ),
        images,
        unschedulable: n.unschedulable ?? false,
        podCidrSize: 254,
      };
    });
    this.nodes = new NodeTable(specs, R, this.images.size);
    nodes.forEach((n, i) => {
      if (n.ready === false) this.nodes.ready[i] = 0;
    });
    this.cache = new SchedulerCache(this.nodes, this.labels, this.resources, this.images, sizes);
  }

  /** Compiles a pod's scheduling spec (throws the located issues of its raw fields). */
  spec(p: PodInput): PodSpec {
    const R = this.resources.size;
    const requests = new Float64Array(R);
    const initMax = new Float64Array(R);
    let nzCpu = 0;
    let nzMem = 0;
    let initCpu = 0;
    let initMem = 0;
    let sideCpu = 0;
    let sideMem = 0;
    const add = (c: ContainerInput, into: Float64Array, max: boolean) => {
      for (const [name, q] of Object.entries(c.requests ?? {})) {
        const r = this.resources.intern(name);
        if (r >= R) continue; // a resource no node has: it cannot fit anywhere, see below
        const x = quantityToColumnUnit(r, toNumber(q, `${p.name} request ${name}`));
        into[r] = max ? Math.max(into[r]!, x) : into[r]! + x;
      }
    };
    // model: util.GetNonzeroRequestForResource / PodRequests NonMissingContainerRequests: a
    // container without a cpu (memory) request counts 100m (200 MiB); an explicit 0 stays 0.
    const cpuOf = (c: ContainerInput) => {
      const q = c.requests?.cpu;
      return q === undefined ? DEFAULT_MILLI_CPU_REQUEST : quantityToColumnUnit(Res.cpu, toNumber(q, "cpu"));
    };
    const memOf = (c: ContainerInput) => {
      const q = c.requests?.memory;
      return q === undefined ? DEFAULT_MEMORY_REQUEST : Math.ceil(toNumber(q, "memory"));
    };
    for (const c of p.containers) {
      add(c, requests, false);
      nzCpu += cpuOf(c);
      nzMem += memOf(c);
    }
    // model: pkg/api/v1/resource PodRequests: sidecars (restartPolicy Always) add to the running
    // sum, and each regular init container needs its own request plus the sidecars started before it.
    const sidecars = new Float64Array(R);
    for (const c of p.initContainers ?? []) {
      if (c.restartPolicy === "Always") {
        add(c, sidecars, false);
        add(c, requests, false);
        sideCpu += cpuOf(c);
        sideMem += memOf(c);
        nzCpu += cpuOf(c);
        nzMem += memOf(c);
        continue;
      }
      const tmp = new Float64Array(R);
      add(c, tmp, false);
      for (let r = 0; r < R; r++) initMax[r] = Math.max(initMax[r]!, tmp[r]! + sidecars[r]!);
      initCpu = Math.max(initCpu, cpuOf(c) + sideCpu);
      initMem = Math.max(initMem, memOf(c) + sideMem);
    }
    for (let r = 0; r < R; r++) requests[r] = Math.max(requests[r]!, initMax[r]!);
    nzCpu = Math.max(nzCpu, initCpu);
    nzMem = Math.max(nzMem, initMem);
    for (const [name, q] of Object.entries(p.overhead ?? {})) {
      const r = this.resources.lookup(name);
      if (r < 0) continue;
      const x = quantityToColumnUnit(r, toNumber(q, `${p.name} overhead ${name}`));
      requests[r]! += x;
      if (r === Res.cpu) nzCpu += x;
      if (r === Res.memory) nzMem += x;
    }
    requests[Res.pods] = 1;
    const hostPorts: HostPort[] = [];
    // model: nodeports/node_ports.go getContainerPorts: app containers and sidecars (kubernetes#132040).
    const running = [...(p.initContainers ?? []).filter((c) => c.restartPolicy === "Always"), ...p.containers];
    for (const c of running)
      for (const port of c.ports ?? [])
        if ((port.hostPort ?? 0) > 0)
          hostPorts.push({ ip: port.hostIP ?? "", protocol: port.protocol ?? "TCP", port: port.hostPort! });
    const reader = (v: unknown, path: string) => (v instanceof YamlReader ? v : readerFor(v, p.name, path));
    const tolerations = reader(p.tolerations, "spec.tolerations");
    const affinity = reader(p.affinity, "spec.affinity");
    const spread = reader(p.topologySpreadConstraints, "spec.topologySpreadConstraints");
    const spec = compilePodSpec(
      {
        name: p.name,
        namespace: p.namespace ?? "default",
        labels: new Map(Object.entries(p.labels ?? {})),
        priority: p.priority ?? 0,
        preemptionPolicy: p.preemptionPolicy ?? "PreemptLowerPriority",
        schedulerName: p.schedulerName ?? "default-scheduler",
        nodeName: p.nodeName ?? "",
        requests,
        nonZeroCpuMilli: nzCpu,
        nonZeroMemBytes: nzMem,
        images: [...(p.initContainers ?? []), ...p.containers].map((c) => c.image ?? ""),
        hostPorts,
        nodeSelector: new Map(Object.entries(p.nodeSelector ?? {})),
        tolerations,
        affinity,
        topologySpreadConstraints: spread,
        ownerSelector:
          p.ownerSelector === undefined || p.ownerSelector === null ? null : new Map(Object.entries(p.ownerSelector)),
      },
      this.labels,
    );
    for (const r of [tolerations, affinity, spread]) r.ctx.throwIfIssues();
    return spec;
  }

  /**
   * Adds a pod already running on `nodeName` (an `--existing` pod). Pods with identical specs
   * share a group. Returns the pod id.
   */
  addExistingPod(p: PodInput, nodeName: string, startNs = 0): number {
    const node = this.cache.index.nodeByName.get(nodeName);
    if (node === undefined) throw new Error(`pod ${p.name}: spec.nodeName ${nodeName} is not one of the nodes`);
    const g = this.groupFor(p);
    const id = this.nextPod++;
    this.cache.addPod(id, g, node, p.startTimeNs ?? startNs);
    if (p.terminating === true) this.cache.markTerminating(id, p.preemptedByScheduler === true);
    return id;
  }

  /** The group id of a pod description, registering its spec once per distinct description. */
  groupFor(p: PodInput): number {
    const key = JSON.stringify({
      ...p,
      name: "",
      // A terminating pod joins its live group's terminating twin (SchedulerCache.markTerminating);
      // status fields do not change the spec.
      terminating: undefined,
      preemptedByScheduler: undefined,
      startTimeNs: undefined,
      nominatedNodeName: undefined,
      tolerations: plain(p.tolerations),
      affinity: plain(p.affinity),
      topologySpreadConstraints: plain(p.topologySpreadConstraints),
    });
    let g = this.groupsByKey.get(key);
    if (g === undefined) {
      g = this.cache.addGroup(this.spec(p));
      this.groupsByKey.set(key, g);
    }
    return g;
  }

  /** A framework for one profile of `config` (default: upstream's default profile). */
  framework(config: SchedulerConfig = defaultSchedulerConfig(), profile = 0, rng: Rng = seededRng(1)): Framework {
    const p = config.profiles[profile];
    if (p === undefined) throw new Error(`no profile ${profile} in the configuration`);
    return new Framework(p.resolved, this.cache, rng, REGISTRY, p.args);
  }

  /** Runs one cycle for pod `p` (not added to the cache). */
  schedule(
    fw: Framework,
    p: PodInput | PodRef,
    opts: { rotation?: Rotation; percentage?: number; explain?: ExplainRecord } = {},
  ): CycleResult {
    const ref: PodRef =
      "spec" in p ? p : { pod: -1, group: this.groupFor(p), spec: this.cache.groups[this.groupFor(p)]! };
    return fw.schedule(ref, opts.rotation ?? { next: 0 }, opts.percentage ?? 0, opts.explain ?? null);
  }
}

function plain(v: unknown): unknown {
  return v instanceof YamlReader ? v.value() : v;
}

function toNumber(q: Quantity, what: string): number {
  const v = parseQuantity(q);
  if (v === undefined) throw new Error(`${what}: ${JSON.stringify(q)} is not a Kubernetes quantity`);
  return v;
}
