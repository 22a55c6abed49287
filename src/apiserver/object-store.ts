import type { NodeTable } from "../cluster/node-table.js";
import { PodPhase, PodReason, PodStage, type PodTable } from "../cluster/pod-table.js";
import type { DaemonSetState } from "../cluster/daemon-sets.js";
import type { DisruptionBudgets } from "../cluster/disruption-budgets.js";
import type { PodGates } from "../cluster/pod-gates.js";
import {
  type CronJobState,
  type DeploymentState,
  type DeploymentUpdate,
  JobCondition,
  type JobState,
  type ReplicaSetState,
  type StatefulSetState,
} from "../cluster/workloads.js";
import { SimulationError } from "../core/errors.js";
import { columnTable } from "../core/column-table.js";
import type { Engine } from "../core/engine.js";
import type { AllRunningCondition } from "../sim/all-running.js";
import { Resource, type RequestTable, Verb } from "./request-table.js";
import type { ResourceQuotas } from "./resource-quotas.js";
import { WatchEvent, WatchResource, type WatchCache } from "./watch-cache.js";

const LIVE = 1;
const RUNNING = 2;

/** What learns of committed PersistentVolumeClaims (the volume provisioner). */
export interface ClaimObserver {
  /** Claim `claim` was created now. */
  claimCreated(claim: number): void;
}

/** Operand of a pod delete: a graceful delete sets deletionTimestamp; a final one removes the object. */
export const PodDelete = { graceful: 0, final: 1 } as const;

/**
 * Operands of a pods/status patch that leaves the phase alone (phases are 0..3): the scheduler's
 * DisruptionTarget condition on a preemption victim (reason PreemptionByScheduler), clearing
 * status.nominatedNodeName, and setting it to node n as `nominatedBase - n`.
 * model: preemption.go PreemptPod (PatchPodStatus with the condition), clearNominatedNodeName,
 * and schedule_one.go updatePod (the preemptor's nominatedNodeName).
 */
export const PodStatusPatch = { preemptedCondition: -1, clearNominated: -2, nominatedBase: -3 } as const;

/** The watch event of a committed create or update: ADDED for a create, MODIFIED otherwise. */
function writeEvent(verb: number): WatchEvent {
  return verb === Verb.create ? WatchEvent.ADDED : WatchEvent.MODIFIED;
}

/** Per pod: LIVE (counted in liveByTemplate) and RUNNING (counted in runningByTemplate). */
const PodFlags = columnTable({ flags: "Uint8" });

/**
 * The objects behind the API (what etcd holds) and the effect of each committed request on
 * them. A committed write changes the object, then is published to the watch cache.
 *
 * It feeds the `allRunning` stop condition: each pod's live / Running changes, and a judgement
 * after each committed pod or Deployment change.
 */
export class ObjectStore {
  readonly deployments: DeploymentState[];
  readonly deploymentUpdates: DeploymentUpdate[] = [];
  readonly replicaSets: ReplicaSetState[] = [];
  readonly jobs: JobState[] = [];
  readonly statefulSets: StatefulSetState[] = [];
  /** Told of each committed PersistentVolumeClaim create (undefined when the run has no StatefulSet). */
  claims: ClaimObserver | undefined;
  readonly cronJobs: CronJobState[] = [];
  readonly daemonSets: DaemonSetState[] = [];
  readonly pods: PodTable;
  readonly nodes: NodeTable;
  private readonly engine: Engine;
  private readonly watch: WatchCache;
  private readonly allRunning: AllRunningCondition;
  /** The ResourceQuotas a pod's end releases (undefined without any). */
  private readonly quotas: ResourceQuotas | undefined;
  /**
   * Pods Running now: the Running status committed, and not since deleted (deletionTimestamp or
   * removal) nor Failed or Succeeded.
   */
  runningPods = 0;
  /** The PodDisruptionBudgets (undefined when the run has none). */
  budgets: DisruptionBudgets | undefined;
  /** The pods' scheduling gates (undefined when no template has any). */
  gates: PodGates | undefined;
  /** Budget status writes refused as conflicts (the budget changed since the controller read it). */
  budgetConflicts = 0;
  /** Per pod: LIVE (counted live by the stop condition) and RUNNING (counted Running by it). */
  private readonly podFlags = new PodFlags(1024);

  /** `deployments` is the run's Deployment list, shared with the stop condition that judges against it. */
  constructor(
    engine: Engine,
    pods: PodTable,
    nodes: NodeTable,
    watch: WatchCache,
    deployments: DeploymentState[],
    allRunning: AllRunningCondition,
    quotas: ResourceQuotas | undefined,
  ) {
    this.engine = engine;
    this.quotas = quotas;
    this.pods = pods;
    this.nodes = nodes;
    this.watch = watch;
    this.deployments = deployments;
    this.allRunning = allRunning;
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
          if (u.paused !== undefined) d.paused = u.paused;
          this.allRunning.track(u.template);
          this.watch.publish(WatchResource.deployments, u.deployment, WatchEvent.MODIFIED);
          this.allRunning.check();
        }
        return;
      case Resource.deploymentsScale:
        // The scale subresource (kubectl scale, the HPA): spec.replicas only; a GET writes nothing.
        if (verb === Verb.get) return;
        this.deployments[obj]!.replicas = operand;
        this.watch.publish(WatchResource.deployments, obj, WatchEvent.MODIFIED);
        this.allRunning.check();
        return;
      case Resource.deploymentsStatus:
        this.deployments[obj]!.statusAvailable = operand;
        this.watch.publish(WatchResource.deployments, obj, WatchEvent.MODIFIED);
        return;
      case Resource.replicasets:
        if (verb === Verb.create) this.replicaSets[obj]!.exists = true;
        else this.replicaSets[obj]!.replicas = operand;
        this.watch.publish(WatchResource.replicasets, obj, writeEvent(verb));
        return;
      case Resource.replicasetsStatus:
        this.replicaSets[obj]!.statusAvailable = operand;
        this.watch.publish(WatchResource.replicasets, obj, WatchEvent.MODIFIED);
        return;
      case Resource.jobs: {
        const job = this.jobs[obj]!;
        if (verb === Verb.delete) {
          // model: a delete with propagationPolicy Background removes the Job at once; the
          // garbage collector deletes its pods afterwards (garbage-collector.ts).
          if (!job.exists) return;
          job.exists = false;
          job.deletedNs = this.engine.now;
          this.watch.publish(WatchResource.jobs, obj, WatchEvent.DELETED);
          this.allRunning.check();
          return;
        }
        job.exists = true;
        this.watch.publish(WatchResource.jobs, obj, WatchEvent.ADDED);
        return;
      }
      case Resource.jobsStatus: {
        // The operand is the Job's condition (a JobCondition): none, or the terminal one it reached.
        const job = this.jobs[obj]!;
        if (!job.exists) return; // model: a status write to a deleted Job is NotFound
        if (operand !== JobCondition.none && job.condition === JobCondition.none) {
          job.condition = operand as JobCondition;
          job.finishedNs = this.engine.now;
          // A CronJob's Jobs are not the workload's to wait for (all-running.ts).
          if (this.deployments[job.owner]!.spec.kind !== "CronJob") this.allRunning.jobFinished();
        }
        this.watch.publish(WatchResource.jobs, obj, WatchEvent.MODIFIED);
        this.allRunning.check();
        return;
      }
      case Resource.statefulsets:
        if (verb === Verb.create) {
          this.statefulSets[obj]!.exists = true;
          this.watch.publish(WatchResource.statefulsets, obj, WatchEvent.ADDED);
        } else {
          this.updateStatefulSet(obj, this.deploymentUpdates[operand]!);
          this.watch.publish(WatchResource.statefulsets, obj, WatchEvent.MODIFIED);
          this.allRunning.check();
        }
        return;
      case Resource.statefulsetsStatus:
        // The controller keeps the counts it wrote on the object (statusReady, statusAvailable).
        this.watch.publish(WatchResource.statefulsets, obj, WatchEvent.MODIFIED);
        return;
      case Resource.persistentvolumeclaims:
        this.claims!.claimCreated(obj);
        return;
      case Resource.cronjobs:
        this.cronJobs[obj]!.exists = true;
        this.cronJobs[obj]!.createdNs = this.engine.now;
        this.watch.publish(WatchResource.cronjobs, obj, WatchEvent.ADDED);
        return;
      case Resource.cronjobsStatus:
        // The CronJob controller keeps the status it wrote (cronjob-controller.ts); watchers see the change.
        this.watch.publish(WatchResource.cronjobs, obj, WatchEvent.MODIFIED);
        return;
      case Resource.daemonsets: {
        // An update's operand is the revision its new spec.template is (the daemon pods' template changed).
        const ds = this.daemonSets[obj]!;
        if (verb === Verb.create) ds.exists = true;
        else {
          ds.revision = operand;
          ds.settled = false;
        }
        this.watch.publish(WatchResource.daemonsets, obj, writeEvent(verb));
        return;
      }
      case Resource.daemonsetsStatus:
        this.watch.publish(WatchResource.daemonsets, obj, WatchEvent.MODIFIED);
        return;
      case Resource.pods:
        if (verb === Verb.create) {
          this.pods.mark(obj, PodStage.created, this.engine.now);
          this.allRunning.track(this.pods.template[obj]!);
          this.setFlags(obj, LIVE);
          this.watch.publish(WatchResource.pods, obj, WatchEvent.ADDED);
        } else if (verb === Verb.delete) {
          this.deletePod(obj, operand);
        } else if (verb === Verb.patch && this.gates !== undefined) {
          // model: a patch of spec.schedulingGates: the operand is the mask of the gates it removes.
          this.gates.remove(obj, operand, this.engine.now);
          this.watch.publish(WatchResource.pods, obj, WatchEvent.MODIFIED);
        } else break;
        return;
      case Resource.podsBinding: {
        // model: a binding for a pod deleted meanwhile (e.g. a preemption victim that was only
        // assumed) finds no pod: nothing is bound. (approximation) the answer stays 201.
        if (!Number.isNaN(this.pods.deletedNs[obj])) return;
        if (this.pods.node[obj] !== -1)
          throw new SimulationError("apiserver", this.engine.now, `pod ${obj} is already bound`);
        this.pods.node[obj] = operand;
        this.pods.mark(obj, PodStage.bound, this.engine.now);
        this.watch.publish(WatchResource.pods, obj, WatchEvent.MODIFIED);
        return;
      }
      case Resource.podsStatus: {
        if (operand < 0) {
          this.patchPodStatus(obj, operand);
          return;
        }
        const phase = operand as PodPhase;
        this.pods.phase[obj] = phase;
        if (phase === PodPhase.Running && Number.isNaN(this.pods.time(obj, PodStage.running))) {
          this.pods.mark(obj, PodStage.running, this.engine.now);
          if (this.flags(obj) & LIVE) this.setFlags(obj, LIVE | RUNNING);
        } else if (phase === PodPhase.Failed || phase === PodPhase.Succeeded) {
          // model: a pod in a terminal phase is no longer active (controller_utils.go IsPodActive),
          // nor charged to quota (pods.go QuotaV1Pod).
          this.setFlags(obj, 0);
          this.quotas?.podFinished(obj);
        }
        this.allRunning.check();
        this.watch.publish(WatchResource.pods, obj, WatchEvent.MODIFIED);
        return;
      }
      case Resource.podsEviction:
        // model: an admitted eviction is the pod's graceful delete (eviction.go deletes with the
        // Eviction's DeleteOptions).
        // model: the API server adds the DisruptionTarget condition, reason EvictionByEvictionAPI.
        if (!this.pods.isTerminating(obj)) this.pods.reason[obj] = PodReason.EvictionByEvictionAPI;
        this.deletePod(obj, PodDelete.graceful);
        return;
      case Resource.poddisruptionbudgetsStatus: {
        // model: the controller's UpdateStatus carries the resourceVersion it read; an eviction
        // in between makes it a 409 Conflict (the controller requeues and recomputes).
        const b = this.budgets!.budgets[obj]!;
        if (b.readVersion !== b.version) {
          this.budgetConflicts++;
          b.readVersion = -1;
          return;
        }
        b.disruptionsAllowed = operand;
        b.version++;
        return;
      }
      // model: Leases, Node status and Events are background writes (src/background): etcd and
      // the request path carry them, but no modelled component's decisions read their objects,
      // so the store keeps none and the watch cache does not fan them out (the node lifecycle
      // controller learns of a renewal from its writer, at commit).
      // model: the HorizontalPodAutoscaler controller keeps its objects itself (it is their only
      // reader here); the writes cost their API and etcd path.
      case Resource.horizontalpodautoscalers:
      case Resource.horizontalpodautoscalersStatus:
      case Resource.leases:
      case Resource.nodes:
      case Resource.nodesStatus:
      case Resource.events:
        return;
    }
    throw new SimulationError("apiserver", this.engine.now, `no store semantics for request ${req}`);
  }

  /** A pods/status patch that keeps the phase (see {@link PodStatusPatch}); none reaches a pod already gone. */
  private patchPodStatus(pod: number, operand: number): void {
    const pods = this.pods;
    if (!Number.isNaN(pods.deletedNs[pod])) return;
    if (operand === PodStatusPatch.preemptedCondition) pods.reason[pod] = PodReason.PreemptionByScheduler;
    else
      pods.nominatedNode[pod] = operand === PodStatusPatch.clearNominated ? -1 : PodStatusPatch.nominatedBase - operand;
    this.watch.publish(WatchResource.pods, pod, WatchEvent.MODIFIED);
  }

  /**
   * A committed change of StatefulSet `s` (kubectl's update `u`): its template and replicas, and
   * which pods the update leaves on the older template (model: stateful_set_control.go: with
   * RollingUpdate the ordinals below the partition keep status.currentRevision; with OnDelete no
   * pod is replaced by the controller).
   */
  private updateStatefulSet(s: number, u: DeploymentUpdate): void {
    const sts = this.statefulSets[s]!;
    const d = this.deployments[u.deployment]!;
    const partition = sts.spec.updateStrategy === "OnDelete" ? u.replicas : Math.min(sts.spec.partition, u.replicas);
    if (u.template !== d.template || d.heldBack !== undefined) {
      if (partition > 0) {
        d.heldBack = { template: sts.currentTemplate, count: partition };
        this.allRunning.track(sts.currentTemplate);
      } else delete d.heldBack;
    }
    d.template = u.template;
    d.replicas = u.replicas;
    this.allRunning.track(u.template);
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
      this.quotas?.podRemoved(pod);
      this.watch.publish(WatchResource.pods, pod, WatchEvent.DELETED);
    }
    this.allRunning.check();
  }

  private flags(pod: number): number {
    return pod < this.podFlags.capacity ? this.podFlags.flags[pod]! : 0;
  }

  /** Sets a pod's LIVE/RUNNING flags and reports the change to the stop condition's per-template counts. */
  private setFlags(pod: number, flags: number): void {
    this.podFlags.ensureRow(pod);
    const was = this.podFlags.flags[pod]!;
    if (was === flags) return;
    this.podFlags.flags[pod] = flags;
    const dRunning = ((flags & RUNNING) - (was & RUNNING)) / RUNNING;
    this.runningPods += dRunning;
    this.allRunning.count(this.pods.template[pod]!, (flags & LIVE) - (was & LIVE), dRunning);
  }
}
