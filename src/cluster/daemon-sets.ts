import type { DeploymentSpec } from "../scenario/manifests.js";

/** The counts of a DaemonSet's status, with upstream's names. */
export interface DaemonSetStatus {
  readonly desiredNumberScheduled: number;
  readonly currentNumberScheduled: number;
  readonly updatedNumberScheduled: number;
  readonly numberAvailable: number;
  readonly numberMisscheduled: number;
}

const EMPTY_STATUS: DaemonSetStatus = {
  desiredNumberScheduled: 0,
  currentNumberScheduled: 0,
  updatedNumberScheduled: 0,
  numberAvailable: 0,
  numberMisscheduled: 0,
};

/** Whether two statuses hold the same counts. */
export function sameStatus(a: DaemonSetStatus, b: DaemonSetStatus): boolean {
  for (const k of Object.keys(a) as (keyof DaemonSetStatus)[]) if (a[k] !== b[k]) return false;
  return true;
}

/** An apps/v1 DaemonSet object and the DaemonSet controller's view of it. DaemonSets are few: plain objects. */
export interface DaemonSetState {
  idx: number;
  name: string;
  namespace: string;
  /** Its entry in the owner list (pods.arrow's deployment column, owner_kind DaemonSet). */
  owner: number;
  /** The ReplicaSet-table row its pods point at (a holder no ReplicaSet controller acts on). */
  podSet: number;
  /**
   * spec.template of each revision the run writes, oldest first (the manifest as read, daemon
   * tolerations included): its ControllerRevisions. A pod of revision r is updated once
   * `revision` is past r.
   */
  revisions: DeploymentSpec[];
  /** The revision spec.template holds now (kubectl's update moves it when committed). */
  revision: number;
  exists: boolean;
  /** status as last computed by the controller (updateDaemonSetStatus). */
  status: DaemonSetStatus;
  /** Live pods on nodes that may keep them but should not get one (counted by the stop condition, not in desired). */
  keptPods: number;
  /**
   * The controller's last sync found the DaemonSet done: every node that should run its pod
   * runs exactly one, updated and available, and no other pod of it is live. Cleared at once by
   * what may undo that (a template change, a node change), so the stop condition waits.
   */
  settled: boolean;
}

/** The row of a DaemonSet declared from `spec` before the API has it. */
export function newDaemonSet(idx: number, spec: DeploymentSpec, owner: number, podSet: number): DaemonSetState {
  return {
    idx,
    name: spec.name,
    namespace: spec.namespace,
    owner,
    podSet,
    revisions: [spec],
    revision: 0,
    exists: false,
    status: EMPTY_STATUS,
    keptPods: 0,
    settled: false,
  };
}
