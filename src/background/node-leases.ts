import { Resource, Status, Verb } from "../apiserver/request-table.js";
import type { EventKind } from "../core/engine.js";
import type { Rng } from "../core/random.js";
import { columnTable } from "../core/column-table.js";
import type { PeriodicStreamSpec } from "../scenario/sections/background.js";
import { Groups } from "./groups.js";
import { KUBELET_JITTER_FACTOR, type KubeletStreamDeps, KubeletSyncLoop } from "./kubelet-sync-loop.js";
import { TickCalendar } from "./tick-calendar.js";

/** Who is told of a renewal that reached the API: the node lifecycle controller. */
export interface LeaseObserver {
  /** True if the node's kubelet has stopped (a failed node renews no more). */
  isFailed(node: number): boolean;
  leaseRenewed(node: number): void;
  /** From now on readiness is judged from the renewals reported. */
  watchLeases(): void;
}

/**
 * Latencies of renewals answered 200: one row per answer, which in `aggregate` mode stands for
 * the `renewals` renewals of one group request (they share its latency).
 */
const RenewalLatencies = columnTable({ latencyNs: { type: "Float64", unset: NaN }, renewals: "Int32" });

/** What {@link NodeLeases} is built from. */
export type NodeLeasesDeps = KubeletStreamDeps<PeriodicStreamSpec>;

/**
 * The kubelets' node Lease renewals: an UPDATE of the node's Lease in kube-node-lease every
 * renew interval (from the cached lease, no GET: controller.go sync), through the kubelet's
 * client, classified by APF as system-node-high. Each renewal that the API answers 200 is
 * reported to the node lifecycle controller, which judges readiness from them.
 *
 * In `perRequest` mode each renewal is its own request and event; in `aggregate` mode the
 * renewals due within one tick go together ({@link TickCalendar}, ApiServer.submitGroup).
 * Random draws (start phases, jitter) come from the stream `background/node-leases`.
 */
export class NodeLeases {
  readonly name = "background/node-leases";
  /** Renewals answered 200, and renewals that failed (the API gave up on them). */
  renewals = 0;
  failures = 0;
  /**
   * Client submit to answer of the renewals answered 200, a row per request. perf: a row per
   * group request, not per renewal: bench/scenarios/1m-pods-50k-nodes.yaml (50,000 nodes, 2.7 h)
   * answers 48M renewals in 108k group requests, and a value per renewal took 512 MB.
   */
  readonly latencies = new RenewalLatencies(4096);
  private readonly d: NodeLeasesDeps;
  private readonly loop: KubeletSyncLoop;
  private readonly groups = new Groups();
  private readonly kReply: EventKind;

  constructor(d: NodeLeasesDeps) {
    this.d = d;
    const rng: Rng = d.random.stream(this.name);
    const e = d.engine;
    this.kReply =
      d.mode === "perRequest"
        ? e.register("background.nodeLease.reply", (node, req) => this.onReply(node, req))
        : e.register("background.nodeLease.groupReply", (group, req) => this.onGroupReply(group, req));
    const kDue = e.register("background.nodeLease.due", (node) => this.onDue(node));
    const calendar =
      d.mode === "aggregate"
        ? new TickCalendar(
            e,
            this.name,
            d.tickNs,
            d.spec.periodNs * (1 + KUBELET_JITTER_FACTOR) + d.tickNs,
            e.register("background.nodeLease.tick", () => this.onTick()),
          )
        : undefined;
    this.loop = new KubeletSyncLoop(d, rng, calendar, kDue);
  }

  start(): void {
    this.d.observer.watchLeases();
    for (let node = 0; node < this.d.nodes.size; node++) this.loop.start(node);
  }

  private onDue(node: number): void {
    if (!this.loop.runs(node)) return;
    const d = this.d;
    d.api.submit(d.clientOf[node]!, Verb.update, Resource.leases, node, 0, d.spec.bytes, this.kReply, node);
  }

  private onReply(node: number, req: number): void {
    this.recordLatency(req, 1);
    this.answered(node, req);
    this.loop.next(node);
  }

  private onTick(): void {
    const d = this.d;
    const due = this.loop.takeDue();
    if (due.length > 0)
      this.groups.submit(d.api, due, d.clientOf, Verb.update, Resource.leases, d.spec.bytes, this.kReply);
  }

  private onGroupReply(group: number, req: number): void {
    const nodes = this.groups.take(group);
    this.recordLatency(req, nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      this.answered(nodes[i]!, req);
      this.loop.next(nodes[i]!);
    }
  }

  /** Records the latency of request `req` for the `renewals` renewals it answered, if it answered 200. */
  private recordLatency(req: number, renewals: number): void {
    const r = this.d.api.requests;
    if (r.status[req] !== Status.ok) return;
    const latencyNs = r.doneNs[req]! - r.submitNs[req]!;
    const i = this.latencies.addRow();
    this.latencies.latencyNs[i] = latencyNs;
    this.latencies.renewals[i] = renewals;
  }

  private answered(node: number, req: number): void {
    if (this.d.api.requests.status[req] === Status.ok) {
      this.renewals++;
      this.d.observer.leaseRenewed(node);
    } else {
      this.failures++;
    }
  }
}
