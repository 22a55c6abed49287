import { defaultSchedulerConfig, type SchedulerConfig } from "./config.js";
import { ExplainRecord } from "./framework.js";
import { pdbSelects } from "../scenario/inputs/pod-disruption-budgets.js";
import type { BoundPod, PdbInput } from "./k8s-objects.js";
import type { PreemptionBudgets } from "./scheduler-cache.js";
import { seededRng, StandaloneCluster, type NodeInput, type PodInput } from "./standalone.js";
import type { PodRef } from "./plugin.js";
import { CODE_NAMES } from "./status.js";

/** One node of `simctl schedule --explain`. */
export interface ExplainNode {
  name: string;
  filters: Record<string, { code: string; reasons: string[] }>;
  scores: Record<string, { raw: number; normalized: number; weight: number }>;
  total: number;
}

/**
 * What DefaultPreemption (PostFilter) decided for an unschedulable pod: the nominated node (null:
 * none), the victims by name (most important first), how many of them violate a
 * PodDisruptionBudget, and the PostFilter status.
 */
export interface ExplainPreemption {
  nominatedNode: string | null;
  victims: string[];
  pdbViolations: number;
  code: string;
  message: string;
}

/** The JSON object `simctl schedule --explain --json` prints. */
export interface ExplainResult {
  pod: string;
  selectedNode: string | null;
  feasibleNodesToFind: number;
  nodesFiltered: number;
  /** Present when the pod fit nowhere and a PostFilter plugin ran. */
  preemption?: ExplainPreemption;
  nodes: ExplainNode[];
}

/** Inputs of one explained scheduling cycle. */
export interface ExplainInput {
  nodes: readonly NodeInput[];
  pod: PodInput;
  existing?: readonly BoundPod[];
  /** PodDisruptionBudgets with their status, for preemption's victim choice. */
  pdbs?: readonly PdbInput[];
  config?: SchedulerConfig;
  /** Seed of the tie-breaking random stream. */
  seed?: number;
}

/**
 * Runs one scheduling cycle for `pod` on `nodes` (with `existing` pods bound) through the profile
 * its schedulerName selects, from rotation start 0, and reports per node the Filter statuses in
 * plugin order (up to the first rejection; plugins whose PreFilter said Skip are left out), the
 * raw, normalized and weight of each Score plugin that ran, and the weighted total.
 */
export function explainSchedule(input: ExplainInput): ExplainResult & { message: string } {
  const config = input.config ?? defaultSchedulerConfig();
  const extra = new Set<string>();
  for (const c of [...input.pod.containers, ...(input.pod.initContainers ?? [])])
    for (const r of Object.keys(c.requests ?? {})) extra.add(r);
  const cluster = new StandaloneCluster(input.nodes, [...extra]);
  const existing = input.existing ?? [];
  const podName: string[] = [];
  existing.forEach((b, i) => {
    podName[cluster.addExistingPod(b.pod, b.nodeName, i)] = b.pod.name;
  });
  const pdbs = input.pdbs ?? [];
  if (pdbs.length > 0) cluster.cache.budgets = standaloneBudgets(existing, pdbs);
  const profile = config.profiles.findIndex(
    (p) => p.resolved.schedulerName === (input.pod.schedulerName ?? "default-scheduler"),
  );
  if (profile < 0)
    throw new Error(
      `pod ${input.pod.name}: no profile serves schedulerName ${input.pod.schedulerName ?? "default-scheduler"}`,
    );
  const fw = cluster.framework(config, profile, seededRng(input.seed ?? 1));
  const g = cluster.groupFor(input.pod);
  const ref: PodRef = { pod: -1, group: g, spec: cluster.cache.groups[g]! };
  const nom = input.pod.nominatedNodeName;
  if (nom !== undefined) {
    const n = cluster.cache.index.nodeByName.get(nom);
    if (n === undefined)
      throw new Error(`pod ${input.pod.name}: status.nominatedNodeName ${nom} is not one of the nodes`);
    cluster.cache.nominated.set(ref.pod, n);
  }
  const ex = new ExplainRecord();
  const r = fw.schedule(ref, { next: 0 }, config.percentageOfNodesToScore, ex);
  const names = cluster.nodes.names;
  const nodes: ExplainNode[] = [];
  const feasibleIndex = new Map<number, number>();
  ex.feasible.forEach((node, j) => {
    feasibleIndex.set(node, j);
  });
  const listed = new Set<number>();
  if (ex.preFilterStatus !== null) for (let i = 0; i < names.length; i++) listed.add(i);
  else {
    for (const n of ex.examinedNodes) listed.add(n);
    const sub = fw.state.nodeSubset;
    if (sub !== null) for (let i = 0; i < names.length; i++) if (!sub.includes(i)) listed.add(i);
  }
  for (let i = 0; i < names.length; i++) {
    if (!listed.has(i)) continue;
    const filters: ExplainNode["filters"] = {};
    if (ex.preFilterStatus !== null)
      filters[ex.preFilterStatus.plugin] = {
        code: ex.preFilterStatus.codeName,
        reasons: [...ex.preFilterStatus.reasons],
      };
    else
      for (const { plugin, status } of fw.filterStatuses(fw.state, ref, i))
        filters[plugin] = { code: CODE_NAMES[status.code], reasons: [...status.reasons] };
    const scores: ExplainNode["scores"] = {};
    let total = 0;
    const j = feasibleIndex.get(i);
    if (j !== undefined && ex.totals.length > 0) {
      for (const s of ex.scores) scores[s.plugin] = { raw: s.raw[j]!, normalized: s.normalized[j]!, weight: s.weight };
      total = ex.totals[j]!;
    }
    nodes.push({ name: names[i]!, filters, scores, total });
  }
  const pf = r.postFilter;
  return {
    pod: input.pod.name,
    selectedNode: r.node >= 0 ? names[r.node]! : null,
    feasibleNodesToFind: r.want,
    nodesFiltered: r.examined,
    ...(pf === null
      ? {}
      : {
          preemption: {
            nominatedNode: pf.nominatedNode >= 0 ? names[pf.nominatedNode]! : null,
            victims: pf.victims.map((v) => podName[v]!),
            pdbViolations: pf.pdbViolations,
            code: pf.status.codeName,
            message: pf.status.message(),
          },
        }),
    nodes,
    message:
      r.node >= 0
        ? ""
        : r.code === 2
          ? fw.failureMessage(ref)
          : `0/${names.length} nodes are available: ${r.status.message()}.`,
  };
}

/** The budgets of `pdbs` over the existing pods (ids in order), as DefaultPreemption reads them. */
function standaloneBudgets(existing: readonly BoundPod[], pdbs: readonly PdbInput[]): PreemptionBudgets {
  const of = existing.map((b) => {
    const labels = new Map(Object.entries(b.pod.labels ?? {}));
    const out: number[] = [];
    // model: filterPodsWithPDBViolation: an empty selector matches nothing, as does a pod without labels.
    if (labels.size === 0) return out;
    pdbs.forEach((x, i) => {
      const sel = x.spec.selector;
      const empty = sel === undefined || (sel.matchLabels.size === 0 && sel.matchExpressions.length === 0);
      if (!empty && pdbSelects(x.spec, b.pod.namespace ?? "default", labels)) out.push(i);
    });
    return out;
  });
  return {
    of: (pod) => of[pod] ?? [],
    allowed: (b) => pdbs[b]!.disruptionsAllowed,
    isDisrupted: (pod, b) => pdbs[b]!.disruptedPods.includes(existing[pod]!.pod.name),
  };
}

/** The explain result as a readable table. */
export function formatExplainTable(r: ExplainResult & { message?: string }, explain: boolean): string {
  const lines: string[] = [];
  lines.push(
    `pod ${r.pod}: ${r.selectedNode === null ? "unschedulable" : `-> ${r.selectedNode}`}  (feasibleNodesToFind ${r.feasibleNodesToFind}, nodes filtered ${r.nodesFiltered})`,
  );
  if (r.message) lines.push(`  ${r.message}`);
  const pe = r.preemption;
  if (pe !== undefined)
    lines.push(
      pe.nominatedNode === null
        ? `  preemption: ${pe.message}`
        : `  preemption: nominated ${pe.nominatedNode}, victims ${pe.victims.join(", ")} (${pe.pdbViolations} against a PDB)`,
    );
  if (!explain) return lines.join("\n");
  const plugins: string[] = [];
  for (const n of r.nodes) for (const p of Object.keys(n.scores)) if (!plugins.includes(p)) plugins.push(p);
  const header = [
    "NODE",
    "FILTER",
    ...plugins.map((p) => `${p} (w${r.nodes.find((n) => n.scores[p])!.scores[p]!.weight})`),
    "TOTAL",
  ];
  const rows = r.nodes.map((n) => {
    const failed = Object.entries(n.filters).find(([, s]) => s.code !== "Success");
    const filter =
      failed === undefined
        ? "ok"
        : `${failed[0]}: ${failed[1].code}${failed[1].reasons.length > 0 ? ` (${failed[1].reasons.join("; ")})` : ""}`;
    return [
      n.name + (n.name === r.selectedNode ? " *" : ""),
      filter,
      ...plugins.map((p) => (n.scores[p] === undefined ? "-" : `${n.scores[p]!.raw} -> ${n.scores[p]!.normalized}`)),
      failed === undefined && Object.keys(n.scores).length > 0 ? String(n.total) : "-",
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  lines.push(fmt(header));
  for (const row of rows) lines.push(fmt(row));
  return lines.join("\n");
}
