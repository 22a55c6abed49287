import type { EventKind } from "../core/engine.js";
import { columnTable } from "../core/column-table.js";
import type { Interner } from "../cluster/interner.js";
import { type NodeTable, TaintEffect } from "../cluster/node-table.js";
import { PodPhase, type PodTable } from "../cluster/pod-table.js";
import { type DaemonSetStatus, sameStatus } from "../cluster/daemon-sets.js";
import { scaledValue } from "../cluster/disruption-budgets.js";
import { Resource, STATUS_BYTES, Status, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType } from "../apiserver/watch-cache.js";
import type { NodeChangeListener } from "../node/node-events.js";
import { NodeLabelIndex } from "../scheduler/node-label-index.js";
import { compilePodSpec, nodeConstraintsInput, type PodSpec, readerFor } from "../scheduler/pod-spec.js";
import { requiredNodeAffinityMatches, tolerates } from "../scheduler/plugins/helper.js";
import type { DeploymentSpec } from "../scenario/manifests.js";
import { DEFAULT_CONCURRENT_DAEMONSET_SYNCS } from "../scenario/sections/controller-manager.js";
import type { AllRunningCondition, DaemonSetWork } from "../sim/all-running.js";
import { nodeNameAffinity } from "./daemon-pod.js";
import { PodControlController } from "./pod-control.js";
import type { ControllerDeps } from "./sync-controller.js";

/**
 * model: pkg/controller/daemon/daemon_controller.go BurstReplicas = 250: at most this many pod
 * creates (and, apart, deletes) per sync.
 */
export const DAEMONSET_BURST_REPLICAS = 250;

/** Per pod, in the controller's informer view: added and not yet deleted; terminating; Running; terminal. */
const SEEN = 1;
const TERMINATING = 2;
const RUNNING = 4;
const TERMINAL = 8;

/** Per pod: its flags, the node it is meant for (util.GetTargetNodeName) and its revision. */
const PodView = columnTable({
  flags: "Uint8",
  node: { type: "Int32", unset: -1 },
  revision: { type: "Int32", unset: -1 },
});

/** nodeShouldRunDaemonPod's two answers as one code: neither, shouldContinueRunning only, or both. */
const RunCode = { notRun: 0, continueOnly: 1, shouldRun: 2 } as const;

/** What the DaemonSet controller needs besides the controller bundle. */
export interface DaemonSetControllerDeps {
  nodes: NodeTable;
  /** The run's label interner (the NodeTable's label and taint ids). */
  labels: Interner;
  /** Builds the pod template of a manifest (shared with the scheduler and the kubelets) and returns its id. */
  addTemplate: (spec: DeploymentSpec) => number;
  allRunning: AllRunningCondition;
}

/** Per DaemonSet: the controller's bookkeeping (few: plain objects). */
interface DaemonSetView {
  /** The nodes the current sync creates pods on, the pods it deletes, and the next create's position. */
  readonly toCreate: number[];
  readonly toDelete: number[];
  createPos: number;
  /** The revision the current sync stamps its pods with (the one current when it began). */
  syncRevision: number;
  /** The pods the informer has delivered and not deleted (compacted at each sync). */
  readonly pods: number[];
  /** Per revision: the template of its pod for each node (-1: not built yet), and the compiled predicates. */
  readonly nodeTemplates: Int32Array[];
  readonly predicates: PodSpec[];
}

/**
 * The DaemonSet controller (pkg/controller/daemon/daemon_controller.go, update.go).
 *
 * Informers on DaemonSets and Pods, and node adds and changes, feed a work queue served by
 * `concurrentDaemonSetSyncs` workers. A sync (syncDaemonSet) groups the DaemonSet's pods by the
 * node each is meant for and, once its expectations are met, runs `manage`: for every node,
 * nodeShouldRunDaemonPod (the template's nodeSelector and required node affinity; its taints,
 * NoSchedule and NoExecute, against the pod's tolerations, the controller's own included)
 * says whether a pod should run there and whether one there may continue. A node that should
 * run one and has none gets one; extra pods, failed pods and pods on nodes that may not keep
 * them are deleted. Pods are created through the API in slow-start batches (1, 2, 4, ...), at
 * most 250 per sync, each with its template's required node affinity replaced by
 * `metadata.name In [node]`, so the default scheduler places it like any pod. With nothing to
 * create or delete, a RollingUpdate DaemonSet replaces old-revision pods: without maxSurge, it
 * deletes old pods while fewer than maxUnavailable nodes are unavailable (manage then creates
 * the new pod once the old one is gone); with maxSurge, it creates the new pod beside the old
 * one on up to maxSurge nodes and deletes the old one once the new one is available. OnDelete
 * replaces a pod only when something else deletes it. A sync ends with a status update when
 * the counts changed (updateDaemonSetStatus).
 *
 * A pod on a node that may keep it but should not get a new one (a node gone NotReady: its
 * pods tolerate the NoExecute taints forever) stays, as upstream; the stop condition counts it.
 *
 * model: (approximation) a pod is Ready and available when Running (minReadySeconds 0); a failed
 * pod is deleted at once (the failedPodsBackoff is not modelled); pods of one node are ranked by
 * creation only (podByCreationTimestampAndPhase also puts scheduled pods first); nodes are
 * visited in table order where upstream ranges over a map; a Node is never deleted in the
 * simulation, so orphaned pods of removed nodes do not arise.
 */
export class DaemonSetController
  extends PodControlController<DaemonSetView>
  implements NodeChangeListener, DaemonSetWork
{
  private readonly pods: PodTable;
  private readonly nodes: NodeTable;
  private readonly index: NodeLabelIndex;
  private readonly labels: Interner;
  private readonly notReadyKey: number;
  private readonly addTemplate: (spec: DeploymentSpec) => number;
  private readonly allRunning: AllRunningCondition;
  private readonly kStatusWritten: EventKind;
  private readonly view = new PodView(1024);
  /** Scratch of a sync: the pods of each node as linked lists into the DaemonSet's pod list. */
  private readonly head: Int32Array;
  private next = new Int32Array(1024);
  /** Scratch of a sync: each node's nodeShouldRunDaemonPod code, as manage found it. */
  private readonly codes: Uint8Array;

  constructor(deps: ControllerDeps, client: number, d: DaemonSetControllerDeps) {
    super(deps, client, "daemonset", deps.spec.concurrentDaemonSetSyncs ?? DEFAULT_CONCURRENT_DAEMONSET_SYNCS);
    const engine = deps.engine;
    this.pods = deps.store.pods;
    this.nodes = d.nodes;
    this.labels = d.labels;
    this.index = new NodeLabelIndex(d.nodes, d.labels);
    this.notReadyKey = d.labels.intern("node.kubernetes.io/not-ready");
    this.addTemplate = d.addTemplate;
    this.allRunning = d.allRunning;
    this.head = new Int32Array(d.nodes.size).fill(-1);
    this.codes = new Uint8Array(d.nodes.size);
    this.kStatusWritten = engine.register("daemonset.statusWritten", (ds, req) => {
      if (this.api.requests.status[req] !== Status.ok) this.keys.syncFailed[ds] = 1;
      this.endSync(ds);
    });
    this.inform(WatchResource.daemonsets, "ds", (arg) => this.observeOwner(watchObject(arg)));
    this.inform(WatchResource.pods, "pod", (arg) => this.onPodEvent(arg));
    this.allRunning.expectDaemonSets(this);
  }

  /** Pods the DaemonSets keep now: desiredNumberScheduled and the pods left where they may continue, summed. */
  get wantedPods(): number {
    let n = 0;
    for (const st of this.store.daemonSets) n += st.status.desiredNumberScheduled + st.keptPods;
    return n;
  }

  /** Every DaemonSet exists and its last sync found it done. */
  get settled(): boolean {
    for (const st of this.store.daemonSets) if (!st.exists || !st.settled) return false;
    return true;
  }

  /**
   * Pods of cluster.pods that DaemonSet `ds` adopts, each with the node it is on or meant for:
   * the first sync waits until the informer has observed all of them (WaitForNamedCacheSync),
   * so no duplicate is created. They count as of the DaemonSet's first revision.
   */
  expectExisting(ds: number, pods: readonly number[], nodes: readonly number[]): void {
    this.ensureKey(ds);
    for (let i = 0; i < pods.length; i++) {
      const p = pods[i]!;
      this.view.ensureRow(p);
      this.view.node[p] = nodes[i]!;
      this.view.revision[p] = 0;
    }
    this.expect.pendingAdds[ds]! += pods.length;
    this.expect.setNs[ds] = this.engine.now;
  }

  /**
   * model: daemon_controller.go addNode / updateNode: a node that joins or changes may change
   * where each DaemonSet should run; every DaemonSet is synced again (and is not done until then).
   */
  onNodeChanged(): void {
    const list = this.store.daemonSets;
    for (let ds = 0; ds < list.length; ds++) {
      list[ds]!.settled = false;
      if (this.observed(ds)) this.queue.add(ds);
    }
  }

  /** A DaemonSet's view; its pods' holder row is mapped to it. */
  protected newView(ds: number): DaemonSetView {
    this.holdsPods(this.store.daemonSets[ds]!.podSet, ds);
    return {
      toCreate: [],
      toDelete: [],
      createPos: 0,
      syncRevision: 0,
      pods: [],
      nodeTemplates: [],
      predicates: [],
    };
  }

  private onPodEvent(arg: number): void {
    const pod = watchObject(arg);
    const ds = this.keyOfPod(pod);
    if (ds < 0) return;
    const view = this.view;
    view.ensureRow(pod);
    const type = watchType(arg);
    const was = view.flags[pod]!;
    let flags = was;
    if (type === WatchEvent.ADDED) {
      this.expect.pendingAdds[ds]!--; // model: expectations.CreationObserved on the pod add event
      this.views[ds]!.pods.push(pod);
      flags = SEEN;
    } else if ((was & SEEN) === 0) {
      return;
    } else if (type === WatchEvent.DELETED) {
      flags = 0;
    }
    if (flags !== 0) {
      if (this.pods.isTerminating(pod)) flags |= TERMINATING;
      const phase = this.pods.phase[pod]!;
      if (phase === PodPhase.Running) flags |= RUNNING;
      else if (phase === PodPhase.Failed || phase === PodPhase.Succeeded) flags = (flags & ~RUNNING) | TERMINAL;
    }
    // model: daemon_controller.go updatePod / deletePod: a deletionTimestamp counts as the deletion (DeletionObserved).
    if ((was & TERMINATING) === 0 && (was & SEEN) !== 0 && (flags === 0 || (flags & TERMINATING) !== 0))
      this.expect.pendingDeletes[ds]!--;
    if (flags === was) return;
    view.flags[pod] = flags;
    if (this.observed(ds)) this.queue.add(ds);
  }

  /** The compiled predicates of DaemonSet `ds`'s revision `rev` (nodeSelector, required node affinity, tolerations). */
  private predicatesOf(ds: number, rev: number): PodSpec {
    const predicates = this.views[ds]!.predicates;
    let p = predicates[rev];
    if (p !== undefined) return p;
    const st = this.store.daemonSets[ds]!;
    const pod = st.revisions[rev]!.pod;
    const path = `${st.name}.spec.template.spec`;
    p = compilePodSpec(
      nodeConstraintsInput(
        st.name,
        pod.nodeSelector,
        readerFor(pod.tolerations, "daemonset", `${path}.tolerations`),
        readerFor(pod.affinity, "daemonset", `${path}.affinity`),
      ),
      this.labels,
    );
    predicates[rev] = p;
    return p;
  }

  /**
   * model: daemon_controller.go NodeShouldRunDaemonPod: a node the template's nodeSelector or
   * required node affinity excludes runs nothing; an untolerated NoSchedule or NoExecute taint
   * keeps a new pod off, and an untolerated NoExecute one also evicts a running pod. A node
   * whose Ready condition is not True carries node.kubernetes.io/not-ready:NoSchedule
   * (TaintNodesByCondition), which daemon pods do not tolerate unless the template does.
   */
  private shouldRun(p: PodSpec, node: number): number {
    const nodes = this.nodes;
    if (nodes.present[node] !== 1 || !requiredNodeAffinityMatches(p, node, this.index)) return RunCode.notRun;
    const tols = p.tolerations;
    let untolerated = nodes.ready[node] === 0 && !tolerates(tols, this.notReadyKey, -1, TaintEffect.NoSchedule);
    for (let t = nodes.taintStart[node]!, e = nodes.taintStart[node + 1]!; t < e; t++) {
      const effect = nodes.taintEffect[t]!;
      if (effect === TaintEffect.PreferNoSchedule || tolerates(tols, nodes.taintKey[t]!, nodes.taintValue[t]!, effect))
        continue;
      if (effect === TaintEffect.NoExecute) return RunCode.notRun;
      untolerated = true;
    }
    return untolerated ? RunCode.continueOnly : RunCode.shouldRun;
  }

  /** Links each live pod of `ds` into its node's list (oldest first); drops deleted pods from the list. */
  private groupByNode(ds: number): readonly number[] {
    const list = this.views[ds]!.pods;
    const view = this.view;
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if ((view.flags[p]! & SEEN) !== 0) list[kept++] = p;
    }
    list.length = kept;
    if (this.next.length < kept) this.next = new Int32Array(Math.max(kept, 2 * this.next.length));
    const head = this.head;
    const next = this.next;
    for (let i = kept - 1; i >= 0; i--) {
      const n = view.node[list[i]!]!;
      if (n < 0) continue;
      next[i] = head[n]!;
      head[n] = i;
    }
    return list;
  }

  /** Clears the lists {@link groupByNode} linked. */
  private ungroup(list: readonly number[]): void {
    for (let i = 0; i < list.length; i++) {
      const n = this.view.node[list[i]!]!;
      if (n >= 0) this.head[n] = -1;
    }
  }

  protected syncBody(ds: number): void {
    const st = this.store.daemonSets[ds]!;
    this.keys.syncFailed[ds] = 0;
    if (!this.expectationsSatisfied(ds)) {
      this.finishSync(ds);
      return;
    }
    const rev = st.revision;
    const v = this.views[ds]!;
    v.syncRevision = rev;
    const creates = v.toCreate;
    const deletes = v.toDelete;
    creates.length = 0;
    deletes.length = 0;
    const list = this.groupByNode(ds);
    const p = this.predicatesOf(ds, rev);
    const strategy = st.revisions[rev]!.daemonSet!;
    const rolling = strategy.updateStrategy === "RollingUpdate";
    // model: util.AllowsSurge: a RollingUpdate maxSurge above 0 (a percentage counts as at least one pod).
    const surge = rolling && strategy.maxSurge.value > 0;
    this.manage(list, p, rev, surge, creates, deletes);
    // model: updateDaemonSet: the rolling update runs only once manage's changes are observed.
    if (creates.length === 0 && deletes.length === 0 && rolling) this.rollingUpdate(ds, list, rev, creates, deletes);
    this.ungroup(list);
    if (creates.length > DAEMONSET_BURST_REPLICAS) creates.length = DAEMONSET_BURST_REPLICAS;
    if (deletes.length > DAEMONSET_BURST_REPLICAS) deletes.length = DAEMONSET_BURST_REPLICAS;
    if (creates.length === 0 && deletes.length === 0) {
      this.finishSync(ds);
      return;
    }
    // model: syncNodes: expectations.SetExpectations(dsKey, createDiff, deleteDiff), then the
    // creates in slow-start batches, then every delete at once.
    this.setExpectations(ds, creates.length, deletes.length);
    v.createPos = 0;
    if (creates.length > 0) this.startCreates(ds, creates.length);
    else this.afterCreates(ds);
  }

  /** model: daemon_controller.go manage / podsShouldBeOnNode, per node. */
  private manage(
    list: readonly number[],
    p: PodSpec,
    rev: number,
    surge: boolean,
    creates: number[],
    deletes: number[],
  ): void {
    const { head, next, view, codes } = this;
    const n = this.nodes.size;
    for (let node = 0; node < n; node++) {
      const code = this.shouldRun(p, node);
      codes[node] = code;
      const first = head[node]!;
      if (code === RunCode.shouldRun && first < 0) {
        creates.push(node);
      } else if (code !== RunCode.notRun) {
        // Failed pods are deleted; of the others, one stays (with surge: the oldest updated and
        // the oldest old one, until the updated one is available or the old one is not Ready).
        let running = 0;
        let oldestNew = -1;
        let oldestOld = -1;
        for (let i = first; i >= 0; i = next[i]!) {
          const pod = list[i]!;
          const f = view.flags[pod]!;
          if ((f & TERMINATING) !== 0) continue;
          if ((f & TERMINAL) !== 0) {
            deletes.push(pod);
            continue;
          }
          running++;
          if (!surge) {
            if (running > 1) deletes.push(pod);
          } else if (view.revision[pod] === rev) {
            if (oldestNew < 0) oldestNew = pod;
            else deletes.push(pod);
          } else if (oldestOld < 0) oldestOld = pod;
          else deletes.push(pod);
        }
        if (running === 0 && surge && code === RunCode.shouldRun) creates.push(node);
        if (oldestNew >= 0 && oldestOld >= 0) {
          if ((view.flags[oldestOld]! & RUNNING) === 0 || (view.flags[oldestNew]! & RUNNING) !== 0)
            deletes.push(oldestOld);
        }
      } else {
        for (let i = first; i >= 0; i = next[i]!) {
          const pod = list[i]!;
          if ((view.flags[pod]! & TERMINATING) === 0) deletes.push(pod);
        }
      }
    }
  }

  /**
   * The new and the old pod on a node, not counting terminating ones; ok false when it has more
   * than one of either. model: update.go findUpdatedPodsOnNode.
   */
  private updatedAndOld(list: readonly number[], first: number, rev: number): boolean {
    const { next, view } = this;
    this.foundNew = -1;
    this.foundOld = -1;
    for (let i = first; i >= 0; i = next[i]!) {
      const pod = list[i]!;
      if ((view.flags[pod]! & TERMINATING) !== 0) continue;
      if (view.revision[pod] === rev) {
        if (this.foundNew >= 0) return false;
        this.foundNew = pod;
      } else {
        if (this.foundOld >= 0) return false;
        this.foundOld = pod;
      }
    }
    return true;
  }

  /** Out-values of {@link updatedAndOld}. */
  private foundNew = -1;
  private foundOld = -1;

  /** Pods of a node's list that are neither terminating nor terminal. */
  private liveOn(list: readonly number[], first: number): number {
    let n = 0;
    for (let i = first; i >= 0; i = this.next[i]!)
      if ((this.view.flags[list[i]!]! & (TERMINATING | TERMINAL)) === 0) n++;
    return n;
  }

  private available(pod: number): boolean {
    return (this.view.flags[pod]! & RUNNING) !== 0;
  }

  /**
   * model: update.go rollingUpdate, with maxSurge and maxUnavailable scaled to the nodes that
   * should run a pod, rounding up (updatedDesiredNodeCounts; both 0 counts as maxUnavailable 1).
   * Without surge: an old pod that is not available is deleted at once, others while fewer
   * than maxUnavailable nodes are unavailable (a node with no updated available pod counts).
   * With surge: a node whose old pod is not available gets its new pod at once (or loses the old
   * pod if it should no longer run one); others get one while fewer than maxSurge nodes are
   * surging; the old pod goes once the new one is available.
   */
  private rollingUpdate(ds: number, list: readonly number[], rev: number, creates: number[], deletes: number[]): void {
    const strategy = this.store.daemonSets[ds]!.revisions[rev]!.daemonSet!;
    const { head, codes } = this;
    const n = this.nodes.size;
    let desired = 0;
    for (let node = 0; node < n; node++) if (codes[node] === RunCode.shouldRun) desired++;
    let maxUnavailable = scaledValue(strategy.maxUnavailable, desired);
    const maxSurge = scaledValue(strategy.maxSurge, desired);
    if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
    // Without surge: old pods to delete (candidates), nodes unavailable (busy). With surge:
    // nodes to surge onto (candidates), nodes surging (busy).
    const candidates: number[] = [];
    let busy = 0;
    for (let node = 0; node < n; node++) {
      const first = head[node]!;
      if (first < 0) continue;
      if (!this.updatedAndOld(list, first, rev)) {
        busy++; // manage removes the excess pod; meanwhile the node counts as unavailable or surging
        continue;
      }
      const { foundNew: newPod, foundOld: oldPod } = this;
      if (maxSurge === 0) {
        if (newPod < 0 === oldPod < 0) busy++;
        else if (newPod >= 0) {
          if (!this.available(newPod)) busy++;
        } else if (!this.available(oldPod)) deletes.push(oldPod);
        else if (busy < maxUnavailable) candidates.push(oldPod);
      } else if (oldPod < 0) {
        // up to date: manage handles the node
      } else if (newPod < 0) {
        if (this.available(oldPod)) candidates.push(node);
        else if (codes[node] !== RunCode.shouldRun) deletes.push(oldPod);
        else creates.push(node);
      } else if (!this.available(newPod)) busy++;
      else deletes.push(oldPod);
    }
    const take = Math.min(Math.max((maxSurge === 0 ? maxUnavailable : maxSurge) - busy, 0), candidates.length);
    for (let i = 0; i < take; i++) (maxSurge === 0 ? deletes : creates).push(candidates[i]!);
  }

  /** The template of DaemonSet `ds`'s revision `rev` for its pod on `node` (built on first use). */
  private templateFor(ds: number, rev: number, node: number): number {
    const nodeTemplates = this.views[ds]!.nodeTemplates;
    let byNode = nodeTemplates[rev];
    if (byNode === undefined) {
      byNode = new Int32Array(this.nodes.size).fill(-1);
      nodeTemplates[rev] = byNode;
    }
    let t = byNode[node]!;
    if (t < 0) {
      const base = this.store.daemonSets[ds]!.revisions[rev]!;
      const affinity = nodeNameAffinity(base.pod.affinity, this.nodes.names[node]!);
      t = this.addTemplate({ ...base, pod: { ...base.pod, affinity } });
      byNode[node] = t;
    }
    return t;
  }

  protected newPod(ds: number): number {
    const st = this.store.daemonSets[ds]!;
    const v = this.views[ds]!;
    const node = v.toCreate[v.createPos++]!;
    const rev = v.syncRevision;
    const pod = this.pods.add(
      st.podSet,
      this.store.replicaSets[st.podSet]!.nextOrdinal++,
      this.templateFor(ds, rev, node),
    );
    this.view.ensureRow(pod);
    this.view.node[pod] = node;
    this.view.revision[pod] = rev;
    return pod;
  }

  /** model: syncNodes deletes after the creates are over, all at once. */
  protected override afterCreates(ds: number): void {
    const deletes = this.views[ds]!.toDelete;
    if (deletes.length === 0) this.finishSync(ds);
    else this.deletePods(ds, deletes, deletes.length);
  }

  /**
   * model: daemon_controller.go updateDaemonSetStatus: per node that should run a pod, whether
   * it has one (current), whether the oldest is available and of the current revision; pods on
   * other nodes are misscheduled. The status is written when it changed; the DaemonSet is done
   * when every count equals desiredNumberScheduled, nothing is misscheduled or extra, and no
   * create or delete is still unobserved.
   */
  protected finishSync(ds: number): void {
    const st = this.store.daemonSets[ds]!;
    const list = this.groupByNode(ds);
    const p = this.predicatesOf(ds, st.revision);
    const { head, view } = this;
    let desired = 0;
    let current = 0;
    let updated = 0;
    let available = 0;
    let misscheduled = 0;
    let kept = 0;
    let stray = 0;
    for (let node = 0; node < this.nodes.size; node++) {
      const first = head[node]!;
      const code = this.shouldRun(p, node);
      if (code !== RunCode.shouldRun) {
        if (first < 0) continue;
        misscheduled++;
        // A pod may stay where it may continue (a node gone NotReady, a new NoSchedule taint); elsewhere it must go.
        const here = this.liveOn(list, first);
        if (code === RunCode.continueOnly) kept += here;
        else stray += here;
        continue;
      }
      desired++;
      if (first < 0) continue;
      current++;
      const oldest = list[first]!;
      if (this.available(oldest)) available++;
      if (view.revision[oldest] === st.revision) updated++;
    }
    let live = 0;
    for (let i = 0; i < list.length; i++) if ((view.flags[list[i]!]! & (TERMINATING | TERMINAL)) === 0) live++;
    this.ungroup(list);
    st.settled =
      current === desired &&
      updated === desired &&
      available === desired &&
      stray === 0 &&
      live === desired + kept &&
      this.expect.pendingAdds[ds]! <= 0 &&
      this.expect.pendingDeletes[ds]! <= 0;
    const status: DaemonSetStatus = {
      desiredNumberScheduled: desired,
      currentNumberScheduled: current,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberMisscheduled: misscheduled,
    };
    const changed = !sameStatus(st.status, status);
    st.status = status;
    st.keptPods = kept;
    if (st.settled) this.allRunning.check();
    if (!changed) {
      this.endSync(ds);
      return;
    }
    this.api.submit(this.client, Verb.update, Resource.daemonsetsStatus, ds, 0, STATUS_BYTES, this.kStatusWritten, ds);
  }
}
