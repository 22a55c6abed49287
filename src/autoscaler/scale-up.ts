import { Res } from "../cluster/resources.js";
import type { ScaleUpOption } from "./expanders/option.js";
import { RowState, type NodeGroup, type NodeGroups } from "./node-groups.js";
import type { ClusterSnapshot } from "./snapshot.js";

/** model: --max-nodes-per-scaleup 1000 (the estimator's static threshold). */
export const MAX_NODES_PER_SCALE_UP = 1000;

/** Pending pods by scheduler pod group (upstream's pod equivalence groups), groups in first-seen order. */
export interface PodGroups {
  /** Scheduler group ids. */
  groups: number[];
  /** Pods of each, by pod row, in pod order. */
  pods: number[][];
}

/** Buckets pods by their scheduler group (pods of one template are equivalent). */
export function equivalenceGroups(pods: readonly number[], groupOf: (pod: number) => number): PodGroups {
  const index = new Map<number, number>();
  const out: PodGroups = { groups: [], pods: [] };
  for (const p of pods) {
    const g = groupOf(p);
    let i = index.get(g);
    if (i === undefined) {
      i = out.groups.length;
      index.set(g, i);
      out.groups.push(g);
      out.pods.push([]);
    }
    out.pods[i]!.push(p);
  }
  return out;
}

/**
 * Removes the pods that fit on nodes that exist or are coming (the caller has shown the
 * upcoming rows): each is placed in the snapshot, so later pods see the room it takes.
 * model: core/podlistprocessor/filter_out_schedulable.go: pods in priority order (higher
 * first), each tried first on the node its equivalence group last went to, then on any node.
 * Returns the pods left unschedulable.
 */
export function filterOutSchedulable(snap: ClusterSnapshot, pg: PodGroups, candidates: readonly number[]): PodGroups {
  const groups = snap.cache.groups;
  const order = pg.groups.map((_, i) => i);
  order.sort((a, b) => groups[pg.groups[b]!]!.priority - groups[pg.groups[a]!]!.priority || a - b);
  const out: PodGroups = { groups: [], pods: [] };
  for (const i of order) {
    const g = pg.groups[i]!;
    let hint = -1;
    const left: number[] = [];
    for (const pod of pg.pods[i]!) {
      const node = snap.findNode(g, candidates, candidates.length, hint);
      if (node < 0) {
        left.push(pod);
        continue;
      }
      snap.place(pod, g, node);
      hint = node;
    }
    if (left.length > 0) {
      out.groups.push(g);
      out.pods.push(left);
    }
  }
  return out;
}

/**
 * The binpacking estimate for one node group (estimator/binpacking_estimator.go): equivalence
 * groups in decreasing order of their pods' share of a template node (DecreasingPodOrderer:
 * cpu/allocatable + memory/allocatable), each group's pods first on the new nodes already
 * opened (first fit, last node first), then on new template nodes, one at a time, trying only
 * the last one opened; a pod that does not fit an empty template node ends its group. At most
 * `limit` nodes are opened (the estimation limiter: max-nodes-per-scaleup, the group's
 * remaining size, max-nodes-total). Runs in its own snapshot layer, reverted before returning.
 */
export function estimate(
  snap: ClusterSnapshot,
  groups: NodeGroups,
  g: NodeGroup,
  pg: PodGroups,
  limit: number,
): ScaleUpOption | undefined {
  const specs = snap.cache.groups;
  const share = (i: number) => {
    const r = specs[pg.groups[i]!]!.requests;
    return r[Res.cpu]! / g.cpuMilli + r[Res.memory]! / g.memBytes;
  };
  const order = pg.groups.map((_, i) => i);
  order.sort((a, b) => share(b) - share(a) || a - b);
  const free: number[] = [];
  for (const r of g.rows) if (groups.state[r] === RowState.free) free.push(r);
  const opened: number[] = [];
  const pods: number[] = [];
  let cpuMilli = 0;
  let memBytes = 0;
  snap.fork();
  for (const i of order) {
    const sg = pg.groups[i]!;
    const req = specs[sg]!.requests;
    let last = opened.length > 0 ? opened[opened.length - 1]! : -1;
    for (const pod of pg.pods[i]!) {
      let node = snap.findNode(sg, opened, opened.length, last);
      if (node < 0) {
        if (opened.length >= Math.min(limit, free.length)) continue;
        const row = free[opened.length]!;
        snap.show(row);
        node = snap.findNode(sg, free, 0, row);
        if (node < 0) break; // not even an empty template node holds it
        opened.push(row);
      }
      snap.place(pod, sg, node);
      pods.push(pod);
      cpuMilli += req[Res.cpu]!;
      memBytes += req[Res.memory]!;
      last = node;
    }
  }
  snap.revert();
  if (opened.length === 0) return undefined;
  return { group: g, nodeCount: opened.length, pods, rows: opened, cpuMilli, memBytes };
}
