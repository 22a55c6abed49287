import type { NodeIdx, PodIdx } from "../cluster/ids.js";
import type { PodTable } from "../cluster/pod-table.js";
import { Sampler, type DistSpec } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import type { ApiServer } from "../apiserver/api-server.js";
import { PodDelete } from "../apiserver/object-store.js";
import { DELETE_BYTES, Resource, Verb } from "../apiserver/request-table.js";
import { columnTable } from "../core/column-table.js";
import { NodeFifos, NONE } from "./node-fifos.js";

/** model: (assumed) a pod status patch body: conditions and container statuses, ~2 kB. */
const STATUS_PATCH_BYTES = 2_000;

/** Per-pod sync state. */
const SyncState = { idle: 0, queued: 1, inFlight: 2 } as const;

/** Per-pod sync state of the status manager. perf: typed columns, FIFO links through `next`. */
const StatusRows = columnTable({
  state: { type: "Uint8", unset: SyncState.idle },
  dirty: "Uint8",
  finalize: "Uint8",
  phase: "Uint8",
  next: { type: "Int32", unset: NONE },
  podNode: { type: "Int32", unset: NONE },
});

/** Per node: a status write is in flight; the kubelet stopped. */
const StatusNodes = columnTable({
  busy: "Uint8",
  down: "Uint8",
});

/**
 * The kubelet status manager of every node: it writes each pod's status to the API server,
 * one pod at a time per node, through the node's own rate-limited client.
 *
 * model: pkg/kubelet/status/status_manager.go: SetPodStatus records the new status and wakes
 * the manager's single goroutine, whose syncBatch syncs each pod whose status version is newer
 * than the one last written; syncPod GETs the pod, then PATCHes its status (two calls through
 * the kubelet's client, kubeAPIQPS/kubeAPIBurst). Several changes made before a pod's turn are
 * coalesced into one write of the latest status. A pod the API no longer has is skipped
 * (NotFound). When a terminating pod's containers are gone, syncPod, after writing its terminal
 * status, deletes it with grace period 0 (canBeDeleted). Upstream walks the pending pods in map
 * order; here each node's pending pods are served FIFO, which is deterministic and fair.
 */
export class StatusManager {
  private readonly engine: Engine;
  private readonly api: ApiServer;
  private readonly pods: PodTable;
  private readonly clientOf: Int32Array;
  private readonly getLatency: Sampler;
  private readonly kGot: EventKind;
  private readonly kPatched: EventKind;
  private readonly kDeleted: EventKind;
  private readonly rows = new StatusRows(1024);
  /** Per node: pods waiting for their status write. */
  private readonly queues: NodeFifos;
  private readonly perNode: InstanceType<typeof StatusNodes>;
  /** Status GETs and PATCHes sent (the summary's statusWrites; final deletes are in the API write mix). */
  readonly totals = { gets: 0, patches: 0 };

  constructor(
    engine: Engine,
    random: RandomStreams,
    api: ApiServer,
    clientOf: Int32Array,
    pods: PodTable,
    getLatency: DistSpec,
  ) {
    this.engine = engine;
    this.api = api;
    this.pods = pods;
    this.clientOf = clientOf;
    this.getLatency = new Sampler(getLatency, random.stream("kubelet/status-get"));
    const n = clientOf.length;
    this.queues = new NodeFifos(n);
    this.perNode = new StatusNodes(n);
    this.kGot = engine.register("kubelet.status.got", (pod) => this.onGot(pod));
    this.kPatched = engine.register("kubelet.status.patched", (pod) => this.onPatched(pod));
    this.kDeleted = engine.register("kubelet.status.deleted", () => {});
  }

  /** Pods waiting for their status write on `node` (not counting the one in flight). */
  queued(node: NodeIdx): number {
    return this.queues.length[node]!;
  }

  /**
   * Records a new status of `pod` on `node` with phase `phase` (a PodPhase); it is written at
   * the pod's turn. With `thenDelete`, the write is followed by the final delete (grace 0).
   */
  set(pod: PodIdx, node: NodeIdx, phase: number, thenDelete = false): void {
    this.rows.ensureRow(pod);
    this.rows.phase[pod] = phase;
    this.rows.podNode[pod] = node;
    if (thenDelete) this.rows.finalize[pod] = 1;
    if (this.perNode.down[node] === 1) return;
    const s = this.rows.state[pod]!;
    if (s === SyncState.queued) return;
    if (s === SyncState.inFlight) {
      this.rows.dirty[pod] = 1;
      return;
    }
    this.append(pod, node);
    if (this.perNode.busy[node] === 0) this.startNext(node);
  }

  /** The node's kubelet stopped: nothing more is written for its pods. */
  stopNode(node: NodeIdx): void {
    this.perNode.down[node] = 1;
    this.queues.clear(node);
  }

  /** Queues `pod` at the tail of `node`'s FIFO. */
  private append(pod: PodIdx, node: NodeIdx): void {
    this.rows.state[pod] = SyncState.queued;
    this.queues.push(node, pod, this.rows.next);
  }

  private startNext(node: NodeIdx): void {
    const pod = this.perNode.down[node] === 1 ? NONE : this.queues.shift(node, this.rows.next);
    if (pod === NONE) {
      this.perNode.busy[node] = 0;
      return;
    }
    this.perNode.busy[node] = 1;
    this.rows.state[pod] = SyncState.inFlight;
    this.rows.dirty[pod] = 0;
    // model: the GET goes through the kubelet's client-side limiter like every call.
    const wait = this.api.clients.limiters[this.clientOf[node]!]!.reserve(this.engine.now);
    this.totals.gets++;
    this.engine.schedule(wait + this.getLatency.sample(), this.kGot, pod);
  }

  private onGot(pod: PodIdx): void {
    const node = this.rows.podNode[pod]!;
    if (this.perNode.down[node] === 1) return;
    if (!Number.isNaN(this.pods.deletedNs[pod])) {
      // model: status_manager.go syncPod: NotFound -> nothing to write.
      this.done(pod, node);
      return;
    }
    this.totals.patches++;
    this.send(pod, node, Verb.patch, Resource.podsStatus, this.rows.phase[pod]!, STATUS_PATCH_BYTES, this.kPatched);
  }

  private onPatched(pod: PodIdx): void {
    const node = this.rows.podNode[pod]!;
    if (this.perNode.down[node] === 1) return;
    if (this.rows.finalize[pod] === 1 && this.rows.dirty[pod] === 0) {
      this.rows.finalize[pod] = 0;
      this.send(pod, node, Verb.delete, Resource.pods, PodDelete.final, DELETE_BYTES, this.kDeleted);
    }
    this.done(pod, node);
  }

  /** Submits `verb` on `resource` about `pod` through its node's client; `replyKind` fires with the pod. */
  private send(
    pod: PodIdx,
    node: NodeIdx,
    verb: Verb,
    resource: Resource,
    arg: number,
    bytes: number,
    replyKind: EventKind,
  ): void {
    this.api.submit(this.clientOf[node]!, verb, resource, pod, arg, bytes, replyKind, pod);
  }

  private done(pod: PodIdx, node: NodeIdx): void {
    this.rows.state[pod] = SyncState.idle;
    if (this.rows.dirty[pod] === 1) {
      this.rows.dirty[pod] = 0;
      this.append(pod, node);
    }
    this.startNext(node);
  }
}
