import type { CronJobManifest, DeploymentSpec, JobManifest } from "../scenario/manifests.js";
import type { ValueOf } from "../core/names-of.js";
import type { StatefulSetManifest } from "../scenario/inputs/stateful-sets.js";

/** A Deployment object as the simulated API holds it. Deployments are few: plain objects. */
export interface DeploymentState {
  idx: number;
  /** The manifest it was created from (name, namespace, strategy). */
  spec: DeploymentSpec;
  /** Current spec.template, as a pod template id. */
  template: number;
  /** Current spec.replicas. */
  replicas: number;
  /** Its ReplicaSets, oldest first; the one stamping `template` is the new one. */
  replicaSets: number[];
  /** The create was committed. */
  exists: boolean;
  /** status.availableReplicas as last written by the deployment controller. */
  statusAvailable: number;
  /** spec.paused as last changed by an update (undefined: as the manifest says). */
  paused?: boolean;
  /**
   * Set when this is not a Deployment: the kind of a workload created as such (ReplicaSet, Job,
   * StatefulSet), or of the stand-in owner of pods of `cluster.pods` whose controller is not
   * simulated (DaemonSet, Job, a bare Pod ...), on which no controller acts.
   */
  ownerKind?: string;
  /**
   * A StatefulSet's pods that an update leaves on an older template (`template`): ordinals below
   * the partition, or with OnDelete any pod not deleted since. The stop condition then wants
   * `replicas` Running pods of the two templates, at least `replicas - count` of the current one.
   */
  heldBack?: { template: number; count: number };
}

/** A change kubectl makes to a Deployment (its template and/or replicas). */
export interface DeploymentUpdate {
  deployment: number;
  template: number;
  replicas: number;
  /** kubectl rollout pause (true) or resume (false); undefined: unchanged. */
  paused?: boolean;
}

/** A ReplicaSet object and the replicaset controller's view of it. */
export interface ReplicaSetState {
  idx: number;
  name: string;
  deployment: number;
  template: number;
  /** spec.replicas. */
  replicas: number;
  exists: boolean;
  /** Next ordinal for a pod name. */
  nextOrdinal: number;
  /** Active pods (created, not terminating) the informer has seen. */
  observedPods: number;
  /** Active pods the informer has seen Running (our stand-in for Ready and available). */
  observedRunning: number;
  /** status.replicas / availableReplicas as last written. */
  statusReplicas: number;
  statusAvailable: number;
  /** spec.minReadySeconds in ns (its Deployment's; absent: 0, available once Ready). */
  minReadyNs?: number;
}

/** The row of ReplicaSet `idx` before the API has it: not created, no pods seen, no status written. */
export function newReplicaSet(
  idx: number,
  name: string,
  deployment: number,
  template: number,
  replicas: number,
): ReplicaSetState {
  return {
    idx,
    name,
    deployment,
    template,
    replicas,
    exists: false,
    nextOrdinal: 0,
    observedPods: 0,
    observedRunning: 0,
    statusReplicas: 0,
    statusAvailable: 0,
  };
}

/** A Job's condition, as status.conditions' terminal types (none while it runs). */
export const JobCondition = { none: 0, Complete: 1, Failed: 2 } as const;
export type JobCondition = ValueOf<typeof JobCondition>;
export const JOB_CONDITION_NAMES = ["", "Complete", "Failed"] as const;

/** A batch/v1 Job object and the Job controller's view of it. Jobs are few: plain objects. */
export interface JobState {
  idx: number;
  name: string;
  namespace: string;
  /** The Job's spec, with client-go defaults applied. */
  spec: JobManifest;
  /** Its entry in the owner list (pods.arrow's deployment column, owner_kind Job). */
  owner: number;
  /** The ReplicaSet-table row its pods point at (a holder no ReplicaSet controller acts on). */
  podSet: number;
  exists: boolean;
  /** status.startTime: the controller's first sync (NaN before). */
  startNs: number;
  /** Pods the controller has observed: active (created, not terminating, not terminal), Succeeded, Failed. */
  active: number;
  succeeded: number;
  failed: number;
  /** The terminal condition, as last written to status, and when (NaN while it runs). */
  condition: JobCondition;
  /** Why it failed (upstream reason: BackoffLimitExceeded, DeadlineExceeded); "" otherwise. */
  reason: string;
  finishedNs: number;
  /** When the delete of the Job was committed (NaN while it exists or before it is created). */
  deletedNs: number;
}

/** The row of Job `idx` before the API has it: not created, not started, no pods seen. */
export function newJob(
  idx: number,
  name: string,
  namespace: string,
  spec: JobManifest,
  owner: number,
  podSet: number,
): JobState {
  return {
    idx,
    name,
    namespace,
    spec,
    owner,
    podSet,
    exists: false,
    startNs: NaN,
    active: 0,
    succeeded: 0,
    failed: 0,
    condition: JobCondition.none,
    reason: "",
    finishedNs: NaN,
    deletedNs: NaN,
  };
}

/**
 * A batch/v1 CronJob object and its status as last written by the CronJob controller. CronJobs
 * are few: plain objects. Times of the schedule are wall-clock milliseconds (the scenario's
 * startTime plus simulated time).
 */
export interface CronJobState {
  idx: number;
  name: string;
  namespace: string;
  spec: CronJobManifest;
  /** The spec of the Jobs it creates. */
  jobSpec: JobManifest;
  /** Its entry in the owner list (pods.arrow's deployment column, owner_kind CronJob). */
  owner: number;
  /** The pod template of its Jobs. */
  template: number;
  exists: boolean;
  /** When its create was committed, simulated ns (NaN before); metadata.creationTimestamp is the wall time of it. */
  createdNs: number;
  /** status.active: its Jobs (store.jobs rows) the controller counts as running. */
  active: number[];
  /** status.lastScheduleTime, wall ms (NaN: never). */
  lastScheduleMs: number;
  /** status.lastSuccessfulTime, wall ms (NaN: never). */
  lastSuccessfulMs: number;
  /** Every Job created for it (store.jobs rows), in creation order. */
  jobs: number[];
}

/** An apps/v1 StatefulSet object and the StatefulSet controller's view of it. StatefulSets are few: plain objects. */
export interface StatefulSetState {
  idx: number;
  name: string;
  namespace: string;
  spec: StatefulSetManifest;
  /** Its entry in the owner list: spec.replicas, and spec.template (the update revision) as its `template`. */
  owner: number;
  /**
   * The ReplicaSet-table rows its pods point at, one per revision (template) in use, named as
   * the ControllerRevision `<set>-<hash>` (holders no ReplicaSet controller acts on); the first
   * is the initial revision's.
   */
  revisions: number[];
  exists: boolean;
  /** status.currentRevision, as a template id: the revision ordinals below the partition are created at. */
  currentTemplate: number;
  /** status.readyReplicas and status.availableReplicas as last written. */
  statusReady: number;
  statusAvailable: number;
}
