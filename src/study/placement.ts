import { Res } from "../cluster/resources.js";
import type { NodeTable } from "../cluster/node-table.js";

/** How pods ended up packed onto nodes at the end of a run. */
export interface PlacementMetrics {
  /** Nodes in the cluster. */
  nodes: number;
  /** Nodes with at least one pod assigned (assumed or bound). */
  nodesUsed: number;
  /**
   * 1 - the mean allocated fraction of the used nodes, where a node's allocated fraction is
   * its dominant share: the largest of requested/allocatable over cpu, memory and pods.
   * 0 means every used node is full on some resource; near 1 means pods are spread thinly.
   * 0 when no node is used. (A node is full once any one resource is, hence the dominant share.)
   */
  fragmentation: number;
  /**
   * CPU requested on the schedulable nodes over their allocatable CPU (0 to 1): how full the
   * cluster that can still take pods is (cordoned nodes left out).
   */
  cpuAllocated: number;
}

/** Computes {@link PlacementMetrics} from the node table's requested and allocatable columns. */
export function placementMetrics(nodes: NodeTable): PlacementMetrics {
  const R = nodes.resourceCount;
  const req = nodes.requested;
  const alloc = nodes.allocatable;
  const resources = [Res.cpu, Res.memory, Res.pods];
  let used = 0;
  let sumShare = 0;
  let cpuRequested = 0;
  let cpuAllocatable = 0;
  for (let n = 0; n < nodes.size; n++) {
    if (nodes.present[n] === 1 && nodes.unschedulable[n] === 0) {
      cpuRequested += req[n * R + Res.cpu]!;
      cpuAllocatable += alloc[n * R + Res.cpu]!;
    }
    if (!(req[n * R + Res.pods]! >= 1)) continue;
    used++;
    let share = 0;
    for (const r of resources) {
      const a = alloc[n * R + r]!;
      if (a > 0) share = Math.max(share, req[n * R + r]! / a);
    }
    sumShare += Math.min(1, share);
  }
  return {
    nodes: nodes.size,
    nodesUsed: used,
    fragmentation: used === 0 ? 0 : round6(1 - sumShare / used),
    cpuAllocated: cpuAllocatable > 0 ? round6(cpuRequested / cpuAllocatable) : 0,
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
