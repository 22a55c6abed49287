import type { DeploymentState, ReplicaSetState } from "../cluster/workloads.js";
import type { ValueOf } from "../core/names-of.js";
import { NS_PER } from "../core/time.js";

/** model: apps/v1 SetDefaults_Deployment: progressDeadlineSeconds 600. */
export const DEFAULT_PROGRESS_DEADLINE_NS = 600 * NS_PER.s;

/** Reasons of the Progressing condition (deployment util: NewReplicaSetCreated, ReplicaSetUpdated, ...). */
export const ProgressReason = {
  none: "",
  NewReplicaSetCreated: "NewReplicaSetCreated",
  ReplicaSetUpdated: "ReplicaSetUpdated",
  NewReplicaSetAvailable: "NewReplicaSetAvailable",
  ProgressDeadlineExceeded: "ProgressDeadlineExceeded",
  DeploymentPaused: "DeploymentPaused",
  DeploymentResumed: "DeploymentResumed",
} as const;
export type ProgressReason = ValueOf<typeof ProgressReason>;

/** One Deployment's Progressing condition: its reason and lastUpdateTime, and when it first timed out. */
export interface ProgressCondition {
  reason: ProgressReason;
  lastUpdateNs: number;
  /** When the condition first went False with ProgressDeadlineExceeded (NaN: never). */
  exceededAtNs: number;
}

/**
 * The Progressing condition of each Deployment, as progress.go syncRolloutStatus keeps it: True
 * NewReplicaSetCreated when a rollout's ReplicaSet is made, True ReplicaSetUpdated on each sign
 * of progress (more updated, ready or available pods, fewer old ones), True
 * NewReplicaSetAvailable once complete (every replica updated and available), and False
 * ProgressDeadlineExceeded when none of these happened for progressDeadlineSeconds
 * (DeploymentTimedOut). A paused Deployment's condition is Unknown (DeploymentPaused) and does
 * not time out; on resume the clock starts again (DeploymentResumed).
 *
 * model: the condition changes nothing but itself (upstream neither rolls back nor stops), so
 * (approximation) it is kept beside the controller rather than written to the Deployment's
 * status, and the timeout is judged when read ({@link settle}) instead of by the controller's
 * requeue for the deadline (requeueStuckDeployment): the same verdict, without upstream's extra
 * sync and status write, so runs without a stuck rollout are unchanged.
 */
export class RolloutProgress {
  readonly conditions: ProgressCondition[] = [];
  private readonly updated: number[] = [];
  private readonly old: number[] = [];
  private readonly ready: number[] = [];
  private readonly available: number[] = [];

  /** The rollout's new ReplicaSet was created (getNewReplicaSet: NewReplicaSetCreated). */
  created(d: number, nowNs: number): void {
    const c = this.ensure(d);
    c.reason = ProgressReason.NewReplicaSetCreated;
    c.lastUpdateNs = nowNs;
  }

  /** A sync of `dep` (whose ReplicaSet for its template is `newRs`) at `nowNs`. */
  observe(
    dep: DeploymentState,
    newRs: ReplicaSetState | undefined,
    nowNs: number,
    rsList: readonly ReplicaSetState[],
  ): void {
    const d = dep.idx;
    const c = this.ensure(d);
    if (dep.paused ?? dep.spec.paused === true) {
      if (c.reason !== ProgressReason.DeploymentPaused) {
        c.reason = ProgressReason.DeploymentPaused;
        c.lastUpdateNs = nowNs;
      }
      return;
    }
    if (c.reason === ProgressReason.DeploymentPaused) {
      c.reason = ProgressReason.DeploymentResumed;
      c.lastUpdateNs = nowNs;
    }
    let all = 0;
    let ready = 0;
    let available = 0;
    for (const i of dep.replicaSets) {
      const rs = rsList[i]!;
      all += rs.statusReplicas;
      ready += rs.observedRunning;
      available += rs.statusAvailable;
    }
    const updated = newRs?.statusReplicas ?? 0;
    const old = all - updated;
    const r = dep.replicas;
    if (updated === r && all === r && available === r) {
      if (c.reason !== ProgressReason.NewReplicaSetAvailable) {
        c.reason = ProgressReason.NewReplicaSetAvailable;
        c.lastUpdateNs = nowNs;
      }
    } else if (
      updated > this.updated[d]! ||
      old < this.old[d]! ||
      ready > this.ready[d]! ||
      available > this.available[d]!
    ) {
      c.reason = ProgressReason.ReplicaSetUpdated;
      c.lastUpdateNs = nowNs;
    } else this.timeOut(dep, nowNs);
    this.updated[d] = updated;
    this.old[d] = old;
    this.ready[d] = ready;
    this.available[d] = available;
  }

  /** Judges every Deployment's deadline at `nowNs` (the end of the run). */
  settle(deployments: readonly DeploymentState[], nowNs: number): void {
    for (const dep of deployments) if (dep.idx < this.conditions.length) this.timeOut(dep, nowNs);
  }

  /**
   * model: deployment util DeploymentTimedOut: a condition other than NewReplicaSetAvailable,
   * not updated for progressDeadlineSeconds, goes False (at lastUpdateTime + the deadline).
   */
  private timeOut(dep: DeploymentState, nowNs: number): void {
    const c = this.conditions[dep.idx]!;
    if (c.reason === ProgressReason.none || c.reason === ProgressReason.NewReplicaSetAvailable) return;
    if (c.reason === ProgressReason.ProgressDeadlineExceeded || c.reason === ProgressReason.DeploymentPaused) return;
    const deadline = dep.spec.progressDeadlineNs ?? DEFAULT_PROGRESS_DEADLINE_NS;
    const at = c.lastUpdateNs + deadline;
    if (!(nowNs > at)) return;
    c.reason = ProgressReason.ProgressDeadlineExceeded;
    if (Number.isNaN(c.exceededAtNs)) c.exceededAtNs = at;
  }

  private ensure(d: number): ProgressCondition {
    while (this.conditions.length <= d) {
      this.conditions.push({ reason: ProgressReason.none, lastUpdateNs: Number.NaN, exceededAtNs: Number.NaN });
      this.updated.push(0);
      this.old.push(0);
      this.ready.push(0);
      this.available.push(0);
    }
    return this.conditions[d]!;
  }
}
