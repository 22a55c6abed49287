import type { Component } from "../core/component.js";
import type { Engine, EventKind } from "../core/engine.js";
import { Res } from "../cluster/resources.js";
import type { NodeTable } from "../cluster/node-table.js";
import { growF64, growI32, growU8 } from "../core/grow.js";
import type { Kubelets } from "./kubelet.js";

/**
 * The nodes.arrow time series: every `intervalNs` of simulated time, one row per present node
 * with its allocation (requests of the pods its kubelet admitted), pods running, the image
 * puller's queue depth and active pulls, addresses used in its pod CIDR, bytes pulled so far,
 * and its Ready / cordoned state. Alongside, one registry row per sample (aggregate throughput,
 * active and queued blob downloads).
 *
 * Samples are instantaneous levels (not time-weighted). The sampler keeps itself scheduled only
 * while at least two other events are pending, so a run that drains its queue still ends even
 * next to another periodic sampler (the last sample may then come one interval early).
 * perf: rows append to typed columns grown by doubling; nothing is allocated per row.
 */
export class NodeSampler implements Component {
  readonly name = "node-sampler";
  readonly intervalNs: number;
  private readonly engine: Engine;
  private readonly nodes: NodeTable;
  private readonly kubelets: Kubelets;
  private readonly kSample: EventKind;
  private rows = 0;
  timeNs = new Float64Array(1024);
  node = new Int32Array(1024);
  cpuMilli = new Float64Array(1024);
  memBytes = new Float64Array(1024);
  podsAdmitted = new Int32Array(1024);
  podsRunning = new Int32Array(1024);
  pullQueue = new Int32Array(1024);
  pullsActive = new Int32Array(1024);
  ipsUsed = new Int32Array(1024);
  bytesPulled = new Float64Array(1024);
  ready = new Uint8Array(1024);
  cordoned = new Uint8Array(1024);
  /** Registry series: one entry per sample. */
  registryTimeNs: number[] = [];
  registryThroughput: number[] = [];
  registryActiveFlows: number[] = [];
  registryWaitingFlows: number[] = [];
  /** Deepest image-pull queue (waiting pulls) seen on any node at a sample. */
  peakPullQueue = 0;

  constructor(engine: Engine, nodes: NodeTable, kubelets: Kubelets, intervalNs: number) {
    this.engine = engine;
    this.nodes = nodes;
    this.kubelets = kubelets;
    this.intervalNs = intervalNs;
    this.kSample = engine.register("nodes.sample", () => this.onSample());
  }

  /** Takes the first sample now (at the start of the run). */
  start(): void {
    this.engine.schedule(0, this.kSample);
  }

  /** Rows sampled so far. */
  get size(): number {
    return this.rows;
  }

  private onSample(): void {
    const now = this.engine.now;
    const nodes = this.nodes;
    const k = this.kubelets;
    const R = nodes.resourceCount;
    for (let n = 0; n < nodes.size; n++) {
      if (nodes.present[n] === 0) continue;
      if (this.rows === this.timeNs.length) this.grow();
      const i = this.rows++;
      this.timeNs[i] = now;
      this.node[i] = n;
      this.cpuMilli[i] = k.admitted[n * R + Res.cpu]!;
      this.memBytes[i] = k.admitted[n * R + Res.memory]!;
      this.podsAdmitted[i] = k.admitted[n * R + Res.pods]!;
      this.podsRunning[i] = k.runningOn[n]!;
      const q = k.puller.queueDepth(n);
      this.pullQueue[i] = q;
      if (q > this.peakPullQueue) this.peakPullQueue = q;
      this.pullsActive[i] = k.puller.activePulls(n);
      this.ipsUsed[i] = k.ipam.used(n);
      this.bytesPulled[i] = k.puller.bytesPulledOn(n);
      this.ready[i] = nodes.ready[n]!;
      this.cordoned[i] = nodes.unschedulable[n]!;
    }
    this.registryTimeNs.push(now);
    this.registryThroughput.push(k.registry.throughputBytesPerSec);
    this.registryActiveFlows.push(k.registry.activeFlows);
    this.registryWaitingFlows.push(k.registry.waitingFlows);
    // Keep sampling only while the simulation has other work pending. More than one other
    // event: another self-rescheduling sampler (src/metrics/time-series.ts reschedules while
    // anything is pending) must not keep this one alive, nor this one it, once the run is done.
    if (this.engine.pending > 1) this.engine.schedule(this.intervalNs, this.kSample);
  }

  private grow(): void {
    const cap = this.timeNs.length * 2;
    this.timeNs = growF64(this.timeNs, cap);
    this.node = growI32(this.node, cap);
    this.cpuMilli = growF64(this.cpuMilli, cap);
    this.memBytes = growF64(this.memBytes, cap);
    this.podsAdmitted = growI32(this.podsAdmitted, cap);
    this.podsRunning = growI32(this.podsRunning, cap);
    this.pullQueue = growI32(this.pullQueue, cap);
    this.pullsActive = growI32(this.pullsActive, cap);
    this.ipsUsed = growI32(this.ipsUsed, cap);
    this.bytesPulled = growF64(this.bytesPulled, cap);
    this.ready = growU8(this.ready, cap);
    this.cordoned = growU8(this.cordoned, cap);
  }
}
