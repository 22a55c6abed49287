import type { NodeTable } from "../cluster/node-table.js";
import { NodeChange } from "./plugin.js";

/**
 * The scheduler's last view of each node (exists, Ready, cordoned), to tell what a Node event
 * changed, as the informer's update handler compares the old and new Node objects
 * (pkg/scheduler/eventhandlers.go updateNodeInCache, nodeSchedulingPropertiesChange).
 */
export class NodeChangeTracker {
  private readonly nodes: NodeTable;
  private readonly present: Uint8Array;
  private readonly ready: Uint8Array;
  private readonly unschedulable: Uint8Array;

  constructor(nodes: NodeTable) {
    this.nodes = nodes;
    this.present = nodes.present.slice(0, nodes.size);
    this.ready = nodes.ready.slice(0, nodes.size);
    this.unschedulable = nodes.unschedulable.slice(0, nodes.size);
  }

  /** What changed on `node` since the last look (a {@link NodeChange} mask); the view is updated. */
  changeOf(node: number): number {
    const n = this.nodes;
    let change = 0;
    const present = n.present[node]!;
    if (present !== this.present[node]) change |= present === 1 ? NodeChange.added : NodeChange.deleted;
    const ready = n.ready[node]!;
    if (present === 1 && ready !== this.ready[node])
      change |= ready === 1 ? NodeChange.becameReady : NodeChange.becameNotReady;
    const u = n.unschedulable[node]!;
    if (present === 1 && u !== this.unschedulable[node])
      change |= u === 1 ? NodeChange.cordoned : NodeChange.uncordoned;
    this.present[node] = present;
    this.ready[node] = ready;
    this.unschedulable[node] = u;
    return change;
  }
}
