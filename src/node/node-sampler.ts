import type { Component } from "../core/component.js";
import type { Engine, EventKind } from "../core/engine.js";
import { Res } from "../cluster/resources.js";
import type { NodeTable } from "../cluster/node-table.js";
import { columnTable } from "../core/column-table.js";
import type { Kubelets } from "./kubelet.js";

/** The registry's series: aggregate throughput, active and queued blob downloads per sample. */
const RegistrySamples = columnTable({
  timeNs: { type: "Float64", unset: NaN },
  throughput: { type: "Float64", unset: 0 },
  activeFlows: { type: "Int32", unset: 0 },
  waitingFlows: { type: "Int32", unset: 0 },
});

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
export class NodeSampler
  extends columnTable({
    timeNs: { type: "Float64", unset: NaN },
    node: { type: "Int32", unset: -1 },
    cpuMilli: { type: "Float64", unset: 0 },
    memBytes: { type: "Float64", unset: 0 },
    podsAdmitted: { type: "Int32", unset: 0 },
    podsRunning: { type: "Int32", unset: 0 },
    pullQueue: { type: "Int32", unset: 0 },
    pullsActive: { type: "Int32", unset: 0 },
    ipsUsed: { type: "Int32", unset: 0 },
    bytesPulled: { type: "Float64", unset: 0 },
    ready: { type: "Uint8", unset: 0 },
    cordoned: { type: "Uint8", unset: 0 },
  })
  implements Component
{
  readonly name = "node-sampler";
  readonly intervalNs: number;
  private readonly engine: Engine;
  private readonly nodes: NodeTable;
  private readonly kubelets: Kubelets;
  private readonly kSample: EventKind;
  /** Registry series: one row per sample. */
  readonly registrySamples = new RegistrySamples(64);
  /** Deepest image-pull queue (waiting pulls) seen on any node at a sample. */
  peakPullQueue = 0;

  constructor(engine: Engine, nodes: NodeTable, kubelets: Kubelets, intervalNs: number) {
    super(1024);
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

  private onSample(): void {
    const now = this.engine.now;
    const nodes = this.nodes;
    const k = this.kubelets;
    const R = nodes.resourceCount;
    for (let n = 0; n < nodes.size; n++) {
      if (nodes.present[n] === 0) continue;
      const i = this.addRow();
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
    const rs = this.registrySamples;
    const r = rs.addRow();
    rs.timeNs[r] = now;
    rs.throughput[r] = k.registry.throughputBytesPerSec;
    rs.activeFlows[r] = k.registry.activeFlows;
    rs.waitingFlows[r] = k.registry.waitingFlows;
    // Keep sampling only while the simulation has other work pending. More than one other
    // event: another self-rescheduling sampler (src/metrics/time-series.ts reschedules while
    // anything is pending) must not keep this one alive, nor this one it, once the run is done.
    if (this.engine.pending > 1) this.engine.schedule(this.intervalNs, this.kSample);
  }
}
