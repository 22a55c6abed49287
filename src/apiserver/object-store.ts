import type { NodeTable } from "../cluster/node-table.js";
import { PodPhase, PodStage, type PodTable } from "../cluster/pod-table.js";
import type { DeploymentState, DeploymentUpdate, ReplicaSetState } from "../cluster/workloads.js";
import { SimulationError } from "../core/errors.js";
import { columnTable } from "../core/column-table.js";
import type { Engine } from "../core/engine.js";
import { Resource, type RequestTable, Verb } from "./request-table.js";
import { WatchEvent, WatchResource, type WatchCache } from "./watch-cache.js";

const LIVE = 1;
const RUNNING = 2;

/** Operand of a pod delete: a graceful delete sets deletionTimestamp; a final one removes the object. */
export const PodDelete = { graceful: 0, final: 1 } as const;

/** Per pod: LIVE (counted in liveByTemplate) and RUNNING (counted in runningByTemplate). */
const PodFlags = columnTable({ flags: { type: "Uint8", unset: 0 } });

/**
 * The objects behind the API (what etcd holds) and the effect of each committed request on
 * them. A committed write changes the object, then is published to the watch cache.
 *
 * It also keeps the counts that decide the `allRunning` stop condition: once the workload's
 * last step is committed, the run ends when every Deployment has exactly its desired number of
 * live pods, all Running and all from its current template (a finished rollout).
 */
export class ObjectStore {
  readonly deployments: DeploymentState[] = [];
  readonly deploymentUpdates: DeploymentUpdate[] = [];
  readonly replicaSets: ReplicaSetState[] = [];
  readonly pods: PodTable;
  readonly nodes: NodeTable;
  private readonly engine: Engine;
  private readonly watch: WatchCache;
  /** Pods whose Running status has been committed, ever. */
  runningPods = 0;
  /** Per template: live pods (created, not terminating) and those of them Running. */
  private liveByTemplate: number[] = [];
  private runningByTemplate: number[] = [];
  private readonly podFlags = new PodFlags(1024);
  private stopTarget = -1;
  /** When the stop condition first held (NaN until then). */
  allRunningAtNs = NaN;

  constructor(engine: Engine, pods: PodTable, nodes: NodeTable, watch: WatchCache) {
    this.engine = engine;
    this.pods = pods;
    this.nodes = nodes;
    this.watch = watch;
  }

  /**
   * Arms the `allRunning` stop condition for `desired` pods in total; call it when the last
   * workload step has been committed. Stops the engine at once if it already holds.
   */
  armStop(desired: number): void {
    this.stopTarget = desired;
    this.checkStop();
  }

  /** Applies committed request `req` at the current time and publishes the change. */
  apply(requests: RequestTable, req: number): void {
    const obj = requests.object[req]!;
    const verb = requests.verb[req]!;
    const operand = requests.operand[req]!;
    switch (requests.resource[req]) {
      case Resource.deployments:
        if (verb === Verb.create) {
          this.deployments[obj]!.exists = true;
          this.watch.publish(WatchResource.deployments, obj, WatchEvent.ADDED);
        } else {
          const u = this.deploymentUpdates[operand]!;
          const d = this.deployments[u.deployment]!;
          d.template = u.template;
          d.replicas = u.replicas;
          this.ensureTemplate(u.template);
          this.watch.publish(WatchResource.deployments, u.deployment, WatchEvent.MODIFIED);
          this.checkStop();
        }
        return;
      case Resource.deploymentsStatus:
        this.deployments[obj]!.statusAvailable = operand;
        this.watch.publish(WatchResource.deployments, obj, WatchEvent.MODIFIED);
        return;
      case Resource.replicasets:
        if (verb === Verb.create) {
          this.replicaSets[obj]!.exists = true;
          this.watch.publish(WatchResource.replicasets, obj, WatchEvent.ADDED);
        } else {
          this.replicaSets[obj]!.replicas = operand;
          this.watch.publish(WatchResource.replicasets, obj, WatchEvent.MODIFIED);
        }
        return;
      case Resource.replicasetsStatus:
        this.replicaSets[obj]!.statusAvailable = operand;
        this.watch.publish(WatchResource.replicasets, obj, WatchEvent.MODIFIED);
        return;
      case Resource.pods:
        if (verb === Verb.create) {
          this.pods.mark(obj, PodStage.created, this.engine.now);
          this.ensureTemplate(this.pods.template[obj]!);
          this.setFlags(obj, LIVE);
          this.watch.publish(WatchResource.pods, obj, WatchEvent.ADDED);
        } else if (verb === Verb.delete) {
          this.deletePod(obj, operand);
        } else break;
        return;
      case Resource.podsBinding: {
        if (this.pods.node[obj] !== -1)
          throw new SimulationError("apiserver", this.engine.now, `pod ${obj} is already bound`);
        this.pods.node[obj] = operand;
        this.pods.mark(obj, PodStage.bound, this.engine.now);
        this.watch.publish(WatchResource.pods, obj, WatchEvent.MODIFIED);
        return;
      }
      case Resource.podsStatus: {
        const phase = operand as PodPhase;
        this.pods.phase[obj] = phase;
        if (phase === PodPhase.Running && Number.isNaN(this.pods.time(obj, PodStage.running))) {
          this.pods.mark(obj, PodStage.running, this.engine.now);
          this.runningPods++;
          if (this.flags(obj) & LIVE) this.setFlags(obj, LIVE | RUNNING);
        } else if (phase === PodPhase.Failed || phase === PodPhase.Succeeded) {
          // model: a pod in a terminal phase is no longer active (controller_utils.go IsPodActive).
          this.setFlags(obj, 0);
        }
        this.checkStop();
        this.watch.publish(WatchResource.pods, obj, WatchEvent.MODIFIED);
        return;
      }
    }
    throw new SimulationError("apiserver", this.engine.now, `no store semantics for request ${req}`);
  }

  /**
   * model: registry/core/pod/strategy.go CheckGracefulDelete: a pod not bound to a node is
   * deleted at once; a bound pod gets a deletionTimestamp and stays until its kubelet, having
   * stopped the containers, deletes it with grace period 0.
   */
  private deletePod(pod: number, mode: number): void {
    const pods = this.pods;
    if (!Number.isNaN(pods.deletedNs[pod])) return; // already gone
    const wasLive = !pods.isTerminating(pod);
    this.setFlags(pod, 0);
    if (mode === PodDelete.graceful && pods.node[pod]! >= 0) {
      if (wasLive) {
        pods.deletionNs[pod] = this.engine.now;
        this.watch.publish(WatchResource.pods, pod, WatchEvent.MODIFIED);
      }
    } else {
      if (Number.isNaN(pods.deletionNs[pod])) pods.deletionNs[pod] = this.engine.now;
      pods.deletedNs[pod] = this.engine.now;
      this.watch.publish(WatchResource.pods, pod, WatchEvent.DELETED);
    }
    this.checkStop();
  }

  private flags(pod: number): number {
    return pod < this.podFlags.capacity ? this.podFlags.flags[pod]! : 0;
  }

  /** Sets a pod's LIVE/RUNNING flags and keeps the per-template counts in step. */
  private setFlags(pod: number, flags: number): void {
    this.podFlags.ensureRow(pod);
    const was = this.podFlags.flags[pod]!;
    if (was === flags) return;
    this.podFlags.flags[pod] = flags;
    const t = this.pods.template[pod]!;
    this.liveByTemplate[t]! += (flags & LIVE) - (was & LIVE);
    this.runningByTemplate[t]! += ((flags & RUNNING) - (was & RUNNING)) / RUNNING;
  }

  private ensureTemplate(t: number): number {
    while (this.liveByTemplate.length <= t) {
      this.liveByTemplate.push(0);
      this.runningByTemplate.push(0);
    }
    return t;
  }

  private checkStop(): void {
    if (this.stopTarget < 0 || !Number.isNaN(this.allRunningAtNs)) return;
    let live = 0;
    for (let t = 0; t < this.liveByTemplate.length; t++) live += this.liveByTemplate[t]!;
    if (live !== this.stopTarget) return;
    let running = 0;
    for (const d of this.deployments) {
      const t = d.template;
      if (
        t >= this.runningByTemplate.length ||
        this.runningByTemplate[t] !== d.replicas ||
        this.liveByTemplate[t] !== d.replicas
      )
        return;
      running += d.replicas;
    }
    if (running !== this.stopTarget) return;
    this.allRunningAtNs = this.engine.now;
    this.engine.stop();
  }
}
