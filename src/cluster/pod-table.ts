import { columnTable } from "../core/column-table.js";
import { namesOf, type ValueOf } from "../core/names-of.js";
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
  /** RunPodSandbox and CNI ADD finished (no ADD for a hostNetwork pod). */
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
export type PodStage = ValueOf<typeof PodStage>;
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
  /** Deleted by the scheduler to make room for a higher-priority pod (PreemptionByScheduler). */
  PreemptionByScheduler: 3,
  outOfResourceBase: 16,
} as const;

/** The reason string of a {@link PodReason} code; resource names by resource column. */
export function podReasonName(code: number, resourceNames: readonly string[]): string {
  if (code === PodReason.none) return "";
  if (code === PodReason.DeletionByTaintManager) return "DeletionByTaintManager";
  if (code === PodReason.EvictionByEvictionAPI) return "EvictionByEvictionAPI";
  if (code === PodReason.PreemptionByScheduler) return "PreemptionByScheduler";
  return `OutOf${resourceNames[code - PodReason.outOfResourceBase] ?? "resource"}`;
}
/** Pod phases with upstream spelling. */
export const PodPhase = { Pending: 0, Running: 1, Succeeded: 2, Failed: 3 } as const;
export type PodPhase = ValueOf<typeof PodPhase>;
export const POD_PHASE_NAMES = namesOf(PodPhase);

/**
 * The columns of {@link PodTable}, in pods.arrow order where they are written straight out.
 * Timestamps are NaN until reached.
 */
export const POD_COLUMNS = {
  /** ReplicaSet that owns the pod. */
  owner: { type: "Int32", unset: -1 },
  /** Ordinal of the pod within its ReplicaSet (for its name). */
  ordinal: "Int32",
  template: "Int32",
  node: { type: "Int32", unset: NO_NODE },
  phase: { type: "Uint8", unset: PodPhase.Pending },
  /** Scheduling attempts so far. */
  attempts: "Int32",
  /** Timestamps, `POD_STAGE_COUNT` per pod: stage s of pod p at `p * POD_STAGE_COUNT + s`. */
  times: { type: "Float64", unset: NaN, width: POD_STAGE_COUNT },
  /** When a graceful delete set metadata.deletionTimestamp (NaN: not terminating). */
  deletionNs: { type: "Float64", unset: NaN },
  /** When the pod object was removed from etcd (NaN: it still exists). */
  deletedNs: { type: "Float64", unset: NaN },
  /** RunPodSandbox attempts that failed (FailedCreatePodSandBox, e.g. pod CIDR exhausted). */
  sandboxFailures: "Int32",
  /** Image pull attempts that failed (ErrImagePull, ImagePullBackOff, ErrImageNeverPull). */
  pullFailures: "Int32",
  /** Bytes fetched from the registry by pulls this pod started. */
  bytesPulled: "Float64",
  /** Time the pod's worker spent waiting for image pulls (the SLO's excluded pull time). */
  pullWaitNs: "Float64",
  /** Time the pod's init containers took, from creating the first to seeing the last exit (also excluded by the SLO). */
  initNs: "Float64",
  /** A {@link PodReason} code. */
  reason: { type: "Uint8", unset: PodReason.none },
  /** status.nominatedNodeName as stored (-1: none): written by the scheduler when it preempts. */
  nominatedNode: { type: "Int32", unset: NO_NODE },
} as const;

/**
 * One row per pod ever created, as structure-of-arrays that grow by doubling (columns:
 * {@link POD_COLUMNS}). A pod's spec is its template; the row holds only what differs per pod.
 * This table is the main metrics table: pods.arrow is built from its columns.
 */
export class PodTable extends columnTable(POD_COLUMNS) {
  constructor(initialCapacity = 1024) {
    super(Math.max(16, initialCapacity));
  }

  /** Appends a Pending, unassigned pod and returns its index. */
  add(owner: number, ordinal: number, template: number): PodIdx {
    const p = this.addRow();
    this.owner[p] = owner;
    this.ordinal[p] = ordinal;
    this.template[p] = template;
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
}
