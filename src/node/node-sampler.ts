import type { Component } from "../core/component.js";
import type { Engine, EventKind } from "../core/engine.js";
import { Res } from "../cluster/resources.js";
import type { NodeTable } from "../cluster/node-table.js";
import { columnTable } from "../core/column-table.js";
import type { Kubelets } from "./kubelet.js";

/** The registry's series: aggregate throughput, active and queued blob downloads per sample. */
const RegistrySamples = columnTable({
  timeNs: { type: "Float64", unset: NaN },
  throughput: "Float64",
  activeFlows: "Int32",
  waitingFlows: "Int32",
});

/**
 * The nodes.arrow time series, sampled every `intervalNs` of simulated time: a node's state is
 * its allocation (requests of the pods its kubelet admitted), pods running, the image puller's
 * queue depth and active pulls, addresses used in its pod CIDR, bytes pulled so far, its Ready
 * / cordoned state and whether it is present. A node gets a row at the first sample that finds
 * it present and at every later sample where any of those values differs from its last row, so
 * its values hold from a row's time until its next row; a node that leaves gets one row with
 * `present` 0. Rows grow with change, not with nodes x samples: an idle 50,000-node cluster
 * writes one row per node. Alongside, one registry row per sample (aggregate throughput,
 * active and queued blob downloads).
 *
 * Samples are instantaneous levels (not time-weighted). The sampler keeps itself scheduled only
 * while at least two other events are pending, so a run that drains its queue still ends even
 * next to another periodic sampler (the last sample may then come one interval early).
 * perf: rows append to typed columns grown by doubling; a node's values are compared with its
 * last row in place; nothing is allocated per sample.
 */
export class NodeSampler
  extends columnTable(
    {
      timeNs: { type: "Float64", unset: NaN },
      node: { type: "Int32", unset: -1 },
      cpuMilli: "Float64",
      memBytes: "Float64",
      podsAdmitted: "Int32",
      podsRunning: "Int32",
      pullQueue: "Int32",
      pullsActive: "Int32",
      ipsUsed: "Int32",
      bytesPulled: "Float64",
      ready: "Uint8",
      cordoned: "Uint8",
      present: "Uint8",
    },
    { appendOnly: true },
  )
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
  /** Per node: its last row (-1: none yet). */
  private readonly lastRow: Int32Array;

  constructor(engine: Engine, nodes: NodeTable, kubelets: Kubelets, intervalNs: number) {
    super(1024);
    this.engine = engine;
    this.nodes = nodes;
    this.kubelets = kubelets;
    this.intervalNs = intervalNs;
    this.lastRow = new Int32Array(nodes.size).fill(-1);
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
    const { admitted: adm, runningOn } = k.perNode;
    const { busy: pulling, bytesPulled } = k.puller.perNode;
    for (let n = 0; n < nodes.size; n++) {
      const last = this.lastRow[n]!;
      if (nodes.present[n] === 0) {
        // A node that left: one row saying so (its other values as they were).
        if (last >= 0 && this.present[last] === 1) {
          const i = this.addRow();
          this.copyRow(this, last, i);
          this.timeNs[i] = now;
          this.present[i] = 0;
          this.lastRow[n] = i;
        }
        continue;
      }
      const cpu = adm[n * R + Res.cpu]!;
      const mem = adm[n * R + Res.memory]!;
      const admitted = adm[n * R + Res.pods]!;
      const running = runningOn[n]!;
      const q = k.puller.queueDepth(n);
      if (q > this.peakPullQueue) this.peakPullQueue = q;
      const active = pulling[n]!;
      const ips = k.ipam.used(n);
      const bytes = bytesPulled[n]!;
      const ready = nodes.ready[n]!;
      const cordoned = nodes.unschedulable[n]!;
      if (
        last >= 0 &&
        this.present[last] === 1 &&
        this.cpuMilli[last] === cpu &&
        this.memBytes[last] === mem &&
        this.podsAdmitted[last] === admitted &&
        this.podsRunning[last] === running &&
        this.pullQueue[last] === q &&
        this.pullsActive[last] === active &&
        this.ipsUsed[last] === ips &&
        this.bytesPulled[last] === bytes &&
        this.ready[last] === ready &&
        this.cordoned[last] === cordoned
      )
        continue;
      const i = this.addRow();
      this.lastRow[n] = i;
      this.timeNs[i] = now;
      this.node[i] = n;
      this.cpuMilli[i] = cpu;
      this.memBytes[i] = mem;
      this.podsAdmitted[i] = admitted;
      this.podsRunning[i] = running;
      this.pullQueue[i] = q;
      this.pullsActive[i] = active;
      this.ipsUsed[i] = ips;
      this.bytesPulled[i] = bytes;
      this.ready[i] = ready;
      this.cordoned[i] = cordoned;
      this.present[i] = 1;
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
