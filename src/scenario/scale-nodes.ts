import { isMap, isScalar, isSeq, type Node } from "yaml";

/**
 * Scales a scenario's size on its parsed YAML nodes (`--scale`, a study's `scale:`), before
 * it is read: each count's scalar node gets the scaled value and keeps its source range, so
 * every error is still reported at the line and column the user wrote.
 *
 * Contract: these counts are multiplied by `factor` and rounded to the nearest integer, never
 * below 1 when they were at least 1 (0 stays 0):
 * - `cluster.nodePools[*].count`
 * - `spec.replicas` of every Deployment the workload creates, inline under `deployments:` (here)
 *   or in an `apply:` file (by {@link scaleDeploymentNode} on that file's documents)
 * - `workload[*].update.replicas`, `workload[*].addNodes.count`, and the `count` of node
 *   selections (`cordon`, `uncordon`, `drain`, `failNodes`)
 * Everything else (latencies, rates, node sizes, pod requests, `copies`) is unchanged, so the
 * per-node and per-pod behaviour is the same and only the size of the cluster moves. Values
 * that are not integers are left for the validator to report.
 */
export function scaleScenarioNodes(root: Node | null, factor: number): void {
  if (factor === 1 || root === null || !isMap(root)) return;
  const pools = seqAt(root, "cluster", "nodePools");
  if (pools !== undefined) for (const p of pools) scaleKey(p, "count", factor);
  const workload = mapGet(root, "workload");
  if (workload === undefined || !isSeq(workload)) return;
  for (const step of workload.items as Node[]) {
    if (!isMap(step)) continue;
    const deployments = mapGet(step, "deployments");
    if (deployments !== undefined && isSeq(deployments))
      for (const d of deployments.items as Node[]) scaleDeploymentNode(d, factor);
    const update = mapGet(step, "update");
    if (update !== undefined) scaleKey(update, "replicas", factor);
    const addNodes = mapGet(step, "addNodes");
    if (addNodes !== undefined) scaleKey(addNodes, "count", factor);
    for (const sel of ["cordon", "uncordon", "drain", "failNodes"]) {
      const s = mapGet(step, sel);
      if (s !== undefined) scaleKey(s, "count", factor);
    }
  }
}

/** Scales `spec.replicas` of one Deployment manifest node (see {@link scaleScenarioNodes}). */
export function scaleDeploymentNode(d: Node | null, factor: number): void {
  if (factor === 1 || d === null || !isMap(d)) return;
  const spec = mapGet(d, "spec");
  if (spec !== undefined) scaleKey(spec, "replicas", factor);
}

/** Scales one count: round(v * factor), at least 1 when v >= 1. */
export function scaleCount(v: number, factor: number): number {
  if (v <= 0) return v;
  return Math.max(1, Math.round(v * factor));
}

/** Whether `factor` is a usable scale factor: a positive finite number. */
export function isScaleFactor(factor: number): boolean {
  return factor > 0 && Number.isFinite(factor);
}

function scaleKey(node: Node, key: string, factor: number): void {
  if (!isMap(node)) return;
  const v = mapGet(node, key);
  if (v !== undefined && isScalar(v) && typeof v.value === "number" && Number.isInteger(v.value))
    v.value = scaleCount(v.value, factor);
}

/** The value node at `key` of a mapping node. */
export function mapGet(node: Node, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items)
    if (isScalar(pair.key) && String(pair.key.value) === key) return (pair.value as Node | null) ?? undefined;
  return undefined;
}

function seqAt(root: Node, ...keys: string[]): Node[] | undefined {
  let n: Node | undefined = root;
  for (const k of keys) {
    if (n === undefined) return undefined;
    n = mapGet(n, k);
  }
  return n !== undefined && isSeq(n) ? (n.items as Node[]) : undefined;
}
