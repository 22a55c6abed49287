import type { NodeIdx } from "../cluster/ids.js";
import { Sampler, lognormal, type DistSpec } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import type { RandomStreams } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import { columnPool } from "../core/column-table.js";
import type { HostLocalIpam } from "./ipam.js";
import { NodeFifos, NONE } from "./node-fifos.js";
import type { ValueOf } from "../core/names-of.js";

/**
 * Outcome of a CNI ADD, passed as the `arg` of its `onDone` event.
 */
export const CniResult = {
  ok: 0,
  /**
   * IPAM found no free address in the node's pod CIDR; the kubelet reports the sandbox failure
   * as event reason FailedCreatePodSandBox (pkg/kubelet/events/event.go) and retries the pod.
   */
  FailedCreatePodSandBox: 1,
} as const;
export type CniResult = ValueOf<typeof CniResult>;

/**
 * Named CNI ADD latency profiles (plugin invocation from containerd's RunPodSandbox to the
 * result, per pod).
 *
 * model: (anecdote) CALIBRATION.md "Node side": ~1.5 s per pod on a default bridge setup and
 * ~0.3 s per pod for an eBPF dataplane under a load of 100 pods. Both are single reported
 * figures, taken as the median; the p99 of twice the median is our assumption, not a
 * measurement. Replace both when a measurement exists.
 */
export const CNI_PROFILES = {
  bridge: lognormal(1.5 * NS_PER.s, 3 * NS_PER.s),
  ebpf: lognormal(0.3 * NS_PER.s, 0.6 * NS_PER.s),
} as const satisfies Record<string, DistSpec>;

/** A named profile or any latency distribution (integer ns). */
export type CniProfile = keyof typeof CNI_PROFILES | DistSpec;

export interface CniConfig {
  /** ADD latency. Default "bridge". */
  profile: CniProfile;
  /**
   * CNI ADDs one node runs at once; more wait FIFO. Default unlimited.
   * model: the kubelet syncs each pod in its own pod worker and containerd's RunPodSandbox runs
   * the plugin per call with no node-wide lock (containerd/go-cni cni.go `libcni.Setup` takes only
   * short read locks to list networks), so ADDs
   * on a node overlap. host-local's file lock covers just the address reservation, which is
   * short next to the ADD itself. Set 1 to model a plugin that serialises on a node-wide lock.
   */
  maxConcurrentAddsPerNode: number;
  /** Name of the random stream. */
  stream: string;
}

/** A CNI ADD queued or failing: its node, the event to fire when it ends, and the next ADD queued on the node. */
const CniRecords = columnPool({
  node: { type: "Int32", unset: NONE },
  kind: "Int32",
  target: "Int32",
  next: { type: "Int32", unset: NONE },
});

/**
 * CNI ADD / DEL on every node: ADD takes a pod address from host-local IPAM and completes after
 * a latency drawn from the profile; DEL returns the address.
 *
 * Contract: `add(node, onDone, target)` fires `onDone(target, code)` with a {@link CniResult}
 * code, never synchronously; the handler of `onDone` first calls {@link ended}`(node, code)`,
 * which frees the ADD's slot. An exhausted range fails the ADD at once (the failure happens in
 * the IPAM step, before the interface plumbing finishes; its small cost is not modelled). One
 * latency sample is drawn per ADD that starts, whatever its outcome, to keep the stream aligned.
 */
export class Cni {
  readonly maxConcurrentAddsPerNode: number;
  /** ADDs started so far, and those failed on an exhausted pod CIDR. */
  readonly totals = { adds: 0, failures: 0 };
  private readonly engine: Engine;
  private readonly ipam: HostLocalIpam;
  private readonly latency: Sampler;
  private readonly doneKind: EventKind;
  private readonly nodeActive: Int32Array;
  /** Per node: ADDs waiting for a slot. */
  private readonly waiting: NodeFifos;
  // Pending ADDs (queued or running), pooled. perf: typed columns + free stack, no objects.
  private readonly recs = new CniRecords(64);

  constructor(engine: Engine, streams: RandomStreams, ipam: HostLocalIpam, config: Partial<CniConfig> = {}) {
    this.engine = engine;
    this.ipam = ipam;
    const profile = config.profile ?? "bridge";
    const spec = typeof profile === "string" ? CNI_PROFILES[profile] : profile;
    if (spec === undefined) throw new RangeError(`unknown CNI profile ${String(profile)}`);
    this.latency = new Sampler(spec, streams.stream(config.stream ?? "node/cni"));
    this.maxConcurrentAddsPerNode = config.maxConcurrentAddsPerNode ?? Infinity;
    if (!(this.maxConcurrentAddsPerNode >= 1)) throw new RangeError("maxConcurrentAddsPerNode must be >= 1");
    const n = ipam.nodeCount;
    this.nodeActive = new Int32Array(n);
    this.waiting = new NodeFifos(n);
    this.doneKind = engine.register("cni.addDone", (rec, code) => this.finish(rec, code as CniResult));
  }

  /** ADDs waiting for a slot on `node`. */
  queued(node: NodeIdx): number {
    return this.waiting.length[node]!;
  }

  /** CNI ADD for a new sandbox on `node`; `onDone(target, CniResult)` fires when it ends. */
  add(node: NodeIdx, onDone: EventKind, target: number): void {
    if (!(node >= 0 && node < this.ipam.nodeCount))
      throw new SimulationError("cni", this.engine.now, `no node ${node}`);
    const rec = this.recs.claim();
    this.recs.node[rec] = node;
    this.recs.kind[rec] = onDone;
    this.recs.target[rec] = target;
    if (this.nodeActive[node]! < this.maxConcurrentAddsPerNode) this.start(rec);
    else this.waiting.push(node, rec, this.recs.next);
  }

  /**
   * The `onDone` of an ADD on `node` that ended with `code` fires: a successful ADD frees its
   * slot now and starts the next ADD waiting for one.
   * perf: the ADD's own latency event is the caller's `onDone`, not a second event at the same
   * instant; a failed ADD's slot was freed in the event that reported it.
   */
  ended(node: NodeIdx, code: number): void {
    if (code === CniResult.ok) this.freeSlot(node);
  }

  /** CNI DEL of a sandbox on `node`: its address returns to the range at once. */
  del(node: NodeIdx): void {
    this.ipam.release(node);
  }

  private start(rec: number): void {
    const node = this.recs.node[rec]!;
    this.nodeActive[node]!++;
    this.totals.adds++;
    const delay = this.latency.sample();
    if (!this.ipam.allocate(node)) {
      this.totals.failures++;
      this.engine.schedule(0, this.doneKind, rec, CniResult.FailedCreatePodSandBox);
      return;
    }
    this.engine.schedule(delay, this.recs.kind[rec]! as EventKind, this.recs.target[rec]!, CniResult.ok);
    this.recs.release(rec);
  }

  /** A failed ADD is reported to its caller, and its slot freed. */
  private finish(rec: number, code: CniResult): void {
    const node = this.recs.node[rec]!;
    this.engine.schedule(0, this.recs.kind[rec]! as EventKind, this.recs.target[rec]!, code);
    this.recs.release(rec);
    this.freeSlot(node);
  }

  /** An ADD on `node` ended: the ADDs waiting for its slot start. */
  private freeSlot(node: NodeIdx): void {
    this.nodeActive[node]!--;
    while (this.nodeActive[node]! < this.maxConcurrentAddsPerNode) {
      const next = this.waiting.shift(node, this.recs.next);
      if (next === NONE) return;
      this.start(next);
    }
  }
}
