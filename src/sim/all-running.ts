import type { DeploymentState } from "../cluster/workloads.js";
import type { Engine } from "../core/engine.js";

/** Work that must settle before "all Running" is judged: kubectl's steps, drains, node failures. */
export interface PendingWork {
  /** Work still in progress; 0 when settled. */
  readonly pending: number;
}

/** The DaemonSets' part of the condition: the pods they want now, and whether each is done. */
export interface DaemonSetWork {
  /**
   * Pods the DaemonSets keep now: one per node that should run each (desiredNumberScheduled),
   * plus those left on nodes that may keep but not get one, summed.
   */
  readonly wantedPods: number;
  /** Every DaemonSet is done: created, each wanted pod Running and updated, no other pod live. */
  readonly settled: boolean;
}

/**
 * The `allRunning` stop condition, in one place: the run ends when every Deployment has
 * exactly its desired number of live pods, all Running and all from its current template (a
 * finished rollout), `expectedPods` in total, and every Job has finished (Complete or Failed:
 * its pods end Succeeded or are deleted, so they are no longer live), and every DaemonSet is
 * done (one Running, updated pod per node that should run it; those pods count in the total). A
 * CronJob never finishes: it and the Jobs it creates are left out, so the run stops once the
 * rest holds, whatever its Jobs are doing (`stop: { when: timeLimit }` runs a window of its
 * schedule instead).
 *
 * It is fed by the others: the object store reports each pod's live / Running changes per
 * template ({@link count}) and asks for a judgement after each committed pod or Deployment
 * change ({@link check}); the work that must settle first (kubectl's steps and writes, drains,
 * the node lifecycle controller's evictions) registers itself ({@link awaitSettled}) and reports
 * when it may have settled ({@link settled}). Until everything has settled once, the condition is
 * not judged: before then a failed node's pods still count as Running in the API. Once armed it
 * stays armed; the first instant it holds is {@link atNs}, and the engine stops there.
 */
export class AllRunningCondition {
  /** When the condition first held (NaN until then). */
  atNs = NaN;
  private readonly engine: Engine;
  private readonly expectedPods: number;
  private readonly enabled: boolean;
  private readonly deployments: readonly DeploymentState[];
  private readonly sources: PendingWork[] = [];
  private armed = false;
  /** Jobs of the workload whose terminal condition is not committed yet. */
  private unfinishedJobs = 0;
  /** The DaemonSet controller, when the workload has DaemonSets. */
  private daemonSets: DaemonSetWork | undefined;
  /** Per template: live pods (created, not terminating, not terminal) and those of them Running. */
  private readonly liveByTemplate: number[] = [];
  private readonly runningByTemplate: number[] = [];
  /** Live pods of every template: the sum of liveByTemplate (perf: the check runs at each committed pod change). */
  private live = 0;
  /** The CronJobs among `deployments[0, scanned)`, whose pods the total leaves out. */
  private readonly cronJobs: DeploymentState[] = [];
  private scanned = 0;
  /**
   * perf: the workload that did not hold when last looked at; a check starts there and goes
   * round to the others only while they hold, so a run of many Deployments that come up in
   * order costs O(1) a check, not O(Deployments).
   */
  private firstUnmet = 0;

  /**
   * `deployments` is the object store's list (desired replicas and current template of each);
   * `enabled` is false when the scenario stops on its time limit only.
   */
  constructor(engine: Engine, expectedPods: number, enabled: boolean, deployments: readonly DeploymentState[]) {
    this.engine = engine;
    this.expectedPods = expectedPods;
    this.enabled = enabled;
    this.deployments = deployments;
  }

  /** Registers work that must be settled before the condition is judged (called by its owner's constructor). */
  awaitSettled(work: PendingWork): void {
    this.sources.push(work);
  }

  /** The workload holds `n` more Jobs (declared at initialize): the condition waits for each to finish. */
  expectJobs(n: number): void {
    this.unfinishedJobs += n;
  }

  /** The workload holds DaemonSets: their pods count besides `expectedPods`, and each must be done. */
  expectDaemonSets(work: DaemonSetWork): void {
    this.daemonSets = work;
  }

  /** A Job's Complete or Failed condition was committed. */
  jobFinished(): void {
    this.unfinishedJobs--;
  }

  /** Template `t` is in use (a pod or a Deployment update refers to it): it is counted from now on. */
  track(t: number): void {
    while (this.liveByTemplate.length <= t) {
      this.liveByTemplate.push(0);
      this.runningByTemplate.push(0);
    }
  }

  /** A pod of tracked template `t` changed: `dLive` and `dRunning` are each -1, 0 or +1. */
  count(t: number, dLive: number, dRunning: number): void {
    this.liveByTemplate[t]! += dLive;
    this.runningByTemplate[t]! += dRunning;
    this.live += dLive;
  }

  /** Some pending work may have settled: arms the condition, and judges it, once all of it has. */
  settled(): void {
    if (this.armed || !this.enabled) return;
    for (let i = 0; i < this.sources.length; i++) if (this.sources[i]!.pending !== 0) return;
    this.armed = true;
    this.check();
  }

  /** Judges the condition now, if armed; stops the engine the first time it holds. */
  check(): void {
    if (!this.armed || !Number.isNaN(this.atNs) || this.unfinishedJobs > 0) return;
    const ds = this.daemonSets;
    if (ds !== undefined && !ds.settled) return;
    const all = this.deployments;
    for (; this.scanned < all.length; this.scanned++) {
      const d = all[this.scanned]!;
      if (d.spec.kind === "CronJob") this.cronJobs.push(d);
    }
    let live = this.live;
    // A CronJob never finishes: its Jobs' pods (of its template) neither hold the run open nor count.
    for (const d of this.cronJobs)
      if (d.template < this.liveByTemplate.length) live -= this.liveByTemplate[d.template]!;
    if (live !== this.expectedPods + (ds?.wantedPods ?? 0)) return;
    // One round over the workloads, from the first that did not hold last time.
    let running = 0;
    for (let k = 0; k < all.length; k++) {
      const i = (this.firstUnmet + k) % all.length;
      const n = this.podsOf(all[i]!);
      if (n < 0) {
        this.firstUnmet = i;
        return;
      }
      running += n;
    }
    if (running !== this.expectedPods) return;
    this.atNs = this.engine.now;
    this.engine.stop();
  }

  /**
   * The Running pods workload `d` counts towards `expectedPods` when it holds (its desired
   * replicas, all Running and live, of its current template), -1 when it does not. Jobs,
   * CronJobs and DaemonSets count 0: they are judged by their conditions and the live total.
   */
  private podsOf(d: DeploymentState): number {
    if (d.spec.kind === "Job" || d.spec.kind === "CronJob" || d.spec.kind === "DaemonSet") return 0;
    const t = d.template;
    if (t >= this.runningByTemplate.length) return -1;
    const held = d.heldBack;
    if (held !== undefined && held.template !== t) {
      // A StatefulSet's update leaves some pods on the older template: both count.
      const h = held.template;
      if (
        this.runningByTemplate[t]! + this.runningByTemplate[h]! !== d.replicas ||
        this.liveByTemplate[t]! + this.liveByTemplate[h]! !== d.replicas ||
        this.liveByTemplate[t]! < d.replicas - held.count
      )
        return -1;
    } else if (this.runningByTemplate[t] !== d.replicas || this.liveByTemplate[t] !== d.replicas) return -1;
    return d.replicas;
  }
}
