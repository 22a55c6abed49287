import { Resource, Status, Verb } from "../apiserver/request-table.js";
import { Res } from "../cluster/resources.js";
import type { EventKind } from "../core/engine.js";
import type { Rng } from "../core/random.js";
import type { NodeStatusStreamSpec } from "../scenario/sections/background.js";
import { columnTable } from "../core/column-table.js";
import { Groups } from "./groups.js";
import { KUBELET_JITTER_FACTOR, type KubeletStreamDeps, KubeletSyncLoop } from "./kubelet-sync-loop.js";
import { TickCalendar } from "./tick-calendar.js";

/** model: (assumed) a GET of a Node from the watch cache: the object as stored. */
const GET_BYTES = 12_000;

/** Per node: the last report's time, pod count and readiness. */
const LastReports = columnTable({
  atNs: "Float64",
  pods: "Float64",
  ready: "Uint8",
});

/** What {@link NodeStatus} is built from. */
export type NodeStatusDeps = KubeletStreamDeps<NodeStatusStreamSpec>;

/**
 * The kubelets' node status updates.
 *
 * model: pkg/kubelet/kubelet.go Run: wait.JitterUntil(kl.syncNodeStatus,
 * kl.nodeStatusUpdateFrequency, 0.04, true, ...): every update frequency (10 s) the kubelet
 * computes its status; kubelet_node_status.go tryUpdateNodeStatus first GETs its Node from the
 * API server's cache (resourceVersion 0), then PATCHes nodes/status only if the status changed
 * or `kl.clock.Since(kl.lastStatusReportTime) >= kl.nodeStatusReportFrequency` (5 min). Here
 * the status changes when the node's pod count (its allocated resources) or its readiness
 * changed since the last report; heartbeat times alone are not a change (nodeStatusHasChanged).
 * Random draws come from the stream `background/node-status`.
 */
export class NodeStatus {
  readonly name = "background/node-status";
  /** GETs answered, PATCHes answered 200, and requests that failed. */
  gets = 0;
  patches = 0;
  failures = 0;
  private readonly d: NodeStatusDeps;
  private readonly rng: Rng;
  private readonly last: InstanceType<typeof LastReports>;
  private readonly loop: KubeletSyncLoop;
  private readonly groups = new Groups();
  private readonly kGot: EventKind;
  private readonly kPatched: EventKind;
  private readonly patch: number[] = [];

  constructor(d: NodeStatusDeps) {
    this.d = d;
    this.rng = d.random.stream(this.name);
    this.last = new LastReports(d.nodes.size);
    const e = d.engine;
    const per = d.mode === "perRequest";
    const kDue = e.register("background.nodeStatus.due", (node) => this.onDue(node));
    this.kGot = per
      ? e.register("background.nodeStatus.got", (node, req) => this.onGot(node, req))
      : e.register("background.nodeStatus.groupGot", (group, req) => this.onGroupGot(group, req));
    this.kPatched = per
      ? e.register("background.nodeStatus.patched", (node, req) => this.onPatched(node, req))
      : e.register("background.nodeStatus.groupPatched", (group, req) => this.onGroupPatched(group, req));
    const calendar = per
      ? undefined
      : new TickCalendar(
          e,
          this.name,
          d.tickNs,
          d.spec.periodNs * (1 + KUBELET_JITTER_FACTOR) + d.tickNs,
          e.register("background.nodeStatus.tick", () => this.onTick()),
          Math.floor(d.tickNs / 4),
        );
    this.loop = new KubeletSyncLoop(d, this.rng, calendar, kDue);
  }

  /**
   * model: in a running cluster the kubelets' sync phases and last reports are spread over one
   * update period and one report period; the status they last reported is the current one.
   */
  start(): void {
    const d = this.d;
    const now = d.engine.now;
    for (let node = 0; node < d.nodes.size; node++) {
      this.last.atNs[node] = now - Math.floor(this.rng.next() * d.spec.reportFrequencyNs);
      this.remember(node);
      this.loop.start(node);
    }
  }

  private remember(node: number): void {
    const nodes = this.d.nodes;
    this.last.pods[node] = nodes.requested[node * nodes.resourceCount + Res.pods]!;
    this.last.ready[node] = nodes.ready[node]!;
  }

  /** shouldPatchNodeStatus: changed, or the report period has passed. */
  private shouldPatch(node: number): boolean {
    const nodes = this.d.nodes;
    const last = this.last;
    if (nodes.requested[node * nodes.resourceCount + Res.pods] !== last.pods[node]) return true;
    if (nodes.ready[node] !== last.ready[node]) return true;
    return this.d.engine.now - last.atNs[node]! >= this.d.spec.reportFrequencyNs;
  }

  private ok(req: number): boolean {
    const r = this.d.api.requests;
    if (r.status[req] === Status.ok) return true;
    this.failures += r.count[req]!;
    return false;
  }

  private patched(node: number): void {
    this.patches++;
    this.last.atNs[node] = this.d.engine.now;
    this.remember(node);
  }

  // ---- one request each ----

  private onDue(node: number): void {
    if (!this.loop.runs(node)) return;
    const d = this.d;
    d.api.submit(d.clientOf[node]!, Verb.get, Resource.nodes, node, 0, GET_BYTES, this.kGot, node);
  }

  private onGot(node: number, req: number): void {
    const got = this.ok(req);
    if (got) this.gets++;
    if (!got || !this.shouldPatch(node)) {
      this.loop.next(node);
      return;
    }
    const d = this.d;
    d.api.submit(d.clientOf[node]!, Verb.patch, Resource.nodesStatus, node, 0, d.spec.bytes, this.kPatched, node);
  }

  private onPatched(node: number, req: number): void {
    if (this.ok(req)) this.patched(node);
    this.loop.next(node);
  }

  // ---- aggregates ----

  private onTick(): void {
    const due = this.loop.takeDue();
    if (due.length > 0)
      this.groups.submit(this.d.api, due, this.d.clientOf, Verb.get, Resource.nodes, GET_BYTES, this.kGot);
  }

  private onGroupGot(group: number, req: number): void {
    const d = this.d;
    const nodes = this.groups.take(group);
    const patch = this.patch;
    patch.length = 0;
    const ok = this.ok(req);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (ok) this.gets++;
      if (ok && this.shouldPatch(node)) patch.push(node);
      else this.loop.next(node);
    }
    if (patch.length > 0)
      this.groups.submit(d.api, patch, d.clientOf, Verb.patch, Resource.nodesStatus, d.spec.bytes, this.kPatched);
  }

  private onGroupPatched(group: number, req: number): void {
    const nodes = this.groups.take(group);
    const ok = this.ok(req);
    for (let i = 0; i < nodes.length; i++) {
      if (ok) this.patched(nodes[i]!);
      this.loop.next(nodes[i]!);
    }
  }
}
