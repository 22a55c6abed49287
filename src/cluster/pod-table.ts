import { NO_NODE, type NodeIdx, type PodIdx } from "./ids.js";

/**
 * Lifecycle stages whose time each pod records, in the order a pod passes them on its way to
 * Running. Each becomes a `<stage>_ns` column of pods.arrow.
 */
export const PodStage = {
  /** The create was committed to etcd (the pod's creationTimestamp). */
  created: 0,
  /** The scheduler's informer delivered the pod and it entered the scheduling queue. */
  queued: 1,
  /** The first scheduling cycle began for the pod. */
  firstAttempt: 2,
  /** A cycle chose a node and the scheduler assumed the pod onto it. */
  scheduled: 3,
  /** The binding was committed to etcd. */
  bound: 4,
  /** The kubelet's pod watch delivered the bound pod. */
  kubeletSeen: 5,
  /** RunPodSandbox and CNI ADD finished. */
  sandboxReady: 6,
  /** All images were present on the node (pulled or cached). */
  imagesPulled: 7,
  /** The last app container started. */
  containersStarted: 8,
  /** The kubelet's Running status was committed to etcd. */
  running: 9,
} as const;
export type PodStage = (typeof PodStage)[keyof typeof PodStage];
export const POD_STAGE_COUNT = 10;
/** Column names for pods.arrow, in stage order. */
export const POD_STAGE_COLUMNS = [
  "created_ns",
  "queued_ns",
  "first_attempt_ns",
  "scheduled_ns",
  "bound_ns",
  "kubelet_seen_ns",
  "sandbox_ready_ns",
  "images_pulled_ns",
  "containers_started_ns",
  "running_ns",
] as const;

/** Pod phases with upstream spelling. */
export const PodPhase = { Pending: 0, Running: 1, Succeeded: 2, Failed: 3 } as const;
export type PodPhase = (typeof PodPhase)[keyof typeof PodPhase];
export const POD_PHASE_NAMES = ["Pending", "Running", "Succeeded", "Failed"] as const;

/**
 * One row per pod ever created, as structure-of-arrays that grow by doubling. A pod's spec is
 * its template; the row holds only what differs per pod. Timestamps are NaN until reached.
 * This table is the main metrics table: pods.arrow is built from its columns.
 */
export class PodTable {
  private cap: number;
  private count = 0;
  /** ReplicaSet that owns the pod. */
  owner: Int32Array;
  /** Ordinal of the pod within its ReplicaSet (for its name). */
  ordinal: Int32Array;
  template: Int32Array;
  node: Int32Array;
  phase: Uint8Array;
  /** Scheduling attempts so far. */
  attempts: Int32Array;
  /** Timestamps, `POD_STAGE_COUNT` per pod: stage s of pod p at `p * POD_STAGE_COUNT + s`. */
  times: Float64Array;

  constructor(initialCapacity = 1024) {
    this.cap = Math.max(16, initialCapacity);
    this.owner = new Int32Array(this.cap);
    this.ordinal = new Int32Array(this.cap);
    this.template = new Int32Array(this.cap);
    this.node = new Int32Array(this.cap);
    this.phase = new Uint8Array(this.cap);
    this.attempts = new Int32Array(this.cap);
    this.times = new Float64Array(this.cap * POD_STAGE_COUNT).fill(NaN);
  }

  get size(): number {
    return this.count;
  }

  /** Appends a Pending, unassigned pod and returns its index. */
  add(owner: number, ordinal: number, template: number): PodIdx {
    if (this.count === this.cap) this.grow();
    const p = this.count++;
    this.owner[p] = owner;
    this.ordinal[p] = ordinal;
    this.template[p] = template;
    this.node[p] = NO_NODE;
    this.phase[p] = PodPhase.Pending;
    this.attempts[p] = 0;
    return p;
  }

  /** Records that pod `p` reached `stage` at `timeNs` (the first time only). */
  mark(p: PodIdx, stage: PodStage, timeNs: number): void {
    const i = p * POD_STAGE_COUNT + stage;
    if (this.times[i] !== this.times[i]) this.times[i] = timeNs;
  }

  time(p: PodIdx, stage: PodStage): number {
    return this.times[p * POD_STAGE_COUNT + stage]!;
  }

  nodeOf(p: PodIdx): NodeIdx {
    return this.node[p]!;
  }

  private grow(): void {
    const cap = this.cap * 2;
    this.owner = growI32(this.owner, cap);
    this.ordinal = growI32(this.ordinal, cap);
    this.template = growI32(this.template, cap);
    this.node = growI32(this.node, cap);
    this.attempts = growI32(this.attempts, cap);
    const phase = new Uint8Array(cap);
    phase.set(this.phase);
    this.phase = phase;
    const times = new Float64Array(cap * POD_STAGE_COUNT).fill(NaN);
    times.set(this.times);
    this.times = times;
    this.cap = cap;
  }
}

function growI32(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}
