import type { Interner } from "../cluster/interner.js";
import type { NodeIdx } from "../cluster/ids.js";
import type { NodeTable } from "../cluster/node-table.js";
import type { NodeSelection, WorkloadStep } from "../scenario/sections/workload.js";

/** Whether node `name` is a node of pool `pool` (build-cluster names them `<pool>-<i>`). */
export function inPool(name: string, pool: string): boolean {
  if (!name.startsWith(`${pool}-`)) return false;
  const rest = name.slice(pool.length + 1);
  return /^[0-9]+$/.test(rest);
}

/**
 * The nodes a node event acts on, in table order: present nodes that satisfy every condition of
 * the selection (pool, labels, names) and pass `extra`; `count` keeps the first N.
 */
export function selectNodes(
  nodes: NodeTable,
  labels: Interner,
  sel: NodeSelection,
  extra: (node: NodeIdx) => boolean = () => true,
): NodeIdx[] {
  const wanted: [number, number][] = [];
  for (const [k, v] of sel.labels) wanted.push([labels.lookup(k), labels.lookup(v)]);
  const names = sel.names.length > 0 ? new Set(sel.names) : null;
  const out: NodeIdx[] = [];
  for (let i = 0; i < nodes.size; i++) {
    if (nodes.present[i] === 0) continue;
    if (sel.pool !== undefined && !inPool(nodes.names[i]!, sel.pool)) continue;
    if (names !== null && !names.has(nodes.names[i]!)) continue;
    let ok = true;
    for (const [k, v] of wanted) {
      if (k < 0 || v < 0 || nodes.labelValueOf(i, k) !== v) {
        ok = false;
        break;
      }
    }
    if (!ok || !extra(i)) continue;
    out.push(i);
    if (sel.count !== undefined && out.length >= sel.count) break;
  }
  return out;
}

/**
 * How many nodes of `pool` the workload's `addNodes` steps add, and its `upgradePool` steps
 * create to replace the old ones: the rows the NodeTable must reserve (as `NodeSpec.absent`)
 * after the pool's initial nodes.
 */
export function addedNodeCount(workload: readonly WorkloadStep[], pool: string): number {
  let n = 0;
  for (const s of workload) {
    const a = s.action;
    if (a.kind === "addNodes" && a.pool === pool) n += a.count;
    else if (a.kind === "upgradePool" && a.pool === pool) n += a.nodes;
  }
  return n;
}
