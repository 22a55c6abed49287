import type { EventKind } from "../core/engine.js";
import { Resource, STATUS_BYTES, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType } from "../apiserver/watch-cache.js";
import { type DeploymentState, newReplicaSet, type ReplicaSetState } from "../cluster/workloads.js";
import { maxScaledDown, newReplicaSetReplicas, resolveFenceposts } from "./rollout.js";
import { RolloutProgress } from "./rollout-progress.js";
import { type ControllerDeps, SyncController } from "./sync-controller.js";

const REPLICASET_BYTES = 3_000;

/**
 * The deployment controller (pkg/controller/deployment) with the RollingUpdate and Recreate
 * strategies.
 *
 * A sync makes sure a ReplicaSet stamps the Deployment's current template (creating it when
 * the template changed), then rolls: it scales the new ReplicaSet up while all ReplicaSets
 * together stay within replicas + maxSurge, and scales old ones down while at least
 * replicas - maxUnavailable pods stay available. It is driven by its informers: every
 * ReplicaSet status change brings the next step. Writes go through the controller-manager's
 * shared client; a sync holds its worker until its writes are answered.
 */
export class DeploymentController extends SyncController {
  private readonly kWritten: EventKind;
  /** Per ReplicaSet: its pods that still exist (created, not yet removed from etcd); kept only with Recreate. */
  private readonly livePods: number[] = [];
  /** Each Deployment's Progressing condition. */
  readonly progress = new RolloutProgress();

  /**
   * `recreate`: some Deployment uses the Recreate strategy, which waits for the old pods to be
   * gone; the controller then watches pods too.
   */
  constructor(deps: ControllerDeps, client: number, recreate = false) {
    super(deps, client, "deployment", deps.spec.concurrentDeploymentSyncs);
    const { engine } = deps;
    this.kWritten = engine.register("deployment.written", (d, req) => {
      if (this.api.requests.status[req]! >= 300) this.keys.syncFailed[d] = 1;
      if (--this.keys.inflight[d]! === 0) this.endSync(d);
    });
    this.inform(WatchResource.deployments, "deployment", (arg) => this.queue.add(watchObject(arg)));
    this.inform(WatchResource.replicasets, "rs", (arg) => {
      // model: a ReplicaSet whose controller is no Deployment is not this controller's
      // (deployment_controller.go addReplicaSet resolves the controllerRef first).
      const d = this.store.replicaSets[watchObject(arg)]!.deployment;
      if (this.store.deployments[d]!.ownerKind === undefined) this.queue.add(d);
    });
    // model: deployment_controller.go deletePod: when the last pod of a Recreate Deployment is
    // deleted, the Deployment is queued so the new ReplicaSet can be created. Upstream the pod
    // informer is the controller manager's shared one; (approximation) here it is a watcher of
    // its own, registered only when a Recreate Deployment needs it, so other runs are unchanged.
    if (recreate) this.inform(WatchResource.pods, "pod", (arg) => this.onPodEvent(arg));
  }

  private onPodEvent(arg: number): void {
    const pod = watchObject(arg);
    const type = watchType(arg);
    const rs = this.store.pods.owner[pod]!;
    while (this.livePods.length <= rs) this.livePods.push(0);
    if (type === WatchEvent.ADDED) this.livePods[rs]!++;
    else if (type === WatchEvent.DELETED) {
      const dep = this.store.replicaSets[rs]!.deployment;
      if (--this.livePods[rs]! === 0 && this.store.deployments[dep]!.spec.strategy === "Recreate") this.queue.add(dep);
    }
  }

  protected syncBody(d: number): void {
    this.ensureKey(d);
    this.keys.syncFailed[d] = 0;
    const dep = this.store.deployments[d]!;
    const rsList = this.store.replicaSets;
    let newRs: ReplicaSetState | undefined;
    let all = 0;
    for (const i of dep.replicaSets) {
      const rs = rsList[i]!;
      all += rs.replicas;
      if (rs.template === dep.template) newRs = rs;
    }
    this.progress.observe(dep, newRs, this.engine.now, rsList);
    // model: sync.go syncDeployment: a paused Deployment only scales (dc.sync): no new
    // ReplicaSet, no rollout, whatever its strategy.
    if (dep.paused ?? dep.spec.paused === true) {
      this.syncPaused(dep, newRs);
      return;
    }
    if (dep.spec.strategy === "Recreate") {
      this.syncRecreate(dep, newRs);
      return;
    }
    const { surge, unavailable } = resolveFenceposts(dep.spec.maxSurge, dep.spec.maxUnavailable, dep.replicas);
    if (newRs === undefined) {
      this.createReplicaSet(dep, newReplicaSetReplicas(dep.replicas, surge, all, 0));
      return;
    }
    if (!newRs.exists) {
      this.endSync(d);
      return;
    }
    // model: rolling.go rolloutRolling: scale the new ReplicaSet up first; when it scaled, that
    // is this sync's step.
    const target =
      newRs.replicas > dep.replicas ? dep.replicas : newReplicaSetReplicas(dep.replicas, surge, all, newRs.replicas);
    if (target !== newRs.replicas) {
      this.scale(d, newRs, target);
      return;
    }
    this.scaleDownOld(dep, newRs, all, unavailable);
    if (this.keys.inflight[d] === 0) this.writeStatus(dep);
  }

  /**
   * model: recreate.go rolloutRecreate: scale every old ReplicaSet to 0; wait until no old pod
   * exists any more (oldPodsRunning: status.replicas of the old ReplicaSets, then their pods in
   * the pod lister, terminating ones included); only then create the new ReplicaSet with all
   * the replicas (NewRSNewReplicas returns spec.replicas for Recreate) or scale it to them.
   */
  private syncRecreate(dep: DeploymentState, newRs: ReplicaSetState | undefined): void {
    const d = dep.idx;
    let oldLeft = false;
    for (const i of dep.replicaSets) {
      const rs = this.store.replicaSets[i]!;
      if (rs === newRs) continue;
      if (rs.replicas > 0) this.scale(d, rs, 0);
      if (rs.replicas > 0 || (this.livePods[i] ?? 0) > 0) oldLeft = true;
    }
    if (this.keys.inflight[d]! > 0) return;
    if (oldLeft) {
      this.endSync(d);
      return;
    }
    if (newRs === undefined) {
      this.createReplicaSet(dep, dep.replicas);
      return;
    }
    if (!newRs.exists) {
      this.endSync(d);
      return;
    }
    if (newRs.replicas !== dep.replicas) {
      this.scale(d, newRs, dep.replicas);
      return;
    }
    this.writeStatus(dep);
  }

  /**
   * model: sync.go sync / scale for a paused Deployment: the ReplicaSets keep their templates;
   * with one active ReplicaSet (or none: the newest) it is scaled to spec.replicas. With several
   * (paused mid-rollout), (approximation) the whole difference goes to the largest, newest on a
   * tie, where upstream first spreads it in proportion to their sizes and gives that one the rest.
   */
  private syncPaused(dep: DeploymentState, newRs: ReplicaSetState | undefined): void {
    const sets = dep.replicaSets.map((i) => this.store.replicaSets[i]!).filter((rs) => rs.exists);
    const active = sets.filter((rs) => rs.replicas > 0);
    let target: ReplicaSetState | undefined;
    if (active.length === 0) target = newRs?.exists === true ? newRs : sets[sets.length - 1];
    else for (const rs of active) if (target === undefined || rs.replicas >= target.replicas) target = rs;
    let total = 0;
    for (const rs of active) total += rs.replicas;
    // model: with several active ReplicaSets a RollingUpdate may hold replicas + maxSurge (scale: allowedSize).
    const allowed =
      active.length > 1 && dep.spec.strategy !== "Recreate"
        ? dep.replicas + resolveFenceposts(dep.spec.maxSurge, dep.spec.maxUnavailable, dep.replicas).surge
        : dep.replicas;
    const want = target === undefined ? 0 : Math.max(0, target.replicas + allowed - total);
    if (target !== undefined && want !== target.replicas) {
      this.scale(dep.idx, target, want);
      return;
    }
    this.writeStatus(dep);
  }

  private createReplicaSet(dep: DeploymentState, replicas: number): void {
    const rs = this.store.replicaSets.length;
    dep.replicaSets.push(rs);
    // model: the ReplicaSet is named <deployment>-<pod-template-hash>; the hash is a stand-in.
    const name = `${dep.spec.name}-${templateHash(`${dep.spec.name}/${dep.template}`)}`;
    // model: the new ReplicaSet takes the Deployment's minReadySeconds (sync.go getNewReplicaSet).
    const minReady = dep.spec.minReadyNs;
    this.store.replicaSets.push({
      ...newReplicaSet(rs, name, dep.idx, dep.template, replicas),
      ...(minReady === undefined ? {} : { minReadyNs: minReady }),
    });
    this.progress.created(dep.idx, this.engine.now);
    this.keys.inflight[dep.idx] = 1;
    this.api.submit(
      this.client,
      Verb.create,
      Resource.replicasets,
      rs,
      replicas,
      REPLICASET_BYTES,
      this.kWritten,
      dep.idx,
    );
  }

  /**
   * model: rolling.go reconcileOldReplicaSets: first old pods that are not available
   * (cleanupUnhealthyReplicas), then available ones while enough stay available
   * (scaleDownOldReplicaSetsForRollingUpdate), oldest ReplicaSets first.
   */
  private scaleDownOld(dep: DeploymentState, newRs: ReplicaSetState, all: number, unavailable: number): void {
    let budget = maxScaledDown(dep.replicas, unavailable, all, newRs.replicas, newRs.statusAvailable);
    if (budget <= 0) return;
    const old = dep.replicaSets.map((i) => this.store.replicaSets[i]!).filter((rs) => rs !== newRs && rs.replicas > 0);
    const want = new Map<ReplicaSetState, number>();
    for (const rs of old) {
      const unhealthy = rs.replicas - rs.statusAvailable;
      const cut = Math.min(budget, Math.max(0, unhealthy));
      if (cut > 0) want.set(rs, rs.replicas - cut);
      budget -= cut;
      if (budget <= 0) break;
    }
    let available = 0;
    for (const i of dep.replicaSets) available += this.store.replicaSets[i]!.statusAvailable;
    const minAvailable = dep.replicas - Math.min(unavailable, dep.replicas);
    let total = available - minAvailable;
    for (const rs of old) {
      if (total <= 0) break;
      const current = want.get(rs) ?? rs.replicas;
      const cut = Math.min(current, total);
      if (cut > 0) want.set(rs, current - cut);
      total -= cut;
    }
    for (const [rs, replicas] of want) if (replicas !== rs.replicas) this.scale(dep.idx, rs, replicas);
  }

  private scale(d: number, rs: ReplicaSetState, replicas: number): void {
    this.keys.inflight[d]!++;
    this.api.submit(
      this.client,
      Verb.update,
      Resource.replicasets,
      rs.idx,
      replicas,
      REPLICASET_BYTES,
      this.kWritten,
      d,
    );
  }

  /** Rolls ReplicaSet availability up into the Deployment's status when it changed. */
  private writeStatus(dep: DeploymentState): void {
    let available = 0;
    for (const i of dep.replicaSets) available += this.store.replicaSets[i]!.statusAvailable;
    if (available === dep.statusAvailable) {
      this.endSync(dep.idx);
      return;
    }
    this.keys.inflight[dep.idx] = 1;
    this.api.submit(
      this.client,
      Verb.update,
      Resource.deploymentsStatus,
      dep.idx,
      available,
      STATUS_BYTES,
      this.kWritten,
      dep.idx,
    );
  }
}

/** A deterministic 10-character stand-in for the pod-template-hash (or controller-revision-hash) label. */
export function templateHash(key: string): string {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return h.toString(36).padStart(7, "0").slice(0, 10);
}
