import { growF64, growI32, growU8 } from "../core/grow.js";
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
  // Node-side stages, appended: not every pod passes them, nor in this order relative to the
  // stages above (see POD_NODE_STAGE_COLUMNS).
  /** The kubelet admitted the pod (canAdmitPod passed). */
  admitted: 10,
  /** WaitForAttachAndMount returned: every volume attached and mounted. */
  volumesReady: 11,
  /** The kubelet set the pod's Ready condition (all containers ready; probes passed). */
  ready: 12,
  /** The kubelet finished killing the pod: containers stopped, sandbox and IP released. */
  terminated: 13,
} as const;
export type PodStage = (typeof PodStage)[keyof typeof PodStage];
export const POD_STAGE_COUNT = 14;
/** Column names for pods.arrow of the stages a pod passes in order on its way to Running (0..9). */
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
/**
 * Column names of the node-side stages 10..13 (admitted, volumes ready, ready, terminated), in
 * stage order. They are not monotone with the stages above: Ready may come before or after the
 * Running status is committed, and most pods are never terminated.
 */
export const POD_NODE_STAGE_COLUMNS = ["admitted_ns", "volumes_ready_ns", "ready_ns", "terminated_ns"] as const;

/**
 * Why a pod ended or was removed, with upstream spelling. Codes from `outOfResourceBase` up
 * are the kubelet's admission rejections `OutOf<resource>` (pkg/kubelet/lifecycle/predicate.go),
 * offset by the resource column.
 */
export const PodReason = {
  none: 0,
  /** Deleted by the taint-eviction controller (DisruptionTarget reason DeletionByTaintManager). */
  DeletionByTaintManager: 1,
  /** Evicted through the Eviction API, e.g. by kubectl drain (EvictionByEvictionAPI). */
  EvictionByEvictionAPI: 2,
  outOfResourceBase: 16,
} as const;

/** The reason string of a {@link PodReason} code; resource names by resource column. */
export function podReasonName(code: number, resourceNames: readonly string[]): string {
  if (code === PodReason.none) return "";
  if (code === PodReason.DeletionByTaintManager) return "DeletionByTaintManager";
  if (code === PodReason.EvictionByEvictionAPI) return "EvictionByEvictionAPI";
  return `OutOf${resourceNames[code - PodReason.outOfResourceBase] ?? "resource"}`;
}
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
  /** RunPodSandbox attempts that failed (FailedCreatePodSandBox, e.g. pod CIDR exhausted). */
  sandboxFailures: Int32Array;
  /** Image pull attempts that failed (ErrImagePull, ImagePullBackOff, ErrImageNeverPull). */
  pullFailures: Int32Array;
  /** Bytes fetched from the registry by pulls this pod started. */
  bytesPulled: Float64Array;
  /** Time the pod's worker spent waiting for image pulls (the SLO's excluded pull time). */
  pullWaitNs: Float64Array;
  /** Time the pod's init containers took, from creating the first to seeing the last exit (also excluded by the SLO). */
  initNs: Float64Array;
  /** A {@link PodReason} code. */
  reason: Uint8Array;
  /** When a graceful delete set metadata.deletionTimestamp (NaN: not terminating). */
  deletionNs: Float64Array;
  /** When the pod object was removed from etcd (NaN: it still exists). */
  deletedNs: Float64Array;

  constructor(initialCapacity = 1024) {
    this.cap = Math.max(16, initialCapacity);
    this.owner = new Int32Array(this.cap);
    this.ordinal = new Int32Array(this.cap);
    this.template = new Int32Array(this.cap);
    this.node = new Int32Array(this.cap);
    this.phase = new Uint8Array(this.cap);
    this.attempts = new Int32Array(this.cap);
    this.times = new Float64Array(this.cap * POD_STAGE_COUNT).fill(NaN);
    this.deletionNs = new Float64Array(this.cap).fill(NaN);
    this.deletedNs = new Float64Array(this.cap).fill(NaN);
    this.sandboxFailures = new Int32Array(this.cap);
    this.pullFailures = new Int32Array(this.cap);
    this.bytesPulled = new Float64Array(this.cap);
    this.pullWaitNs = new Float64Array(this.cap);
    this.initNs = new Float64Array(this.cap);
    this.reason = new Uint8Array(this.cap);
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
    if (Number.isNaN(this.times[i])) this.times[i] = timeNs;
  }

  time(p: PodIdx, stage: PodStage): number {
    return this.times[p * POD_STAGE_COUNT + stage]!;
  }

  nodeOf(p: PodIdx): NodeIdx {
    return this.node[p]!;
  }

  /** Whether the pod has a deletionTimestamp or is gone. */
  isTerminating(p: PodIdx): boolean {
    return !Number.isNaN(this.deletionNs[p]) || !Number.isNaN(this.deletedNs[p]);
  }

  private grow(): void {
    const cap = this.cap * 2;
    this.owner = growI32(this.owner, cap);
    this.ordinal = growI32(this.ordinal, cap);
    this.template = growI32(this.template, cap);
    this.node = growI32(this.node, cap);
    this.attempts = growI32(this.attempts, cap);
    this.phase = growU8(this.phase, cap);
    const times = new Float64Array(cap * POD_STAGE_COUNT).fill(NaN);
    times.set(this.times);
    this.times = times;
    this.sandboxFailures = growI32(this.sandboxFailures, cap);
    this.pullFailures = growI32(this.pullFailures, cap);
    this.bytesPulled = growF64(this.bytesPulled, cap, 0);
    this.pullWaitNs = growF64(this.pullWaitNs, cap, 0);
    this.initNs = growF64(this.initNs, cap, 0);
    this.reason = growU8(this.reason, cap);
    this.deletionNs = growF64(this.deletionNs, cap, NaN);
    this.deletedNs = growF64(this.deletedNs, cap, NaN);
    this.cap = cap;
  }
}
