import type { NodeIdx } from "../cluster/ids.js";
import type { ValueOf } from "../core/names-of.js";
import type { NodeTable } from "../cluster/node-table.js";
import { Res } from "../cluster/resources.js";
import { Sampler } from "../core/distributions.js";
import type { Rng } from "../core/random.js";
import type { NodePoolSpec } from "../scenario/types.js";
import { inPool } from "../node/node-selection.js";

/** Where a node group's NodeTable row stands (the VM behind it, as the cloud provider sees it). */
export const RowState = {
  /** No VM: a row the group may grow into (absent in the NodeTable). */
  free: 0,
  /** The VM is being created; its kubelet has not registered the Node yet. */
  provisioning: 1,
  /** The kubelet's Node create is in flight. */
  registering: 2,
  /** A registered node. */
  joined: 3,
  /** Tainted ToBeDeletedByClusterAutoscaler, being drained and deleted. */
  deleting: 4,
} as const;
export type RowState = ValueOf<typeof RowState>;

/**
 * One node group: an autoscaled node pool. The pool is its template node (labels, taints,
 * allocatable), as upstream's NodeGroup.TemplateNodeInfo; its rows are the pool's NodeTable rows,
 * reserved up to maxNodes (src/sim/build-cluster.ts poolRows).
 */
export interface NodeGroup {
  index: number;
  name: string;
  minNodes: number;
  maxNodes: number;
  /** USD per node-hour (0 when the pool gives none). */
  costPerHour: number;
  /** The pool's rows, in name order. */
  rows: Int32Array;
  /** Template allocatable cpu (milli) and memory (bytes): the first row's. */
  cpuMilli: number;
  memBytes: number;
  provision: Sampler;
  /** No scale-up before this time (after a node failed to register). */
  backoffUntilNs: number;
  /** Node-seconds billed so far (ns), from VM create to delete. */
  billedNs: number;
  peakNodes: number;
}

/**
 * The node groups of a run and the state of each of their rows: which VMs exist (target size),
 * which are registered, which are being deleted, and since when each is billed.
 */
export class NodeGroups {
  readonly groups: NodeGroup[] = [];
  /** Per NodeTable row: its group, -1 for rows of pools that are not autoscaled. */
  readonly groupOf: Int32Array;
  readonly state: Uint8Array;
  /** When the row's VM was created (NaN: no VM). */
  readonly billedSinceNs: Float64Array;
  private readonly nodes: NodeTable;

  constructor(nodes: NodeTable, pools: readonly NodePoolSpec[], rng: Rng) {
    this.nodes = nodes;
    this.groupOf = new Int32Array(nodes.size).fill(-1);
    this.state = new Uint8Array(nodes.size);
    this.billedSinceNs = new Float64Array(nodes.size).fill(Number.NaN);
    for (const p of pools) {
      const a = p.autoscaling;
      if (a === undefined) continue;
      const rows: number[] = [];
      for (let i = 0; i < nodes.size; i++) if (inPool(nodes.names[i]!, p.name)) rows.push(i);
      const index = this.groups.length;
      const R = nodes.resourceCount;
      const first = rows[0]!;
      this.groups.push({
        index,
        name: p.name,
        minNodes: a.minNodes,
        maxNodes: a.maxNodes,
        costPerHour: p.costPerHour ?? 0,
        rows: Int32Array.from(rows),
        cpuMilli: nodes.allocatable[first * R + Res.cpu]!,
        memBytes: nodes.allocatable[first * R + Res.memory]!,
        provision: new Sampler(a.provisionTime, rng),
        backoffUntilNs: 0,
        billedNs: 0,
        peakNodes: 0,
      });
      for (const r of rows) {
        this.groupOf[r] = index;
        if (nodes.present[r] === 1) {
          this.state[r] = RowState.joined;
          this.billedSinceNs[r] = 0;
        }
      }
      this.groups[index]!.peakNodes = this.targetSize(this.groups[index]!);
    }
  }

  /** Rows of `g` an `addNodes` step joined since the last look count as registered nodes. */
  adoptJoined(g: NodeGroup, nowNs: number): void {
    for (const r of g.rows) {
      if (this.state[r] === RowState.free && this.nodes.present[r] === 1) {
        this.state[r] = RowState.joined;
        this.billedSinceNs[r] = nowNs;
      }
    }
  }

  /** The group's target size: rows with a VM (provisioning, registering, joined or being deleted). */
  targetSize(g: NodeGroup): number {
    let n = 0;
    for (const r of g.rows) if (this.state[r] !== RowState.free) n++;
    return n;
  }

  /** The group's size once the deletions under way are done: rows with a VM not being deleted. */
  sizeAfterDeletions(g: NodeGroup): number {
    let n = 0;
    for (const r of g.rows) if (this.state[r] !== RowState.free && this.state[r] !== RowState.deleting) n++;
    return n;
  }

  /** Rows of `g` whose VM is coming (provisioning or registering): upstream's upcoming nodes. */
  upcoming(g: NodeGroup, out: number[]): void {
    for (const r of g.rows) {
      const s = this.state[r];
      if (s === RowState.provisioning || s === RowState.registering) out.push(r);
    }
  }

  /** Nodes in all groups with a VM. */
  totalTarget(): number {
    let n = 0;
    for (const g of this.groups) n += this.targetSize(g);
    return n;
  }

  /** A VM was created for `row` now: billing starts. */
  created(row: NodeIdx, nowNs: number): void {
    this.state[row] = RowState.provisioning;
    this.billedSinceNs[row] = nowNs;
    const g = this.groups[this.groupOf[row]!]!;
    g.peakNodes = Math.max(g.peakNodes, this.targetSize(g));
  }

  /** The VM of `row` is gone now: billing stops and the row is free again. */
  released(row: NodeIdx, nowNs: number): void {
    const g = this.groups[this.groupOf[row]!]!;
    g.billedNs += nowNs - this.billedSinceNs[row]!;
    this.billedSinceNs[row] = Number.NaN;
    this.state[row] = RowState.free;
  }

  /** Node-seconds (ns) billed to `g` up to `nowNs`, VMs still running included. */
  billedUpTo(g: NodeGroup, nowNs: number): number {
    let ns = g.billedNs;
    for (const r of g.rows) if (!Number.isNaN(this.billedSinceNs[r])) ns += nowNs - this.billedSinceNs[r]!;
    return ns;
  }
}
