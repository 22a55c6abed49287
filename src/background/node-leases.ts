import type { ApiServer } from "../apiserver/api-server.js";
import { Resource, Status, Verb } from "../apiserver/request-table.js";
import type { NodeTable } from "../cluster/node-table.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams, Rng } from "../core/random.js";
import { FloatColumn } from "../etcd/float-column.js";
import type { BackgroundMode, PeriodicStreamSpec } from "../scenario/sections/background.js";
import { Groups } from "./groups.js";
import { TickCalendar } from "./tick-calendar.js";

/**
 * model: component-helpers/apimachinery/lease/controller.go Run:
 * wait.JitterUntil(c.sync, c.renewInterval, 0.04, true, stopCh): the next renewal starts one
 * renew interval plus up to 4% after the last sync returned (sliding).
 */
export const LEASE_JITTER_FACTOR = 0.04;

/** Who is told of a renewal that reached the API: the node lifecycle controller. */
export interface LeaseObserver {
  /** True if the node's kubelet has stopped (a failed node renews no more). */
  isFailed(node: number): boolean;
  leaseRenewed(node: number): void;
  /** From now on readiness is judged from the renewals reported. */
  watchLeases(): void;
}

/** What {@link NodeLeases} is built from. */
export interface NodeLeasesDeps {
  engine: Engine;
  random: RandomStreams;
  spec: PeriodicStreamSpec;
  mode: BackgroundMode;
  tickNs: number;
  api: ApiServer;
  nodes: NodeTable;
  /** Each node's kubelet client. */
  clientOf: Int32Array;
  observer: LeaseObserver;
}

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
  /** Client submit to answer, per renewal answered 200. */
  readonly latencyNs = new FloatColumn(4096);
  private readonly d: NodeLeasesDeps;
  private readonly rng: Rng;
  private readonly calendar: TickCalendar | undefined;
  private readonly groups = new Groups();
  private readonly kDue: EventKind;
  private readonly kReply: EventKind;

  constructor(d: NodeLeasesDeps) {
    this.d = d;
    this.rng = d.random.stream(this.name);
    const e = d.engine;
    this.kReply =
      d.mode === "perRequest"
        ? e.register("background.nodeLease.reply", (node, req) => this.onReply(node, req))
        : e.register("background.nodeLease.groupReply", (group, req) => this.onGroupReply(group, req));
    this.kDue = e.register("background.nodeLease.due", (node) => this.onDue(node));
    this.calendar =
      d.mode === "aggregate"
        ? new TickCalendar(
            e,
            this.name,
            d.tickNs,
            d.spec.periodNs * (1 + LEASE_JITTER_FACTOR) + d.tickNs,
            e.register("background.nodeLease.tick", () => this.onTick()),
          )
        : undefined;
  }

  /** model: kubelets of a running cluster renew at phases spread over one interval. */
  start(): void {
    this.d.observer.watchLeases();
    for (let node = 0; node < this.d.nodes.size; node++)
      this.schedule(node, this.d.engine.now + Math.floor(this.rng.next() * this.d.spec.periodNs));
  }

  private schedule(node: number, atNs: number): void {
    if (this.calendar !== undefined) this.calendar.add(node, atNs);
    else this.d.engine.scheduleAt(atNs, this.kDue, node);
  }

  /** The next renewal after a sync that ended now. */
  private next(node: number): void {
    const p = this.d.spec.periodNs;
    this.schedule(node, this.d.engine.now + p + Math.floor(this.rng.next() * LEASE_JITTER_FACTOR * p));
  }

  /** Whether `node`'s kubelet renews now; a node not joined yet is looked at again next period. */
  private renews(node: number): boolean {
    if (this.d.observer.isFailed(node)) return false;
    if (this.d.nodes.present[node] === 0) {
      this.schedule(node, this.d.engine.now + this.d.spec.periodNs);
      return false;
    }
    return true;
  }

  private onDue(node: number): void {
    if (!this.renews(node)) return;
    const d = this.d;
    d.api.submit(d.clientOf[node]!, Verb.update, Resource.leases, node, 0, d.spec.bytes, this.kReply, node);
  }

  private onReply(node: number, req: number): void {
    this.answered(node, req);
    this.next(node);
  }

  private readonly due: number[] = [];

  private onTick(): void {
    const cal = this.calendar!;
    const ids = cal.take();
    const due = this.due;
    due.length = 0;
    for (let i = 0; i < ids.length; i++) if (this.renews(ids[i]!)) due.push(ids[i]!);
    cal.done();
    if (due.length > 0)
      this.groups.submit(
        this.d.api,
        due,
        this.d.clientOf,
        Verb.update,
        Resource.leases,
        this.d.spec.bytes,
        this.kReply,
      );
  }

  private onGroupReply(group: number, req: number): void {
    const nodes = this.groups.take(group);
    for (let i = 0; i < nodes.length; i++) {
      this.answered(nodes[i]!, req);
      this.next(nodes[i]!);
    }
  }

  private answered(node: number, req: number): void {
    const r = this.d.api.requests;
    if (r.status[req] === Status.ok) {
      this.renewals++;
      this.latencyNs.push(r.doneNs[req]! - r.submitNs[req]!);
      this.d.observer.leaseRenewed(node);
    } else {
      this.failures++;
    }
  }
}
