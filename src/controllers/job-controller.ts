import type { EventKind } from "../core/engine.js";
import { columnTable } from "../core/column-table.js";
import { PodPhase, type PodTable } from "../cluster/pod-table.js";
import { JobCondition } from "../cluster/workloads.js";
import { Resource, STATUS_BYTES, Status, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType } from "../apiserver/watch-cache.js";
import { podSuffix } from "../metrics/pods-arrow.js";
import { PodControlController } from "./pod-control.js";
import type { ControllerDeps } from "./sync-controller.js";

/** model: pkg/controller/job/job_controller.go MaxPodCreateDeletePerSync = 500. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

/** Per-pod flag of the controller's informer view: the pod counts as active for its Job. */
const ACTIVE = 1;
/** The state of a completion index of an Indexed Job: no pod, an active pod, or succeeded. */
const IndexState = { free: 0, active: 1, succeeded: 2 } as const;

/** Per pod: ACTIVE, and its completion index (-1: NonIndexed). */
const PodView = columnTable({
  flags: "Uint8",
  index: { type: "Int32", unset: -1 },
});

/** Per Job: the controller's bookkeeping (few: plain objects). */
interface JobView {
  /** Completion indexes still to create in the current sync, lowest first (Indexed Jobs). */
  readonly toCreate: number[];
  /** The Job's pods, in creation order. */
  readonly pods: number[];
  /** Indexed Jobs: the {@link IndexState} of each completion index, and how many succeeded. */
  indexState: Uint8Array;
  succeededIndexes: number;
  /** The observed counts changed since the last status write. */
  statusDirty: boolean;
  /** The condition the current sync writes (JobCondition.none: counts only). */
  writing: number;
}

/**
 * The Job controller (pkg/controller/job/job_controller.go), for Jobs whose pods never fail.
 *
 * Informers on Jobs and Pods feed a work queue served by `concurrentJobSyncs` workers. A sync
 * (syncJob) first records status.startTime and, with activeDeadlineSeconds, requeues the Job for
 * its deadline. A Job past its deadline, or with more failed pods than backoffLimit, fails:
 * its active pods are deleted, then the Failed condition is written (reason DeadlineExceeded or
 * BackoffLimitExceeded). A Job with `completions` succeeded pods (Indexed: succeeded indexes)
 * is Complete. Otherwise (manageJob) it wants min(parallelism, completions - succeeded) active
 * pods and creates the difference, at most 500 per sync, in slow-start batches of 1, 2, 4 ...
 * under expectations, as the replicaset controller does (PodControlController); an Indexed Job's new pods take the
 * lowest indexes with neither an active nor a succeeded pod, and carry the index in their name
 * (`<job>-<index>-<suffix>`, as upstream's batch.kubernetes.io/job-completion-index pods).
 * A sync ends with a status update when the observed counts changed.
 *
 * model: a pod deleted before it succeeded counts as failed (job_controller.go, pods tracked
 * with finalizers), and may be replaced while failed <= backoffLimit.
 */
export class JobController extends PodControlController<JobView> {
  private readonly pods: PodTable;
  private readonly podNames: Map<number, string>;
  private readonly kStatusWritten: EventKind;
  private readonly kDeadline: EventKind;
  private readonly podView = new PodView(1024);

  /** `podNames` receives the names of Indexed Jobs' pods (pods.arrow generates the others'). */
  constructor(deps: ControllerDeps, client: number, podNames: Map<number, string>) {
    super(deps, client, "job", deps.spec.concurrentJobSyncs);
    const { engine } = deps;
    this.pods = deps.store.pods;
    this.podNames = podNames;
    this.kStatusWritten = engine.register("job.statusWritten", (j, req) => {
      if (this.api.requests.status[req] !== Status.ok) {
        this.keys.syncFailed[j] = 1;
        this.views[j]!.statusDirty = true;
      }
      this.endSync(j);
    });
    this.kDeadline = engine.register("job.deadline", (j) => this.queue.add(j));
    this.inform(WatchResource.jobs, "job", (arg) => this.onJobEvent(arg));
    this.inform(WatchResource.pods, "pod", (arg) => this.onPodEvent(arg));
  }

  protected newView(): JobView {
    return {
      toCreate: [],
      pods: [],
      indexState: new Uint8Array(0),
      succeededIndexes: 0,
      statusDirty: false,
      writing: JobCondition.none,
    };
  }

  private onJobEvent(arg: number): void {
    const j = watchObject(arg);
    if (watchType(arg) !== WatchEvent.ADDED) {
      this.queue.add(j);
      return;
    }
    const job = this.store.jobs[j]!;
    this.ensureKey(j);
    this.holdsPods(job.podSet, j);
    if (job.spec.indexed) this.views[j]!.indexState = new Uint8Array(job.spec.completions);
    this.observeOwner(j);
  }

  private onPodEvent(arg: number): void {
    const pod = watchObject(arg);
    const j = this.keyOfPod(pod);
    if (j < 0) return;
    const job = this.store.jobs[j]!;
    const v = this.views[j]!;
    const view = this.podView;
    view.ensureRow(pod);
    const phase = this.pods.phase[pod]!;
    const gone = this.pods.isTerminating(pod) || watchType(arg) === WatchEvent.DELETED;
    if (watchType(arg) === WatchEvent.ADDED) {
      this.expect.pendingAdds[j]!--; // model: expectations.CreationObserved on the pod add event
      if (gone || phase === PodPhase.Succeeded || phase === PodPhase.Failed) return;
      view.flags[pod] = ACTIVE;
      job.active++;
    } else if ((view.flags[pod]! & ACTIVE) === 0) {
      return;
    } else if (phase === PodPhase.Succeeded) {
      view.flags[pod] = 0;
      job.active--;
      job.succeeded++;
      const i = view.index[pod]!;
      if (i >= 0 && v.indexState[i] !== IndexState.succeeded) {
        v.indexState[i] = IndexState.succeeded;
        v.succeededIndexes++;
      }
    } else if (phase === PodPhase.Failed || gone) {
      view.flags[pod] = 0;
      job.active--;
      job.failed++;
      const i = view.index[pod]!;
      if (i >= 0 && v.indexState[i] === IndexState.active) v.indexState[i] = IndexState.free;
    } else {
      return;
    }
    v.statusDirty = true;
    if (this.observed(j)) this.queue.add(j);
  }

  protected syncBody(j: number): void {
    const job = this.store.jobs[j]!;
    const spec = job.spec;
    const v = this.views[j]!;
    this.keys.syncFailed[j] = 0;
    v.writing = JobCondition.none;
    // model: a deleted Job is not found by the sync (its pods are the garbage collector's).
    if (job.condition !== JobCondition.none || !job.exists) {
      this.endSync(j);
      return;
    }
    const now = this.engine.now;
    if (Number.isNaN(job.startNs)) {
      job.startNs = now;
      v.statusDirty = true;
      // model: syncJob requeues the Job for its deadline (queue.AddAfter(key, activeDeadline)).
      if (Number.isFinite(spec.activeDeadlineNs)) this.engine.schedule(spec.activeDeadlineNs, this.kDeadline, j);
    }
    if (!this.expectationsSatisfied(j)) {
      this.finishSync(j);
      return;
    }
    // model: syncJob checks exceedsBackoffLimit, then pastActiveDeadline.
    if (job.failed > spec.backoffLimit) {
      this.fail(j, "BackoffLimitExceeded");
      return;
    }
    if (now - job.startNs >= spec.activeDeadlineNs) {
      this.fail(j, "DeadlineExceeded");
      return;
    }
    const succeeded = spec.indexed ? v.succeededIndexes : job.succeeded;
    if (succeeded >= spec.completions) {
      v.writing = JobCondition.Complete;
      v.statusDirty = true;
      this.finishSync(j);
      return;
    }
    // model: manageJob: wantActive = min(completions - succeeded, parallelism).
    const diff = Math.min(spec.parallelism, spec.completions - succeeded) - job.active;
    if (diff <= 0) {
      this.finishSync(j);
      return;
    }
    const n = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (spec.indexed) {
      // model: indexed_job_utils.go firstPendingIndexes: the lowest indexes with no active or succeeded pod.
      const state = v.indexState;
      const list = v.toCreate;
      list.length = 0;
      for (let i = 0; i < state.length && list.length < n; i++) if (state[i] === IndexState.free) list.push(i);
      list.reverse(); // popped from the end: lowest first
    }
    this.setExpectations(j, n, 0); // model: expectations.ExpectCreations(jobKey, diff)
    this.startCreates(j, n);
  }

  /** The next pod of Job `j`'s batch; an Indexed Job's takes the lowest pending index. */
  protected newPod(j: number): number {
    const job = this.store.jobs[j]!;
    const rs = this.store.replicaSets[job.podSet]!;
    const ordinal = rs.nextOrdinal++;
    const pod = this.pods.add(job.podSet, ordinal, rs.template);
    this.podView.ensureRow(pod);
    const v = this.views[j]!;
    if (job.spec.indexed) {
      const i = v.toCreate.pop()!;
      this.podView.index[pod] = i;
      v.indexState[i] = IndexState.active;
      this.podNames.set(pod, `${job.name}-${i}-${podSuffix(ordinal)}`);
    }
    v.pods.push(pod);
    return pod;
  }

  /** A refused create frees the pod's completion index for the next sync. */
  protected override createFailed(j: number, pod: number): void {
    const i = this.podView.index[pod]!;
    if (i >= 0) this.views[j]!.indexState[i] = IndexState.free;
  }

  /** The Failed condition waits for the next sync, which deletes what is still active. */
  protected override deleteFailed(j: number): void {
    this.views[j]!.writing = JobCondition.none;
  }

  /**
   * model: syncJob on a failure condition deletes the Job's active pods (deleteActivePods), then
   * writes the Failed condition with `reason` once they are gone from its count.
   */
  private fail(j: number, reason: string): void {
    const job = this.store.jobs[j]!;
    job.reason = reason;
    const v = this.views[j]!;
    v.writing = JobCondition.Failed;
    v.statusDirty = true;
    const view = this.podView;
    const victims = v.pods.filter((p) => (view.flags[p]! & ACTIVE) !== 0);
    if (victims.length === 0) {
      this.finishSync(j);
      return;
    }
    this.deletePods(j, victims, victims.length);
  }

  /** Writes the Job's status (counts, and the condition this sync reached) if it changed, then ends the sync. */
  protected finishSync(j: number): void {
    const v = this.views[j]!;
    if (!v.statusDirty) {
      this.endSync(j);
      return;
    }
    v.statusDirty = false;
    this.api.submit(this.client, Verb.update, Resource.jobsStatus, j, v.writing, STATUS_BYTES, this.kStatusWritten, j);
  }
}
