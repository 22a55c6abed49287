import type { EventKind } from "../core/engine.js";
import { columnTable } from "../core/column-table.js";
import { NS_PER } from "../core/time.js";
import { PodPhase, PodStage, type PodTable } from "../cluster/pod-table.js";
import { newReplicaSet, type StatefulSetState } from "../cluster/workloads.js";
import { PodDelete } from "../apiserver/object-store.js";
import { DELETE_BYTES, Resource, STATUS_BYTES, Status, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType } from "../apiserver/watch-cache.js";
import { DEFAULT_CONCURRENT_STATEFULSET_SYNCS } from "../scenario/sections/controller-manager.js";
import { classIndex, type StorageSpec } from "../scenario/sections/storage.js";
import { templateHash } from "./deployment-controller.js";
import { POD_BYTES } from "./replicaset-controller.js";
import { type ControllerDeps, SyncController } from "./sync-controller.js";
import type { VolumeProvisioner } from "./volume-provisioner.js";

/** model: pkg/controller/statefulset/stateful_set_control.go MaxBatchSize = 500 (slowStartBatch in Parallel mode). */
export const MAX_BATCH_SIZE = 500;
/** model: (assumed) size of a PersistentVolumeClaim create body. */
const CLAIM_BYTES = 1_500;

// Per-pod flags of the controller's informer view.
/** The informer delivered the pod (status.phase set: isCreated). */
const OBSERVED = 1;
/** Running with the Ready condition, as last delivered (isRunningAndReady). */
const READY = 2;
/** A deletionTimestamp was seen, or this controller deleted it. */
const TERMINATING = 4;
/** Phase Failed or Succeeded (the pod is deleted and recreated). */
const FINISHED = 8;

/** Per pod: informer flags, and the claim template its create chain creates next. */
const PodView = columnTable({
  flags: "Uint8",
  nextClaim: "Int32",
  set: { type: "Int32", unset: -1 },
});

/** The two lists a sync walks, as upstream's runForAll does: the replicas, then the condemned pods. */
const PHASE_REPLICAS = 0;
const PHASE_CONDEMNED = 1;

/** Per StatefulSet: the controller's bookkeeping (few: plain objects). */
interface SetView {
  /** Pod row at each index (ordinal - spec.ordinals.start), -1 for none; indices >= replicas are condemned. */
  slot: number[];
  /** Claim ids of each index, one per volumeClaimTemplate (allocated at the first pod there). */
  claims: number[][];
  /** Claims this controller has created (they persist: persistentVolumeClaimRetentionPolicy Retain). */
  claimCreated: Set<number>;
  seen: boolean;
  // The sync in progress.
  phase: number;
  items: number[];
  cursor: number;
  batch: number;
  /** A monotonic step asked the sync to stop once its writes are answered. */
  exit: boolean;
  firstUnavailable: number;
  // status as last written.
  statusReplicas: number;
  statusCurrent: number;
  statusUpdated: number;
  statusCurrentTemplate: number;
}

/**
 * The StatefulSet controller (pkg/controller/statefulset, stateful_set_control.go
 * updateStatefulSet), with its client-go defaults.
 *
 * Informers on StatefulSets and Pods feed a work queue served by `concurrentStatefulSetSyncs`
 * workers. A sync places each pod at its index (ordinal - spec.ordinals.start); those at
 * indices >= replicas are condemned. Then, as upstream's runForAll:
 * 1. replicas, lowest first: a missing pod is created at its revision (ordinals below the
 *    partition at status.currentRevision, the others at the update revision), its
 *    volumeClaimTemplates' claims `<template>-<set>-<ordinal>` created first, one by one, when
 *    they do not exist yet; a Failed or Succeeded pod is deleted. With podManagementPolicy
 *    OrderedReady (monotonic) the sync stops after one create, and at the first pod that is
 *    terminating, not Running and Ready, or not yet available for minReadySeconds; with Parallel
 *    every index is processed in slow-start batches of 1, 2, 4 ... (at most 500), each batch's
 *    writes in parallel.
 * 2. condemned pods, highest ordinal first: deleted; OrderedReady deletes one per sync and only
 *    once every other pod is healthy (the first unhealthy one may go); Parallel deletes all.
 * 3. with updateStrategy RollingUpdate, from the highest index down to the partition: the
 *    first pod not at the update revision is deleted (it comes back at the update revision in a
 *    later sync), and the walk stops at the first unavailable pod. OnDelete replaces nothing.
 * A sync ends with a status write when the counts changed; status.currentRevision becomes the
 * update revision once every pod is updated and Ready (completeRollingUpdate). With
 * minReadySeconds the set is requeued after it while some pod is not yet available, and after
 * it plus 1 s when a pod turns Ready.
 *
 * model: the controller uses no expectations upstream; pod names are deterministic, so a second
 * create of an ordinal the informer has not shown yet fails AlreadyExists. Here a pod the
 * controller created counts as existing (Pending) at once, so that conflict never arises.
 * Not modelled: maxUnavailable (alpha), claim retention policy Delete, the ControllerRevision
 * objects (revisions are the Deployment-style pod templates).
 */
export class StatefulSetController extends SyncController {
  private readonly pods: PodTable;
  private readonly podNames: Map<number, string>;
  private readonly provisioner: VolumeProvisioner;
  private readonly storage: StorageSpec;
  private readonly kClaimCreated: EventKind;
  private readonly kPodCreated: EventKind;
  private readonly kDeleted: EventKind;
  private readonly kStatusWritten: EventKind;
  private readonly kRequeue: EventKind;
  private readonly views: SetView[] = [];
  private readonly podView = new PodView(256);
  /** Pod creates and pod deletes sent by this controller. */
  creates = 0;
  deletes = 0;

  /** `podNames` receives each pod's name `<set>-<ordinal>`; claims are provisioned by `provisioner`. */
  constructor(
    deps: ControllerDeps,
    client: number,
    podNames: Map<number, string>,
    provisioner: VolumeProvisioner,
    storage: StorageSpec,
  ) {
    super(deps, client, "statefulset", deps.spec.concurrentStatefulSetSyncs ?? DEFAULT_CONCURRENT_STATEFULSET_SYNCS);
    const engine = deps.engine;
    this.pods = deps.store.pods;
    this.podNames = podNames;
    this.provisioner = provisioner;
    this.storage = storage;
    this.kClaimCreated = engine.register("statefulset.claimCreated", (pod, req) => this.onClaimCreated(pod, req));
    this.kPodCreated = engine.register("statefulset.podCreated", (pod, req) => this.onPodCreated(pod, req));
    this.kDeleted = engine.register("statefulset.deleted", (s, req) => {
      if (this.api.requests.status[req] !== Status.ok) this.keys.syncFailed[s] = 1;
      this.answered(s);
    });
    this.kStatusWritten = engine.register("statefulset.statusWritten", (s, req) => {
      if (this.api.requests.status[req] !== Status.ok) {
        this.keys.syncFailed[s] = 1;
        this.views[s]!.statusReplicas = -1;
      }
      this.endSync(s);
    });
    this.kRequeue = engine.register("statefulset.requeue", (s) => this.queue.add(s));
    this.inform(WatchResource.statefulsets, "set", (arg) => this.onSetEvent(arg));
    this.inform(WatchResource.pods, "pod", (arg) => this.onPodEvent(arg));
  }

  /** Sizes the per-set state to cover StatefulSet `s` (declared at initialize). */
  private view(s: number): SetView {
    while (this.views.length <= s) {
      const st = this.store.statefulSets[this.views.length]!;
      for (const row of st.revisions) this.holdsPods(row, st.idx);
      this.views.push({
        slot: [],
        claims: [],
        claimCreated: new Set(),
        seen: false,
        phase: PHASE_REPLICAS,
        items: [],
        cursor: 0,
        batch: 1,
        exit: false,
        firstUnavailable: -1,
        statusReplicas: 0,
        statusCurrent: 0,
        statusUpdated: 0,
        statusCurrentTemplate: st.currentTemplate,
      });
    }
    this.ensureKey(s);
    return this.views[s]!;
  }

  /**
   * Pod `pod` of cluster.pods holds `ordinal` of StatefulSet `s` before the run: the controller
   * counts it there (it creates no other pod at that ordinal), as it would find it in its lister.
   */
  adoptExisting(s: number, pod: number, ordinal: number): void {
    const v = this.view(s);
    const i = ordinal - this.store.statefulSets[s]!.spec.ordinalsStart;
    if (i < 0) return; // model: a pod below ordinals.start is neither a replica nor condemned: ignored
    while (v.slot.length <= i) v.slot.push(-1);
    v.slot[i] = pod;
    this.podView.ensureRow(pod);
    this.podView.set[pod] = s;
  }

  private onSetEvent(arg: number): void {
    const s = watchObject(arg);
    this.view(s).seen = true;
    this.queue.add(s);
  }

  private onPodEvent(arg: number): void {
    const pod = watchObject(arg);
    const s = this.keyOfPod(pod);
    if (s < 0) return;
    const v = this.view(s);
    const pv = this.podView;
    pv.ensureRow(pod);
    const was = pv.flags[pod]!;
    let f = was | OBSERVED;
    const phase = this.pods.phase[pod]!;
    if (this.pods.isTerminating(pod)) f |= TERMINATING;
    if (phase === PodPhase.Failed || phase === PodPhase.Succeeded) f |= FINISHED;
    if (phase === PodPhase.Running && !Number.isNaN(this.pods.time(pod, PodStage.ready))) f |= READY;
    if ((f & (TERMINATING | FINISHED)) !== 0) f &= ~READY;
    pv.flags[pod] = f;
    if (watchType(arg) === WatchEvent.DELETED) {
      // Gone from the lister: its index is free for a new pod.
      const i = v.slot.indexOf(pod);
      if (i >= 0) v.slot[i] = -1;
    }
    const st = this.store.statefulSets[s]!;
    // model: stateful_set.go updatePod: a pod turning Ready requeues the set after minReadySeconds + 1 s.
    if ((was & READY) === 0 && (f & READY) !== 0 && st.spec.minReadySeconds > 0)
      this.engine.schedule((st.spec.minReadySeconds + 1) * NS_PER.s, this.kRequeue, s);
    if (v.seen) this.queue.add(s);
  }

  // ---- the pod's health, as the controller's lister shows it ----

  private ready(pod: number): boolean {
    return (this.podView.flags[pod]! & READY) !== 0;
  }

  private terminating(pod: number): boolean {
    return (this.podView.flags[pod]! & TERMINATING) !== 0;
  }

  /** model: stateful_set_utils.go isRunningAndAvailable: Ready for at least minReadySeconds. */
  private available(pod: number, st: StatefulSetState): boolean {
    if (!this.ready(pod)) return false;
    const min = st.spec.minReadySeconds;
    return min === 0 || this.pods.time(pod, PodStage.ready) + min * NS_PER.s <= this.engine.now;
  }

  /** model: isUnavailable: no pod, terminating, or not Running, Ready and available. */
  private unavailable(pod: number, st: StatefulSetState): boolean {
    return pod < 0 || this.terminating(pod) || !this.available(pod, st);
  }

  // ---- the sync ----

  protected syncBody(s: number): void {
    const v = this.view(s);
    this.keys.syncFailed[s] = 0;
    if (!v.seen) {
      this.endSync(s);
      return;
    }
    const st = this.store.statefulSets[s]!;
    const replicas = this.store.deployments[st.owner]!.replicas;
    while (v.slot.length < replicas) v.slot.push(-1);
    v.firstUnavailable = -1;
    for (let i = 0; i < replicas && v.firstUnavailable < 0; i++)
      if (this.unavailable(v.slot[i]!, st)) v.firstUnavailable = v.slot[i]!;
    // Condemned pods from the lowest ordinal (upstream walks its descending list backwards).
    for (let i = replicas; i < v.slot.length && v.firstUnavailable < 0; i++)
      if (v.slot[i]! >= 0 && this.unavailable(v.slot[i]!, st)) v.firstUnavailable = v.slot[i]!;
    v.items.length = 0;
    for (let i = 0; i < replicas; i++) v.items.push(i);
    this.beginPhase(s, PHASE_REPLICAS);
  }

  private beginPhase(s: number, phase: number): void {
    const v = this.views[s]!;
    v.phase = phase;
    v.cursor = 0;
    v.batch = 1;
    v.exit = false;
    this.runItems(s);
  }

  /**
   * Runs the current list's items: OrderedReady one at a time until one asks to stop; Parallel
   * in slow-start batches (controller_utils-style slowStartBatch, initial 1, at most 500), each
   * batch's writes answered before the next starts.
   */
  private runItems(s: number): void {
    const v = this.views[s]!;
    const st = this.store.statefulSets[s]!;
    const monotonic = st.spec.podManagementPolicy === "OrderedReady";
    while (v.cursor < v.items.length) {
      const n = monotonic ? 1 : Math.min(v.batch, v.items.length - v.cursor);
      this.keys.inflight[s] = 0;
      let exit = false;
      for (let k = 0; k < n; k++) {
        const item = v.items[v.cursor + k]!;
        if (v.phase === PHASE_REPLICAS ? this.processReplica(s, st, item) : this.processCondemned(s, st, item))
          exit = true;
      }
      v.cursor += n;
      if (!monotonic) v.batch = Math.min(2 * v.batch, MAX_BATCH_SIZE);
      v.exit = monotonic && exit;
      if (this.keys.inflight[s]! > 0) return; // resumed by answered()
      if (v.exit) {
        this.finish(s);
        return;
      }
    }
    this.nextPhase(s);
  }

  /** A write of the current batch was answered; when the batch is all in, the sync goes on. */
  private answered(s: number): void {
    if (--this.keys.inflight[s]! > 0) return;
    const v = this.views[s]!;
    if (this.keys.syncFailed[s] || v.exit) {
      this.finish(s);
      return;
    }
    if (v.phase === PHASE_REPLICAS || v.phase === PHASE_CONDEMNED) this.runItems(s);
    else this.finish(s);
  }

  private nextPhase(s: number): void {
    const v = this.views[s]!;
    if (v.phase === PHASE_REPLICAS) {
      const replicas = this.store.deployments[this.store.statefulSets[s]!.owner]!.replicas;
      v.items.length = 0;
      for (let i = v.slot.length - 1; i >= replicas; i--) if (v.slot[i]! >= 0) v.items.push(v.slot[i]!);
      this.beginPhase(s, PHASE_CONDEMNED);
      return;
    }
    v.phase = -1;
    this.rollingUpdate(s);
  }

  /** model: processReplica. Returns whether a monotonic sync stops here. */
  private processReplica(s: number, st: StatefulSetState, i: number): boolean {
    const v = this.views[s]!;
    const monotonic = st.spec.podManagementPolicy === "OrderedReady";
    const pod = v.slot[i]!;
    if (pod >= 0 && (this.podView.flags[pod]! & FINISHED) !== 0) {
      if (!this.terminating(pod)) this.deletePod(s, pod);
      return true;
    }
    if (pod < 0) {
      this.createPod(s, st, i);
      return monotonic;
    }
    return monotonic && (this.terminating(pod) || !this.available(pod, st));
  }

  /** model: processCondemned. */
  private processCondemned(s: number, st: StatefulSetState, pod: number): boolean {
    const monotonic = st.spec.podManagementPolicy === "OrderedReady";
    if (this.terminating(pod)) return monotonic;
    if (monotonic && pod !== this.views[s]!.firstUnavailable && !this.available(pod, st)) return true;
    this.deletePod(s, pod);
    return true;
  }

  /** model: the RollingUpdate walk from the highest index down to the partition. */
  private rollingUpdate(s: number): void {
    const st = this.store.statefulSets[s]!;
    if (st.spec.updateStrategy === "OnDelete") {
      this.finish(s);
      return;
    }
    const v = this.views[s]!;
    const d = this.store.deployments[st.owner]!;
    for (let i = d.replicas - 1; i >= st.spec.partition; i--) {
      const pod = v.slot[i]!;
      if (pod >= 0 && this.pods.template[pod] !== d.template && !this.terminating(pod)) {
        this.keys.inflight[s] = 0;
        this.deletePod(s, pod);
        return;
      }
      if (this.unavailable(pod, st)) break;
    }
    this.finish(s);
  }

  /** model: newVersionedStatefulSetPod, then CreateStatefulPod: the missing claims one by one, then the pod. */
  private createPod(s: number, st: StatefulSetState, i: number): void {
    const v = this.views[s]!;
    const d = this.store.deployments[st.owner]!;
    const ordinal = st.spec.ordinalsStart + i;
    const current = st.spec.updateStrategy === "RollingUpdate" && i < st.spec.partition;
    const template = current ? st.currentTemplate : d.template;
    const pod = this.pods.add(this.revisionRow(st, template), ordinal, template);
    v.slot[i] = pod;
    this.podNames.set(pod, `${st.name}-${ordinal}`);
    const pv = this.podView;
    pv.ensureRow(pod);
    pv.set[pod] = s;
    pv.nextClaim[pod] = 0;
    let claims = v.claims[i];
    if (claims === undefined) {
      claims = st.spec.volumeClaimTemplates.map((c) =>
        this.provisioner.addClaim(classIndex(this.storage, c.storageClass)),
      );
      while (v.claims.length <= i) v.claims.push(undefined as unknown as number[]);
      v.claims[i] = claims;
    }
    this.provisioner.setPodClaims(pod, claims);
    this.keys.inflight[s]!++;
    this.nextCreate(s, pod, i);
  }

  /** The pod's create chain: its next missing claim, or the pod itself. */
  private nextCreate(s: number, pod: number, i: number): void {
    const v = this.views[s]!;
    const claims = v.claims[i]!;
    const pv = this.podView;
    while (pv.nextClaim[pod]! < claims.length && v.claimCreated.has(claims[pv.nextClaim[pod]!]!)) pv.nextClaim[pod]!++;
    const k = pv.nextClaim[pod]!;
    if (k < claims.length) {
      this.api.submit(
        this.client,
        Verb.create,
        Resource.persistentvolumeclaims,
        claims[k]!,
        0,
        CLAIM_BYTES,
        this.kClaimCreated,
        pod,
      );
      return;
    }
    this.creates++;
    this.api.submit(this.client, Verb.create, Resource.pods, pod, 0, POD_BYTES, this.kPodCreated, pod);
  }

  private onClaimCreated(pod: number, req: number): void {
    const s = this.podView.set[pod]!;
    const v = this.views[s]!;
    const i = this.indexOf(s, pod);
    if (this.api.requests.status[req] !== Status.created) {
      // model: createPersistentVolumeClaims fails the create: the pod is not created this sync.
      this.keys.syncFailed[s] = 1;
      if (i >= 0) v.slot[i] = -1;
      this.answered(s);
      return;
    }
    v.claimCreated.add(this.api.requests.object[req]!);
    this.nextCreate(s, pod, i);
  }

  private onPodCreated(pod: number, req: number): void {
    const s = this.podView.set[pod]!;
    if (this.api.requests.status[req] !== Status.created) {
      this.keys.syncFailed[s] = 1;
      const i = this.indexOf(s, pod);
      if (i >= 0) this.views[s]!.slot[i] = -1;
    }
    this.answered(s);
  }

  /** The ReplicaSet-table row of `st`'s revision `template`, added at its first pod. */
  private revisionRow(st: StatefulSetState, template: number): number {
    const rows = this.store.replicaSets;
    for (const r of st.revisions) if (rows[r]!.template === template) return r;
    const r = rows.length;
    rows.push(newReplicaSet(r, revisionName(st.name, template), st.owner, template, 0));
    st.revisions.push(r);
    this.store.deployments[st.owner]!.replicaSets.push(r);
    this.holdsPods(r, st.idx);
    return r;
  }

  private indexOf(s: number, pod: number): number {
    return this.views[s]!.slot.indexOf(pod);
  }

  private deletePod(s: number, pod: number): void {
    this.podView.flags[pod] = this.podView.flags[pod]! | TERMINATING;
    this.podView.flags[pod] = this.podView.flags[pod]! & ~READY;
    this.keys.inflight[s]!++;
    this.deletes++;
    this.api.submit(this.client, Verb.delete, Resource.pods, pod, PodDelete.graceful, DELETE_BYTES, this.kDeleted, s);
  }

  /**
   * model: updateStatefulSetStatus after updateStatus and completeRollingUpdate: the counts of
   * the pods in the lister, written when they changed; requeued after minReadySeconds while
   * some pod is not yet available (stateful_set.go sync).
   */
  private finish(s: number): void {
    const v = this.views[s]!;
    const st = this.store.statefulSets[s]!;
    const d = this.store.deployments[st.owner]!;
    let replicas = 0;
    let ready = 0;
    let available = 0;
    let current = 0;
    let updated = 0;
    for (let i = 0; i < v.slot.length; i++) {
      const pod = v.slot[i]!;
      if (pod < 0 || (this.podView.flags[pod]! & OBSERVED) === 0) continue;
      replicas++;
      if (this.ready(pod)) ready++;
      if (this.available(pod, st)) available++;
      if (this.terminating(pod)) continue;
      if (this.pods.template[pod] === st.currentTemplate) current++;
      if (this.pods.template[pod] === d.template) updated++;
    }
    if (st.spec.updateStrategy === "RollingUpdate" && updated === replicas && ready === replicas) {
      st.currentTemplate = d.template;
      current = updated;
    }
    if (st.spec.minReadySeconds > 0 && available !== d.replicas)
      this.engine.schedule(st.spec.minReadySeconds * NS_PER.s, this.kRequeue, s);
    if (
      v.statusReplicas === replicas &&
      st.statusReady === ready &&
      st.statusAvailable === available &&
      v.statusCurrent === current &&
      v.statusUpdated === updated &&
      v.statusCurrentTemplate === st.currentTemplate
    ) {
      this.endSync(s);
      return;
    }
    v.statusReplicas = replicas;
    st.statusReady = ready;
    st.statusAvailable = available;
    v.statusCurrent = current;
    v.statusUpdated = updated;
    v.statusCurrentTemplate = st.currentTemplate;
    this.api.submit(
      this.client,
      Verb.update,
      Resource.statefulsetsStatus,
      s,
      ready,
      STATUS_BYTES,
      this.kStatusWritten,
      s,
    );
  }
}

/** The name of a StatefulSet's revision, as its ControllerRevision and the pods' controller-revision-hash label. */
export function revisionName(set: string, template: number): string {
  return `${set}-${templateHash(`${set}/${template}`)}`;
}
