import { NS_PER } from "../core/time.js";
import type { Scenario } from "../scenario/types.js";
import type { ClusterAutoscaler } from "./cluster-autoscaler.js";
import { Reason } from "./decision-log.js";

/** One pool's node-hours and cost (summary.json results.autoscaler.pools). */
export interface PoolCost {
  pool: string;
  autoscaled: boolean;
  /** Nodes at the end (registered), and the most the pool had (VMs, provisioning included). */
  finalNodes: number;
  peakNodes: number;
  /** Node-hours billed: from each VM's create to its delete, or to the end of the run. */
  nodeHours: number;
  /** nodeHours x costPerHour (0 without costPerHour). */
  costUsd: number;
  /** Under Karpenter, the NodePool and instance type of the pool. */
  nodePool?: string;
  instanceType?: string;
}

/** What the Cluster Autoscaler did (summary.json results.autoscaler). */
export interface AutoscalerSummary {
  /** Present under Karpenter only ("karpenter"); scans then count provisioning batches. */
  provisioner?: string;
  scans: number;
  scaleUps: number;
  nodesAdded: number;
  scaleDowns: number;
  nodesRemoved: number;
  failedScaleDowns: number;
  provisionTimeouts: number;
  /** When the first scale-up and the first scale-down were decided (null: none). */
  firstScaleUpNs: number | null;
  firstScaleDownNs: number | null;
  pools: PoolCost[];
  nodeHours: number;
  costUsd: number;
}

const HOUR_NS = 3600 * NS_PER.s;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The autoscaler's counts and every pool's node-hours and cost up to `endNs`. Pools that are
 * not autoscaled are billed for their nodes from the start, and for nodes of addNodes steps from
 * the step.
 */
export function autoscalerSummary(ca: ClusterAutoscaler, s: Scenario, endNs: number): AutoscalerSummary {
  const log = ca.decisions;
  let scaleUps = 0;
  let scaleDowns = 0;
  let firstUp: number | null = null;
  let firstDown: number | null = null;
  for (let i = 0; i < log.size; i++) {
    const r = log.reason[i]!;
    if (r === Reason.ScaleUp) {
      scaleUps++;
      firstUp ??= log.timeNs[i]!;
    } else if (r === Reason.ScaleDownEmpty || r === Reason.ScaleDownUnderutilized) {
      scaleDowns++;
      firstDown ??= log.timeNs[i]!;
    }
  }
  const pools: PoolCost[] = s.nodePools.map((p) => {
    const g = ca.groups.groups.find((x) => x.name === p.name);
    let ns: number;
    let finalNodes: number;
    let peak: number;
    if (g !== undefined) {
      ns = ca.groups.billedUpTo(g, endNs);
      finalNodes = 0;
      for (const r of g.rows) if (ca.nodesPresent(r)) finalNodes++;
      peak = g.peakNodes;
    } else {
      ns = p.count * endNs;
      finalNodes = p.count;
      for (const st of s.workload) {
        if (st.action.kind !== "addNodes" || st.action.pool !== p.name || st.atNs > endNs) continue;
        ns += st.action.count * (endNs - st.atNs);
        finalNodes += st.action.count;
      }
      peak = finalNodes;
    }
    const nodeHours = ns / HOUR_NS;
    return {
      pool: p.name,
      autoscaled: g !== undefined,
      finalNodes,
      peakNodes: peak,
      nodeHours: round3(nodeHours),
      costUsd: round3(nodeHours * (p.costPerHour ?? 0)),
      ...(p.karpenter === undefined ? {} : { nodePool: p.karpenter.nodePool, instanceType: p.karpenter.instanceType }),
    };
  });
  return {
    ...(ca.name === "karpenter" ? { provisioner: ca.name } : {}),
    scans: ca.scans,
    scaleUps,
    nodesAdded: ca.nodesAdded,
    scaleDowns,
    nodesRemoved: ca.nodesRemoved,
    failedScaleDowns: ca.failedDrains,
    provisionTimeouts: ca.provisionTimeouts,
    firstScaleUpNs: firstUp,
    firstScaleDownNs: firstDown,
    pools,
    nodeHours: round3(pools.reduce((a, p) => a + p.nodeHours, 0)),
    costUsd: round3(pools.reduce((a, p) => a + p.costUsd, 0)),
  };
}

/** Lines of the terminal summary. */
export function formatAutoscaler(a: AutoscalerSummary, duration: (ns: number | null) => string): string[] {
  const out = [
    `${a.provisioner ?? "cluster autoscaler"}: ${a.scaleUps} scale-ups (+${a.nodesAdded} nodes, first at ${duration(a.firstScaleUpNs)}), ` +
      `${a.scaleDowns} scale-downs (-${a.nodesRemoved} nodes, first at ${duration(a.firstScaleDownNs)}), ` +
      `${a.failedScaleDowns} failed drains, ${a.provisionTimeouts} nodes not provisioned in time`,
  ];
  for (const p of a.pools)
    out.push(
      `  ${p.pool}${p.autoscaled ? " (autoscaled)" : ""}: ${p.finalNodes} nodes at the end, peak ${p.peakNodes}, ` +
        `${p.nodeHours} node-hours, $${p.costUsd}`,
    );
  out.push(`  total: ${a.nodeHours} node-hours, $${a.costUsd}`);
  return out;
}
