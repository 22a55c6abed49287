import type { DeploymentState } from "../cluster/workloads.js";
import type { Engine } from "../core/engine.js";

/** Work that must settle before "all Running" is judged: kubectl's steps, drains, node failures. */
export interface PendingWork {
  /** Work still in progress; 0 when settled. */
  readonly pending: number;
}

/**
 * The `allRunning` stop condition, in one place: the run ends when every Deployment has
 * exactly its desired number of live pods, all Running and all from its current template (a
 * finished rollout), `expectedPods` in total, and every Job has finished (Complete or Failed:
 * its pods end Succeeded or are deleted, so they are no longer live).
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
  /** Per template: live pods (created, not terminating, not terminal) and those of them Running. */
  private readonly liveByTemplate: number[] = [];
  private readonly runningByTemplate: number[] = [];

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
    let live = 0;
    for (let t = 0; t < this.liveByTemplate.length; t++) live += this.liveByTemplate[t]!;
    if (live !== this.expectedPods) return;
    let running = 0;
    for (const d of this.deployments) {
      // A Job's pods are judged by its condition (above) and the live total: none may remain.
      if (d.spec.kind === "Job") continue;
      const t = d.template;
      if (t >= this.runningByTemplate.length) return;
      const held = d.heldBack;
      if (held !== undefined && held.template !== t) {
        // A StatefulSet's update leaves some pods on the older template: both count.
        const h = held.template;
        if (
          this.runningByTemplate[t]! + this.runningByTemplate[h]! !== d.replicas ||
          this.liveByTemplate[t]! + this.liveByTemplate[h]! !== d.replicas ||
          this.liveByTemplate[t]! < d.replicas - held.count
        )
          return;
      } else if (this.runningByTemplate[t] !== d.replicas || this.liveByTemplate[t] !== d.replicas) return;
      running += d.replicas;
    }
    if (running !== this.expectedPods) return;
    this.atNs = this.engine.now;
    this.engine.stop();
  }
}
