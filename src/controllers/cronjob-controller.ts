import type { EventHandle, EventKind } from "../core/engine.js";
import { NS_PER } from "../core/time.js";
import { type CronJobState, JobCondition, newJob, newReplicaSet } from "../cluster/workloads.js";
import { DELETE_BYTES, Resource, STATUS_BYTES, Verb } from "../apiserver/request-table.js";
import { WatchResource, watchObject } from "../apiserver/watch-cache.js";
import { type CronSchedule, parseCronSchedule } from "./cron-schedule.js";
import { type ControllerDeps, SyncController } from "./sync-controller.js";
import type { ValueOf } from "../core/names-of.js";

/** model: kube-controller-manager --concurrent-cron-job-syncs default 5. */
export const CONCURRENT_CRON_JOB_SYNCS = 5;
/** model: cronjob_controllerv2.go nextScheduleDelta = 100 ms, added to each requeue for clock skew. */
const NEXT_SCHEDULE_DELTA_MS = 100;
/** model: utils.go: more than 100 missed start times is "many" (event TooManyMissedTimes). */
export const MANY_MISSED_SCHEDULES = 100;
const JOB_BYTES = 3_000;

/** Operations of a sync, run one after another as upstream's worker makes its calls. */
const OP_DELETE = 0;
const OP_CREATE = 1;

/** How many start times were missed since the last one: upstream's missedSchedulesType. */
export const Missed = { none: 0, few: 1, many: 2 } as const;

/** What {@link mostRecentScheduleTime} finds, in wall ms. */
export interface RecentSchedule {
  earliestMs: number;
  /** The latest start time not after now (NaN: none). */
  mostRecentMs: number;
  missed: ValueOf<typeof Missed>;
  /** The schedule's activations are less than a second apart (InvalidSchedule). */
  invalid: boolean;
}

/**
 * model: pkg/controller/cronjob/utils.go mostRecentScheduleTime. The earliest time is the last
 * schedule time, else the CronJob's creation; with `deadlineMs` finite (startingDeadlineSeconds,
 * when `includeDeadline`) nothing before now - deadline counts. t1 and t2 are the next two
 * activations after it: now before t1, none; before t2, t1. Otherwise the missed count is
 * estimated from the t1-t2 interval, and the latest activation not after now is found by
 * stepping from two intervals before the estimate.
 */
export function mostRecentScheduleTime(
  sched: CronSchedule,
  createdMs: number,
  lastMs: number,
  nowMs: number,
  deadlineMs: number,
  includeDeadline: boolean,
): RecentSchedule {
  let earliestMs = Number.isNaN(lastMs) ? createdMs : lastMs;
  if (includeDeadline && Number.isFinite(deadlineMs)) earliestMs = Math.max(earliestMs, nowMs - deadlineMs);
  const t1 = sched.next(earliestMs);
  const t2 = sched.next(t1);
  if (!(nowMs >= t1)) return { earliestMs, mostRecentMs: Number.NaN, missed: Missed.none, invalid: false };
  if (!(nowMs >= t2)) return { earliestMs, mostRecentMs: t1, missed: Missed.none, invalid: false };
  const betweenS = Math.round((t2 - t1) / 1000);
  if (!(betweenS >= 1)) return { earliestMs, mostRecentMs: Number.NaN, missed: Missed.none, invalid: true };
  const missedCount = Math.floor(Math.trunc((nowMs - t1) / 1000) / betweenS) + 1;
  let mostRecentMs = Number.NaN;
  for (let t = sched.next(t1 + (missedCount - 2) * betweenS * 1000); t <= nowMs; t = sched.next(t)) mostRecentMs = t;
  const missed = missedCount > MANY_MISSED_SCHEDULES ? Missed.many : Missed.few;
  return { earliestMs, mostRecentMs, missed, invalid: false };
}

/**
 * model: utils.go nextScheduleTimeDuration: how long until the sync after the next start time
 * (plus nextScheduleDelta), counted from the last schedule time as the status now has it.
 */
export function nextScheduleDelayMs(
  sched: CronSchedule,
  createdMs: number,
  lastMs: number,
  nowMs: number,
  deadlineMs: number,
): number {
  const r = mostRecentScheduleTime(sched, createdMs, lastMs, nowMs, deadlineMs, false);
  let base = r.mostRecentMs;
  if (r.invalid) base = nowMs;
  else if (Number.isNaN(base)) base = r.missed === Missed.none ? r.earliestMs : nowMs;
  return sched.next(base) + NEXT_SCHEDULE_DELTA_MS - nowMs;
}

/** What the CronJob controller did for one CronJob, by upstream's event reasons. */
export interface CronJobCounts {
  /** SuccessfulCreate: Jobs created. */
  jobsCreated: number;
  /** SuccessfulDelete by the history limits (cleanupFinishedJobs). */
  jobsDeletedByHistoryLimit: number;
  /** SuccessfulDelete by concurrencyPolicy Replace: running Jobs deleted for the next one. */
  jobsReplaced: number;
  /** JobAlreadyActive: start times skipped by concurrencyPolicy Forbid. */
  skippedForbid: number;
  /** MissSchedule: start times past startingDeadlineSeconds. */
  missedDeadline: number;
  /** TooManyMissedTimes warnings (more than 100 missed start times). */
  tooManyMissed: number;
}

/** Counts of a CronJob the controller has not acted on. */
export function noCronJobCounts(): CronJobCounts {
  return {
    jobsCreated: 0,
    jobsDeletedByHistoryLimit: 0,
    jobsReplaced: 0,
    skippedForbid: 0,
    missedDeadline: 0,
    tooManyMissed: 0,
  };
}

/** Per CronJob: the controller's bookkeeping (few: plain objects). */
interface CronView {
  readonly schedule: CronSchedule;
  /** The pending wake (AddAfter) and its time (Infinity: none). */
  wakeNs: number;
  wakeHandle: EventHandle | undefined;
  /** The current sync's remaining calls (job * 2 + op), the status it will write, its requeue. */
  readonly ops: number[];
  readonly nextActive: number[];
  nextLastMs: number;
  nextSuccessMs: number;
  statusDirty: boolean;
  /** The status write of the current sync is in flight. */
  writingStatus: boolean;
  requeueMs: number;
  /** Start time of the Job the current sync creates (wall ms). */
  creatingMs: number;
}

/**
 * The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go, the v2 controller of
 * v1.21 and later), on the virtual clock: wall time is the scenario's startTime plus simulated
 * time.
 *
 * Informers on CronJobs and Jobs feed a work queue of CronJob keys (5 workers). A sync
 * (sync → cleanupFinishedJobs → syncCronJob) first deletes the oldest finished Jobs beyond
 * successfulJobsHistoryLimit and failedJobsHistoryLimit (oldest by status.startTime, then name),
 * drops finished and vanished Jobs from status.active and records lastSuccessfulTime. A
 * suspended CronJob stops there. Otherwise the most recent unmet start time is found
 * (utils.go); past startingDeadlineSeconds it is missed (MissSchedule); already processed
 * (lastScheduleTime, or a Job of its name in status.active), nothing; with concurrencyPolicy
 * Forbid and a Job active, skipped (JobAlreadyActive); with Replace, the active Jobs are
 * deleted first. Then the Job `<cronjob>-<scheduled time in minutes since the epoch>` is created
 * (a name already taken by one of its Jobs is that Job: AlreadyExists), and status.active and
 * lastScheduleTime are written. Each sync that does not fail or stop requeues the key for the
 * next start time plus 100 ms (queue.AddAfter, the earliest wake kept), so there is no polling.
 *
 * model: the calls of a sync are made one after another, as upstream's worker makes them; the
 * controller reads Jobs and its CronJobs as the store has them (its informers' caches).
 */
export class CronJobController extends SyncController {
  private readonly startMs: number;
  private readonly kWritten: EventKind;
  private readonly kWake: EventKind;
  private readonly views: CronView[] = [];
  /** The CronJob of each Job row it created (-1: not a CronJob's). */
  private readonly cronOfJob: number[] = [];
  readonly counts: CronJobCounts[] = [];

  /** `startMs`: the wall-clock time of simulated time 0, in ms since the Unix epoch. */
  constructor(deps: ControllerDeps, client: number, startMs: number) {
    super(deps, client, "cronjob", CONCURRENT_CRON_JOB_SYNCS);
    const { engine } = deps;
    this.startMs = startMs;
    this.kWritten = engine.register("cronjob.written", (c, req) => this.onWritten(c, req));
    this.kWake = engine.register("cronjob.wake", (c) => {
      const v = this.views[c]!;
      v.wakeNs = Number.POSITIVE_INFINITY;
      v.wakeHandle = undefined;
      this.queue.add(c);
    });
    this.inform(WatchResource.cronjobs, "cronjob", (arg) => {
      this.ensure(watchObject(arg));
      this.queue.add(watchObject(arg));
    });
    this.inform(WatchResource.jobs, "job", (arg) => {
      const c = this.cronOfJob[watchObject(arg)] ?? -1;
      if (c >= 0) this.queue.add(c);
    });
  }

  /** Sizes the per-CronJob state to cover `c` (CronJobs are declared after the controller is built). */
  private ensure(c: number): void {
    const cronJobs = this.store.cronJobs;
    for (let i = this.views.length; i <= c; i++) {
      const cj = cronJobs[i]!;
      const schedule = parseCronSchedule(cj.spec.schedule, cj.spec.timeZone);
      // The scenario reader refused a schedule that does not parse (cron-jobs.ts).
      if (typeof schedule === "string") throw new RangeError(`CronJob ${cj.name}: ${schedule}`);
      this.views.push({
        schedule,
        wakeNs: Number.POSITIVE_INFINITY,
        wakeHandle: undefined,
        ops: [],
        nextActive: [],
        nextLastMs: Number.NaN,
        nextSuccessMs: Number.NaN,
        statusDirty: false,
        writingStatus: false,
        requeueMs: Number.NaN,
        creatingMs: Number.NaN,
      });
      this.counts.push(noCronJobCounts());
    }
    this.ensureKey(c);
  }

  /** Wall-clock ms of simulated time `ns`. */
  private wallMs(ns: number): number {
    return this.startMs + Math.floor(ns / NS_PER.ms);
  }

  protected syncBody(c: number): void {
    this.ensure(c);
    const cj = this.store.cronJobs[c]!;
    const v = this.views[c]!;
    this.keys.syncFailed[c] = 0;
    v.requeueMs = Number.NaN;
    if (!cj.exists) {
      this.endSync(c);
      return;
    }
    const jobs = this.store.jobs;
    const nowMs = this.wallMs(this.engine.now);
    const active = v.nextActive;
    active.length = 0;
    active.push(...cj.active);
    v.nextLastMs = cj.lastScheduleMs;
    v.nextSuccessMs = cj.lastSuccessfulMs;
    v.statusDirty = false;
    v.ops.length = 0;
    const children = cj.jobs.filter((j) => jobs[j]!.exists);
    this.cleanupFinishedJobs(c, cj, children);
    // model: syncCronJob: finished Jobs leave status.active; a succeeded one sets lastSuccessfulTime.
    for (const j of children) {
      const job = jobs[j]!;
      if (job.condition === JobCondition.none) continue;
      this.removeActive(c, j);
      const doneMs = this.wallMs(job.finishedNs);
      if (job.condition === JobCondition.Complete && !(doneMs <= v.nextSuccessMs)) {
        v.nextSuccessMs = doneMs;
        v.statusDirty = true;
      }
    }
    // model: an active Job that no longer exists is dropped (MissingJob).
    for (let i = active.length - 1; i >= 0; i--) if (!jobs[active[i]!]!.exists) this.removeActive(c, active[i]!);
    if (!cj.spec.suspend) this.schedule(c, cj, children, nowMs);
    this.runOps(c);
  }

  /**
   * model: cleanupFinishedJobs / removeOldestJobs: beyond each history limit, the oldest finished
   * Jobs (by status.startTime, then name) are deleted and leave status.active.
   */
  private cleanupFinishedJobs(c: number, cj: CronJobState, children: readonly number[]): void {
    const jobs = this.store.jobs;
    const byStart = (a: number, b: number) => {
      const sa = jobs[a]!.startNs;
      const sb = jobs[b]!.startNs;
      if (Number.isNaN(sa) !== Number.isNaN(sb)) return Number.isNaN(sa) ? 1 : -1;
      if (sa !== sb && !Number.isNaN(sa)) return sa - sb;
      return jobs[a]!.name < jobs[b]!.name ? -1 : jobs[a]!.name > jobs[b]!.name ? 1 : 0;
    };
    const limits = [
      [JobCondition.Complete, cj.spec.successfulJobsHistoryLimit],
      [JobCondition.Failed, cj.spec.failedJobsHistoryLimit],
    ] as const;
    for (const [condition, limit] of limits) {
      const finished = children.filter((j) => jobs[j]!.condition === condition).sort(byStart);
      for (let i = 0; i < finished.length - limit; i++) {
        this.views[c]!.ops.push(finished[i]! * 2 + OP_DELETE);
        this.counts[c]!.jobsDeletedByHistoryLimit++;
        this.removeActive(c, finished[i]!);
      }
    }
  }

  /** The scheduling half of syncCronJob: decides this sync's create (and Replace deletes) and its requeue. */
  private schedule(c: number, cj: CronJobState, children: readonly number[], nowMs: number): void {
    const v = this.views[c]!;
    const sched = v.schedule;
    const spec = cj.spec;
    // model: metadata.creationTimestamp is serialised to the second.
    const createdMs = Math.floor(this.wallMs(cj.createdNs) / 1000) * 1000;
    const lastMs = v.nextLastMs;
    const deadlineMs = spec.startingDeadlineNs / NS_PER.ms;
    const recent = mostRecentScheduleTime(sched, createdMs, lastMs, nowMs, deadlineMs, true);
    if (recent.invalid) return; // InvalidSchedule: not requeued until the spec changes
    // The requeue counts from the last schedule time the status will hold.
    const last = this.decide(c, cj, children, nowMs, recent, deadlineMs);
    v.requeueMs = nextScheduleDelayMs(sched, createdMs, last, nowMs, deadlineMs);
  }

  /** Decides this sync's create (and Replace deletes); returns the lastScheduleTime it leads to. */
  private decide(
    c: number,
    cj: CronJobState,
    children: readonly number[],
    nowMs: number,
    recent: RecentSchedule,
    deadlineMs: number,
  ): number {
    const v = this.views[c]!;
    const lastMs = v.nextLastMs;
    const scheduledMs = recent.mostRecentMs;
    if (Number.isNaN(scheduledMs) || scheduledMs > nowMs) return lastMs;
    const counts = this.counts[c]!;
    if (recent.missed === Missed.many) counts.tooManyMissed++;
    if (scheduledMs + deadlineMs < nowMs) {
      counts.missedDeadline++;
      return lastMs;
    }
    const name = `${cj.name}-${Math.floor(scheduledMs / 60_000)}`;
    const jobs = this.store.jobs;
    const active = v.nextActive;
    if (active.some((j) => jobs[j]!.name === name) || lastMs === scheduledMs) return lastMs;
    if (cj.spec.concurrencyPolicy === "Forbid" && active.length > 0) {
      counts.skippedForbid++;
      return lastMs;
    }
    if (cj.spec.concurrencyPolicy === "Replace" && active.length > 0) {
      for (const j of active) v.ops.push(j * 2 + OP_DELETE);
      counts.jobsReplaced += active.length;
      active.length = 0;
      v.statusDirty = true;
    }
    v.creatingMs = scheduledMs;
    const existing = children.find((j) => jobs[j]!.name === name);
    if (existing !== undefined) {
      // model: the create is AlreadyExists and the Job is ours: it joins status.active.
      this.created(c, existing);
      return scheduledMs;
    }
    const j = jobs.length;
    const rs = this.store.replicaSets.length;
    this.store.deployments[cj.owner]!.replicaSets.push(rs);
    this.store.replicaSets.push(newReplicaSet(rs, name, cj.owner, cj.template, 0));
    jobs.push(newJob(j, name, cj.namespace, cj.jobSpec, cj.owner, rs));
    cj.jobs.push(j);
    while (this.cronOfJob.length <= j) this.cronOfJob.push(-1);
    this.cronOfJob[j] = c;
    v.ops.push(j * 2 + OP_CREATE);
    return scheduledMs;
  }

  private created(c: number, j: number): void {
    const v = this.views[c]!;
    v.nextActive.push(j);
    v.nextLastMs = v.creatingMs;
    v.statusDirty = true;
  }

  private removeActive(c: number, j: number): void {
    const v = this.views[c]!;
    const i = v.nextActive.indexOf(j);
    if (i < 0) return;
    v.nextActive.splice(i, 1);
    v.statusDirty = true;
  }

  /** Makes the sync's next call, or, when none is left, writes the status and ends the sync. */
  private runOps(c: number): void {
    const v = this.views[c]!;
    const op = v.ops.shift();
    if (op !== undefined) {
      const j = Math.floor(op / 2);
      this.keys.inflight[c] = 1;
      if (op % 2 === OP_CREATE) {
        this.api.submit(this.client, Verb.create, Resource.jobs, j, 0, JOB_BYTES, this.kWritten, c);
      } else {
        this.api.submit(this.client, Verb.delete, Resource.jobs, j, 0, DELETE_BYTES, this.kWritten, c);
      }
      return;
    }
    if (v.statusDirty && !v.writingStatus) {
      v.statusDirty = false;
      v.writingStatus = true;
      this.keys.inflight[c] = 1;
      this.api.submit(this.client, Verb.update, Resource.cronjobsStatus, c, 0, STATUS_BYTES, this.kWritten, c);
      return;
    }
    this.keys.inflight[c] = 0;
    v.writingStatus = false;
    const requeueMs = v.requeueMs;
    if (!this.keys.syncFailed[c] && Number.isFinite(requeueMs))
      this.requeueAfter(c, Math.max(0, requeueMs) * NS_PER.ms);
    this.endSync(c);
  }

  private onWritten(c: number, req: number): void {
    const requests = this.api.requests;
    const ok = requests.status[req]! < 300;
    const v = this.views[c]!;
    if (v.writingStatus) {
      // The status write: on success the CronJob holds what this sync decided.
      if (ok) {
        const cj = this.store.cronJobs[c]!;
        cj.active = v.nextActive.slice();
        cj.lastScheduleMs = v.nextLastMs;
        cj.lastSuccessfulMs = v.nextSuccessMs;
      } else this.keys.syncFailed[c] = 1;
      this.runOps(c);
      return;
    }
    if (ok && requests.verb[req] === Verb.create) {
      this.counts[c]!.jobsCreated++;
      this.created(c, requests.object[req]!);
    } else if (!ok) {
      // model: a failed call ends the sync with an error (AddRateLimited); the status is still written.
      this.keys.syncFailed[c] = 1;
      v.ops.length = 0;
    }
    this.runOps(c);
  }

  /** model: workqueue AddAfter: a key waiting already keeps the earlier of its two times. */
  private requeueAfter(c: number, delayNs: number): void {
    const at = this.engine.now + delayNs;
    const v = this.views[c]!;
    if (v.wakeNs <= at) return;
    if (v.wakeHandle !== undefined) this.engine.cancel(v.wakeHandle);
    v.wakeNs = at;
    v.wakeHandle = this.engine.schedule(delayNs, this.kWake, c);
  }
}
