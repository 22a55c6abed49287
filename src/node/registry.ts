import type { Engine, EventHandle, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import { NS_PER } from "../core/time.js";
import { RingQueue } from "../sync/ring-queue.js";
import { columnPool, columnTable } from "../core/column-table.js";

/** Bandwidth and request limits of the shared image registry and of the nodes' NICs. */
export interface RegistryConfig {
  /** Aggregate egress bandwidth B of the registry, bytes/s (`Infinity`: unlimited). */
  bandwidthBytesPerSec: number;
  /** NIC bandwidth b of each node, bytes/s: one figure for all nodes, or one per node. */
  nodeBandwidthBytesPerSec: number | ArrayLike<number>;
  /**
   * Blob requests the registry serves at once; later ones wait FIFO until one finishes.
   * Default `Infinity`.
   */
  maxConcurrentRequests?: number;
}

const NS_PER_S = NS_PER.s;
/** Share of the aggregate bandwidth at which the registry counts as saturated (float tolerance). */
const SATURATED = 0.999;
/** Where a flow id stands. */
const FlowState = { free: 0, waiting: 1, active: 2 } as const;

/**
 * The registry's flows, pooled (ids recycled). perf: structure of arrays. The `a*` columns are
 * indexed by active slot 0 .. activeCount-1, not by flow id: the per-change loops walk them
 * densely (no flow-id indirection) and removal moves the last slot into the hole; `candidates`
 * are the flows the last rebalance found finishing at the timer's instant, with their delays.
 * They share the flow columns' capacity, which bounds both.
 */
const FlowRows = columnPool({
  flowState: { type: "Uint8", unset: FlowState.free },
  flowNode: { type: "Int32", unset: -1 },
  flowSize: "Float64",
  flowKind: "Int32",
  flowTarget: "Int32",
  flowArg: "Float64",
  /** Slot of an active flow in the `a*` columns. */
  flowSlot: { type: "Int32", unset: -1 },
  aFlow: { type: "Int32", unset: -1 },
  aNode: { type: "Int32", unset: -1 },
  aRemaining: "Float64",
  /** Bytes per second. */
  aRate: "Float64",
  candidates: { type: "Int32", unset: -1 },
  candidateDelay: "Float64",
});

/** Per-node columns (node id -> ...). */
const NodeRows = columnTable({
  /** NIC bandwidth b, bytes/s. */
  bw: "Float64",
  /** Active flows of the node, and its position in `activeNodes` (-1: none); kept by activate and deactivate. */
  flows: "Int32",
  pos: { type: "Int32", unset: -1 },
  /** Set by each rebalance: whether the NIC caps the node's flows, and the rate of each. */
  capped: "Uint8",
  rate: "Float64",
});

/** What a {@link Registry} has served so far, as the run summary reports it. */
export interface RegistryTotals {
  /** Highest {@link Registry.throughputBytesPerSec} seen so far. */
  peakThroughputBytesPerSec: number;
  /** Most flows ever queued behind the request limit at once. */
  peakWaitingFlows: number;
  /** Bytes of all finished flows. */
  bytesServed: number;
  /** Flows ever started. */
  flowsStarted: number;
}

/**
 * The shared image registry as a fluid-flow network: every active blob download (one layer to
 * one node) is a flow whose rate is set by max-min fairness under two constraints, the
 * registry's aggregate bandwidth B (shared by all flows) and each node's NIC bandwidth b
 * (shared by that node's flows). Water-filling gives a flow on node n the rate
 * `min(b_n / k_n, λ)`, k_n being the node's active flows and λ the level at which the flows not
 * held back by their NIC use up what B leaves. Rates are recomputed whenever a flow starts or
 * ends, so N equal downloads that start together finish together at exactly N·S/B (or S/b).
 *
 * model: TCP flows sharing bottlenecks converge to (roughly) max-min fair shares; a fluid model
 * ignores slow start and packet-level effects, which is the usual abstraction for bulk
 * transfers (SimGrid's LV08 network model is the best-known example). The registry's request
 * limit models a server's connection/worker limit; blob requests beyond it queue FIFO.
 *
 * perf: one completion timer for the whole registry (at the earliest finish), not one engine
 * event per flow. When the registry is the bottleneck every start or finish moves every flow's
 * finish time, and per-flow cancel + schedule would leave one cancelled slot per flow per change
 * in the engine's lazily-cancelled heap. Starts and finishes at one instant are batched into one
 * rebalance, an O(active flows + active nodes) pass.
 *
 * Contract: `startFlow` returns at once; `doneKind(target, arg)` fires (through the engine, at
 * the finishing instant) when the last byte arrives. Completion times are rounded up to whole ns.
 */
export class Registry {
  readonly bandwidthBytesPerSec: number;
  readonly maxConcurrentRequests: number;
  readonly nodeCount: number;
  /** Sum of the active flows' rates, bytes/s, as of the last rate change. */
  throughputBytesPerSec = 0;
  readonly totals: RegistryTotals = {
    peakThroughputBytesPerSec: 0,
    peakWaitingFlows: 0,
    bytesServed: 0,
    flowsStarted: 0,
  };
  private readonly engine: Engine;
  private readonly name: string;
  private readonly timerKind: EventKind;
  private readonly rebalanceKind: EventKind;

  // Flow columns (flow id -> ...) and, sized with them, the active-slot and candidate columns.
  private readonly flows = new FlowRows(64);
  private activeCount = 0;
  private candidateCount = 0;
  private readonly waiting = new RingQueue();

  private readonly nodes: InstanceType<typeof NodeRows>;
  /** The nodes with active flows, 0 .. activeNodeCount-1: the per-change loops visit only those. */
  private readonly activeNodes: Int32Array;
  private activeNodeCount = 0;

  /** Time up to which every active flow's remaining bytes are exact. */
  private advancedNs = 0;
  private timer: EventHandle | -1 = -1;
  private timerAtNs = -1;
  private rebalancePending = false;

  /** Time-weighted accounting of the aggregate rate, brought up to `rateSinceNs`. */
  private rateSinceNs = 0;
  private saturated = 0;
  private active = 0;

  constructor(engine: Engine, nodeCount: number, config: RegistryConfig, name = "registry") {
    this.engine = engine;
    this.name = name;
    this.nodeCount = nodeCount;
    this.bandwidthBytesPerSec = config.bandwidthBytesPerSec;
    this.maxConcurrentRequests = config.maxConcurrentRequests ?? Infinity;
    if (!(this.bandwidthBytesPerSec > 0)) throw new RangeError(`${name}: bandwidth must be > 0`);
    if (!(this.maxConcurrentRequests >= 1)) throw new RangeError(`${name}: maxConcurrentRequests must be >= 1`);
    this.nodes = new NodeRows(nodeCount);
    this.activeNodes = new Int32Array(nodeCount);
    const b = config.nodeBandwidthBytesPerSec;
    for (let n = 0; n < nodeCount; n++) {
      const v = typeof b === "number" ? b : b[n];
      if (v === undefined || !(v > 0)) throw new RangeError(`${name}: node ${n} bandwidth must be > 0, got ${v}`);
      if (v === Infinity && this.bandwidthBytesPerSec === Infinity) {
        throw new RangeError(`${name}: registry and node ${n} bandwidth cannot both be unlimited`);
      }
      this.nodes.bw[n] = v;
    }
    this.timerKind = engine.register(`${name}.flowsDone`, () => this.onTimer());
    this.rebalanceKind = engine.register(`${name}.rebalance`, () => this.rebalance());
  }

  /** Flows transferring now. */
  get activeFlows(): number {
    return this.activeCount;
  }

  /** Flows queued behind the request limit. */
  get waitingFlows(): number {
    return this.waiting.size;
  }

  /**
   * Simulated time up to `nowNs` during which the registry sent at (at least 99.9% of) its
   * aggregate bandwidth: how long it was the bottleneck.
   */
  saturatedNs(nowNs: number): number {
    return (
      this.saturated +
      (this.throughputBytesPerSec >= SATURATED * this.bandwidthBytesPerSec ? nowNs - this.rateSinceNs : 0)
    );
  }

  /** Simulated time up to `nowNs` during which at least one flow was transferring. */
  activeNs(nowNs: number): number {
    return this.active + (this.throughputBytesPerSec > 0 ? nowNs - this.rateSinceNs : 0);
  }

  /** Active flows of `node`. */
  flowsOn(node: number): number {
    return this.nodes.flows[node]!;
  }

  /** Current rate of an active flow, bytes/s (0 for a waiting one). */
  rateOf(flow: number): number {
    return this.flows.flowState[flow] === FlowState.active ? this.flows.aRate[this.flows.flowSlot[flow]!]! : 0;
  }

  /**
   * Starts downloading `bytes` to `node`. Returns the flow id (recycled after it finishes), or
   * -1 for an empty transfer, which finishes at once. `doneKind(target, arg)` fires when the
   * transfer ends.
   */
  startFlow(node: number, bytes: number, doneKind: EventKind, target: number, arg = 0): number {
    if (!(node >= 0 && node < this.nodeCount)) {
      throw new SimulationError(this.name, this.engine.now, `no node ${node}`);
    }
    this.totals.flowsStarted++;
    if (!(bytes > 0)) {
      this.engine.schedule(0, doneKind, target, arg);
      return -1;
    }
    const f = this.flows.claim();
    this.flows.flowNode[f] = node;
    this.flows.flowSize[f] = bytes;
    this.flows.flowKind[f] = doneKind;
    this.flows.flowTarget[f] = target;
    this.flows.flowArg[f] = arg;
    if (this.activeCount < this.maxConcurrentRequests && this.waiting.size === 0) {
      this.activate(f);
    } else {
      this.flows.flowState[f] = FlowState.waiting;
      this.waiting.push(f);
      if (this.waiting.size > this.totals.peakWaitingFlows) this.totals.peakWaitingFlows = this.waiting.size;
    }
    this.markDirty();
    return f;
  }

  private activate(f: number): void {
    this.flows.flowState[f] = FlowState.active;
    const slot = this.activeCount++;
    const n = this.flows.flowNode[f]!;
    this.flows.flowSlot[f] = slot;
    this.flows.aFlow[slot] = f;
    this.flows.aNode[slot] = n;
    this.flows.aRemaining[slot] = this.flows.flowSize[f]!;
    this.flows.aRate[slot] = 0; // until the next rebalance, which runs at this instant
    const nodes = this.nodes;
    if (nodes.flows[n]!++ === 0) {
      nodes.pos[n] = this.activeNodeCount;
      this.activeNodes[this.activeNodeCount++] = n;
    }
  }

  private deactivate(f: number): void {
    const slot = this.flows.flowSlot[f]!;
    const last = --this.activeCount;
    if (slot !== last) {
      const g = this.flows.aFlow[last]!;
      this.flows.aFlow[slot] = g;
      this.flows.aNode[slot] = this.flows.aNode[last]!;
      this.flows.aRemaining[slot] = this.flows.aRemaining[last]!;
      this.flows.aRate[slot] = this.flows.aRate[last]!;
      this.flows.flowSlot[g] = slot;
    }
    const n = this.flows.flowNode[f]!;
    const nodes = this.nodes;
    if (--nodes.flows[n]! === 0) {
      const p = nodes.pos[n]!;
      const lastNode = this.activeNodes[--this.activeNodeCount]!;
      this.activeNodes[p] = lastNode;
      nodes.pos[lastNode] = p;
      nodes.pos[n] = -1;
    }
    this.flows.flowState[f] = FlowState.free;
    this.flows.release(f);
  }

  /**
   * Rates change only in `rebalance`, which runs once per instant at which flows started or
   * ended. perf: a burst of starts at one instant (a pull storm) costs one O(flows) pass, not one
   * per flow.
   */
  private markDirty(): void {
    if (this.rebalancePending) return;
    this.rebalancePending = true;
    this.engine.schedule(0, this.rebalanceKind, 0, 0);
  }

  /** Water-fills the rates, advancing every flow to now on the way, and schedules the next completion. */
  private rebalance(): void {
    this.rebalancePending = false;
    const now = this.engine.now;
    const nodes = this.activeNodes;
    const { flows: nodeFlows, bw: nodeBw, capped, rate: nodeRate } = this.nodes;
    const nodeCount = this.activeNodeCount;
    for (let i = 0; i < nodeCount; i++) capped[nodes[i]!] = 0;
    // model: progressive filling. All flows rise together to level λ = (B - Σ capped b_n) /
    // (flows on uncapped nodes); a node whose per-flow NIC share b_n / k_n is at or below λ is
    // capped there. λ only grows as nodes are capped, so each pass may cap all nodes below the
    // current λ; passes repeat until none is capped (at most one per distinct share level).
    let remB = this.bandwidthBytesPerSec;
    let remF = this.activeCount;
    let lambda = Infinity;
    for (;;) {
      lambda = remF > 0 ? remB / remF : Infinity;
      let changed = false;
      for (let i = 0; i < nodeCount; i++) {
        const n = nodes[i]!;
        if (capped[n] === 1) continue;
        const k = nodeFlows[n]!;
        if (nodeBw[n]! / k <= lambda) {
          capped[n] = 1;
          remB -= nodeBw[n]!;
          remF -= k;
          changed = true;
        }
      }
      if (!changed) break;
    }
    for (let i = 0; i < nodeCount; i++) {
      const n = nodes[i]!;
      const r = capped[n] === 1 ? nodeBw[n]! / nodeFlows[n]! : lambda;
      if (!(r > 0 && r < Infinity)) throw new SimulationError(this.name, now, `node ${n} got flow rate ${r}`);
      nodeRate[n] = r;
    }
    // perf: one dense pass advances each flow at its old rate (exact: rates change only here),
    // sets its new rate and finds the earliest finish.
    const scale = (now - this.advancedNs) / NS_PER.s;
    this.advancedNs = now;
    const { aNode, aRemaining: rem, aRate: rate, aFlow, candidates: cand, candidateDelay: candDelay } = this.flows;
    let candCount = 0;
    let sum = 0;
    let minDelay = Infinity;
    let bound = Infinity; // candidates finish within ceil(minDelay) + 1 ns
    for (let i = 0, c = this.activeCount; i < c; i++) {
      const left = rem[i]! - rate[i]! * scale;
      rem[i] = left;
      const r = nodeRate[aNode[i]!]!;
      rate[i] = r;
      sum += r;
      // perf: divide only for flows that may finish first (bound * r is Infinity at the start).
      if (left * NS_PER_S <= bound * r) {
        const d = left <= 0 ? 0 : (left * NS_PER_S) / r;
        if (d < minDelay) {
          minDelay = d;
          bound = Math.ceil(d) + 1;
        }
        cand[candCount] = aFlow[i]!;
        candDelay[candCount++] = d;
      }
    }
    // Drop candidates admitted before the minimum fell.
    let kept = 0;
    for (let j = 0; j < candCount; j++) {
      if (candDelay[j]! <= bound) cand[kept++] = cand[j]!;
    }
    this.candidateCount = kept;
    this.saturated = this.saturatedNs(now);
    this.active = this.activeNs(now);
    this.rateSinceNs = now;
    this.throughputBytesPerSec = sum;
    if (sum > this.totals.peakThroughputBytesPerSec) this.totals.peakThroughputBytesPerSec = sum;
    if (minDelay === Infinity) {
      this.cancelTimer();
      return;
    }
    // model: completion instants are rounded up to whole ns, so a transfer never ends early.
    const at = now + Math.ceil(minDelay);
    if (this.timer !== -1 && this.timerAtNs === at) return;
    this.cancelTimer();
    this.timer = this.engine.scheduleAt(at, this.timerKind, 0, 0);
    this.timerAtNs = at;
  }

  private cancelTimer(): void {
    if (this.timer !== -1) this.engine.cancel(this.timer);
    this.timer = -1;
    this.timerAtNs = -1;
  }

  /**
   * Ends the flows whose last byte has arrived, admits waiting flows, and asks for a rebalance.
   * perf: only the candidates the last rebalance marked (those finishing at this instant) are
   * examined; the other flows are advanced by the rebalance that follows at this instant, which
   * is exact because their rates have not changed since `advancedNs`.
   */
  private onTimer(): void {
    this.timer = -1;
    this.timerAtNs = -1;
    const scale = (this.engine.now - this.advancedNs) / NS_PER.s;
    const { aRemaining: rem, aRate: rate, flowSlot: slotOf, candidates: cand } = this.flows;
    for (let j = 0, c = this.candidateCount; j < c; j++) {
      const f = cand[j]!;
      const slot = slotOf[f]!;
      // Done when less than one ns of transfer is left (float residue of the rounded-up instant);
      // otherwise the rebalance below reschedules it.
      if ((rem[slot]! - rate[slot]! * scale) * NS_PER.s > rate[slot]!) continue;
      this.totals.bytesServed += this.flows.flowSize[f]!;
      const kind = this.flows.flowKind[f]! as EventKind;
      const target = this.flows.flowTarget[f]!;
      const arg = this.flows.flowArg[f]!;
      this.deactivate(f);
      this.engine.schedule(0, kind, target, arg);
    }
    this.candidateCount = 0;
    while (this.activeCount < this.maxConcurrentRequests && this.waiting.size > 0) {
      this.activate(this.waiting.shift());
    }
    this.markDirty();
  }
}
