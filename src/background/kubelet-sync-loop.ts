import type { ApiServer } from "../apiserver/api-server.js";
import type { NodeTable } from "../cluster/node-table.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams, Rng } from "../core/random.js";
import type { BackgroundMode, PeriodicStreamSpec } from "../scenario/sections/background.js";
import type { LeaseObserver } from "./node-leases.js";
import type { TickCalendar } from "./tick-calendar.js";

/**
 * model: the jitter of the kubelet's periodic loops: wait.JitterUntil(f, period, 0.04, true):
 * the next run starts one period plus up to 4% after the last one returned (sliding). Shared by
 * the Lease controller (component-helpers/apimachinery/lease/controller.go Run) and the node
 * status loop (pkg/kubelet/kubelet.go Run, syncNodeStatus).
 */
export const KUBELET_JITTER_FACTOR = 0.04;

/** What a stream of the kubelets' periodic requests is built from. */
export interface KubeletStreamDeps<S extends PeriodicStreamSpec = PeriodicStreamSpec> {
  engine: Engine;
  random: RandomStreams;
  spec: S;
  mode: BackgroundMode;
  tickNs: number;
  api: ApiServer;
  nodes: NodeTable;
  /** Each node's kubelet client. */
  clientOf: Int32Array;
  /** The node lifecycle controller: it tells which kubelets have stopped, and hears renewals. */
  observer: LeaseObserver;
}

/**
 * When each node's kubelet runs one of its periodic loops: one engine event per node and run
 * (`kDue` with the node as target), or, in aggregate mode, filed in a {@link TickCalendar}
 * whose tick hands over every node due. Draws (start phases, jitter) come from the owner's
 * random stream.
 */
export class KubeletSyncLoop {
  private readonly d: KubeletStreamDeps;
  private readonly rng: Rng;
  private readonly calendar: TickCalendar | undefined;
  private readonly kDue: EventKind;
  /** {@link takeDue}'s answer, reused at every tick. perf: nothing allocated per tick. */
  private readonly due: number[] = [];

  constructor(d: KubeletStreamDeps, rng: Rng, calendar: TickCalendar | undefined, kDue: EventKind) {
    this.d = d;
    this.rng = rng;
    this.calendar = calendar;
    this.kDue = kDue;
  }

  /** model: the kubelets of a running cluster run their loops at phases spread over one period. */
  start(node: number): void {
    this.schedule(node, this.d.engine.now + Math.floor(this.rng.next() * this.d.spec.periodNs));
  }

  /** The next run after one that ended now. */
  next(node: number): void {
    const p = this.d.spec.periodNs;
    this.schedule(node, this.d.engine.now + p + Math.floor(this.rng.next() * KUBELET_JITTER_FACTOR * p));
  }

  /** Whether `node`'s kubelet runs now; a node not joined yet is looked at again next period. */
  runs(node: number): boolean {
    if (this.d.observer.isFailed(node)) return false;
    if (this.d.nodes.present[node] === 0) {
      this.schedule(node, this.d.engine.now + this.d.spec.periodNs);
      return false;
    }
    return true;
  }

  /** At a tick of the calendar: the nodes due now whose kubelet runs (valid until the next call). */
  takeDue(): readonly number[] {
    const cal = this.calendar!;
    const ids = cal.take();
    const out = this.due;
    out.length = 0;
    for (let i = 0; i < ids.length; i++) if (this.runs(ids[i]!)) out.push(ids[i]!);
    cal.done();
    return out;
  }

  private schedule(node: number, atNs: number): void {
    if (this.calendar !== undefined) this.calendar.add(node, atNs);
    else this.d.engine.scheduleAt(atNs, this.kDue, node);
  }
}
