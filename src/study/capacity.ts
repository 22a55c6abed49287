import { parseDocument } from "yaml";
import { createdDeployments } from "../scenario/sections/workload.js";
import { parseScenario } from "../scenario/load-scenario.js";
import type { NodePoolSpec, Scenario } from "../scenario/types.js";
import { clusterOutcome, type ClusterRunOutcome, type RunTask } from "./run-task.js";
import { meanInterval } from "./stats.js";
import { type Slo, sloHolds } from "./slo.js";
import { UserError } from "./user-error.js";
import { runTasks } from "./worker-pool.js";
import { setYamlPath } from "./yaml-path.js";

/** The label upstream topology uses for zones (topology.kubernetes.io/zone, well-known labels). */
const ZONE_LABEL = "topology.kubernetes.io/zone";

/** How many node counts just below the answer are tried again, since SLOs need not be monotone in nodes. */
const RECHECK_BELOW = 2;

/** What `simctl capacity` searches. */
export interface CapacityQuestion {
  /** Scenario file (for errors and relative manifest paths) and its text. */
  file: string;
  text: string;
  /** The node pool whose count is searched. */
  pool: string;
  slos: readonly Slo[];
  seeds: readonly number[];
  min: number;
  max: number;
  /** The SLOs must also hold on the cluster left after losing its largest zone. */
  zoneLoss: boolean;
  workers?: number;
  /** A candidate is about to run (its node count and the runs it takes). */
  onCandidate?: (nodes: number, runs: number) => void;
  onProgress?: (index: number, done: number, total: number) => void;
  onDone?: (index: number) => void;
}

/** One SLO at one candidate: its values by run, their mean and interval, and whether every run met it. */
export interface SloResult {
  slo: string;
  values: number[];
  mean: number;
  half: number;
  /** The run furthest from meeting it (largest value for an upper bound, smallest for a lower one). */
  worst: number;
  holds: boolean;
}

/** A node count tried, in the order tried. */
export interface CapacityPoint {
  nodes: number;
  /** With zone loss, the zone cordoned from the start and the nodes left schedulable. */
  lostZone: string | undefined;
  schedulableNodes: number;
  slos: SloResult[];
  pass: boolean;
}

export interface CapacityAnswer {
  pool: string;
  /** The smallest node count found that meets every SLO in every run; null if none up to `max`. */
  nodes: number | null;
  points: CapacityPoint[];
}

/**
 * Finds the smallest count of node pool `pool` for which every SLO holds in every seed (and, with
 * zone loss, also on the cluster without its largest zone). Every candidate runs the same seeds
 * (common random numbers), so candidates differ only by their node count.
 *
 * Search: it starts at the resource lower bound (the workload's requests over the pool's
 * allocatable, after other pools' capacity; with zone loss, enough nodes to keep it after losing
 * the largest zone), gallops up (start + 1, + 2, + 4, ...) until a candidate passes or down
 * while candidates pass, bisects between the last failing and the first passing count, then
 * tries the counts just below the answer again and continues below any that passes: an SLO on
 * latency need not be monotone in the node count.
 */
export async function searchCapacity(q: CapacityQuestion): Promise<CapacityAnswer> {
  const base = parseScenario(q.file, q.text);
  const poolIndex = base.nodePools.findIndex((p) => p.name === q.pool);
  if (poolIndex < 0)
    throw new UserError(
      `--pool ${q.pool}: ${q.file} has no node pool of that name (it has ${base.nodePools.map((p) => p.name).join(", ")})`,
      2,
    );
  const pool = base.nodePools[poolIndex]!;
  const tried = new Map<number, CapacityPoint>();
  const points: CapacityPoint[] = [];
  const evaluate = async (n: number): Promise<CapacityPoint> => {
    const known = tried.get(n);
    if (known !== undefined) return known;
    const p = await runCandidate(q, base, poolIndex, n);
    tried.set(n, p);
    points.push(p);
    return p;
  };

  const start = Math.min(q.max, Math.max(q.min, lowerBound(base, pool, q.zoneLoss)));
  let lo = q.min - 1; // the largest count known to fail (q.min - 1: none)
  let hi: number | undefined; // the smallest count known to pass
  if ((await evaluate(start)).pass) {
    let pass = start;
    for (let step = 1; pass - step >= q.min; step *= 2) {
      const c: number = pass - step;
      if (!(await evaluate(c)).pass) {
        lo = c;
        break;
      }
      pass = c;
    }
    hi = pass;
  } else {
    lo = start;
    for (let step = 1; lo < q.max; step *= 2) {
      const c = Math.min(q.max, start + step);
      if ((await evaluate(c)).pass) {
        hi = c;
        break;
      }
      lo = c;
    }
  }
  if (hi === undefined) return { pool: q.pool, nodes: null, points };
  for (;;) {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await evaluate(mid)).pass) hi = mid;
      else lo = mid;
    }
    let lower: number | undefined;
    for (let c = hi - 1; c >= Math.max(q.min, hi - 1 - RECHECK_BELOW); c--) {
      if ((await evaluate(c)).pass) {
        lower = c;
        break;
      }
    }
    if (lower === undefined) break;
    hi = lower;
    lo = largestFailBelow(tried, hi, q.min);
  }
  return { pool: q.pool, nodes: hi, points };
}

function largestFailBelow(tried: ReadonlyMap<number, CapacityPoint>, n: number, min: number): number {
  let lo = min - 1;
  for (const [c, p] of tried) if (!p.pass && c < n && c > lo) lo = c;
  return lo;
}

/**
 * The fewest nodes of `pool` that can hold what the workload's Deployments request (cpu, memory,
 * pods), after the other pools' allocatable; with zone loss, the fewest that still do once the
 * largest zone is gone. A start for the search, not an answer: constraints (selectors, taints,
 * spreading) and latency SLOs can need more.
 */
export function lowerBound(s: Scenario, pool: NodePoolSpec, zoneLoss: boolean): number {
  const demand = new Map<string, number>();
  for (const d of createdDeployments(s.workload)) {
    const add = (r: string, v: number) => demand.set(r, (demand.get(r) ?? 0) + v * d.replicas);
    add("pods", 1);
    for (const c of d.pod.containers) for (const [r, v] of c.requests) add(r, v);
  }
  let need = 0;
  for (const [r, total] of demand) {
    let others = 0;
    for (const p of s.nodePools) if (p !== pool) others += (p.allocatable.get(r) ?? 0) * p.count;
    const per = pool.allocatable.get(r) ?? 0;
    if (per > 0) need = Math.max(need, Math.ceil((total - others) / per - 1e-9));
  }
  if (!zoneLoss) return Math.max(1, need);
  let n = Math.max(1, need);
  while (n - largestZone(pool, n).nodes < need) n++;
  return n;
}

/** The zone with most of the pool's `count` nodes (labels are given round-robin), and its size. */
function largestZone(pool: NodePoolSpec, count: number): { zone: string | undefined; nodes: number } {
  const zones = pool.labels.get(ZONE_LABEL);
  if (zones === undefined || zones.length === 0) return { zone: undefined, nodes: 0 };
  // Node i takes zones[i % z]: the first (count mod z) zones have one node more.
  return { zone: zones[0], nodes: Math.ceil(count / zones.length) };
}

/** The scenario text of one candidate: the pool's count set, and with zone loss its largest zone cordoned at t = 0. */
function candidateText(q: CapacityQuestion, poolIndex: number, n: number, lostZone: string | undefined): string {
  const counted = setYamlPath(q.text, ["cluster", "nodePools", poolIndex, "count"], n);
  if ("error" in counted)
    throw new UserError(`--pool ${q.pool}: cannot set its count in ${q.file}: ${counted.error}`, 2);
  let text = counted.text;
  const allRunning = q.slos.find((s) => s.metric.name === "timeToAllRunning" && (s.op === "<=" || s.op === "<"));
  if (allRunning !== undefined) {
    // A candidate that has not got every pod Running by the SLO's bound has failed: stop there
    // instead of simulating the scenario's whole time limit.
    const limited = setYamlPath(text, ["stop", "timeLimit"], `${Math.ceil(allRunning.value / 1e9) + 1}s`);
    if (!("error" in limited)) text = limited.text;
  }
  if (lostZone === undefined) return text;
  // model: a lost zone's nodes take no pods. Cordoning them before the workload's first step
  // leaves exactly the surviving capacity; the failure's own transient (node monitor grace,
  // taint-based eviction) is a scenario's failNodes step, not part of this check.
  const doc = parseDocument(text);
  const workload = doc.get("workload", true) as { items: unknown[] } | undefined;
  if (workload === undefined || !Array.isArray(workload.items))
    throw new UserError(`${q.file}: --zone-loss needs a workload list to put the zone's cordon in`, 2);
  workload.items.unshift(doc.createNode({ at: "0s", cordon: { labels: { [ZONE_LABEL]: lostZone } } }));
  return doc.toString({ lineWidth: 0 });
}

async function runCandidate(q: CapacityQuestion, base: Scenario, poolIndex: number, n: number): Promise<CapacityPoint> {
  const pool = base.nodePools[poolIndex]!;
  const lost = q.zoneLoss ? largestZone(pool, n) : { zone: undefined, nodes: 0 };
  if (q.zoneLoss && lost.zone === undefined)
    throw new UserError(`--zone-loss: pool ${q.pool} has no ${ZONE_LABEL} label to lose a zone of`, 2);
  const variants = q.zoneLoss ? [undefined, lost.zone] : [undefined];
  const texts = variants.map((z) => candidateText(q, poolIndex, n, z));
  const tasks: RunTask[] = [];
  for (const text of texts) for (const seed of q.seeds) tasks.push({ index: tasks.length, file: q.file, text, seed });
  q.onCandidate?.(n, tasks.length);
  const outcomes: ClusterRunOutcome[] = (
    await runTasks(tasks, {
      workers: q.workers,
      onProgress: q.onProgress,
      onDone: (o) => q.onDone?.(o.index),
    })
  ).map(clusterOutcome);
  const slos = q.slos.map((slo): SloResult => {
    const values = outcomes.map((o) => slo.metric.get(o));
    const upper = slo.op === "<=" || slo.op === "<";
    const finite = values.filter((v) => !Number.isNaN(v));
    const worst = finite.length < values.length ? Number.NaN : upper ? Math.max(...finite) : Math.min(...finite);
    const { mean, half } = meanInterval(
      values.map((v) => (Number.isNaN(v) ? null : v)),
      0.95,
    );
    return { slo: slo.text, values, mean, half, worst, holds: values.every((v) => sloHolds(slo, v)) };
  });
  return {
    nodes: n,
    lostZone: lost.zone,
    schedulableNodes: n - lost.nodes,
    slos,
    pass: slos.every((s) => s.holds),
  };
}

/** What `simctl capacity --pools A,B --cost` searches: the cheapest counts of two pools. */
export interface MixQuestion extends Omit<CapacityQuestion, "pool" | "zoneLoss" | "onCandidate"> {
  pools: readonly [string, string];
  /** A candidate mix is about to run (its counts by pool and the runs it takes). */
  onCandidate?: (nodes: Readonly<Record<string, number>>, runs: number) => void;
}

/** A mix tried: the count of each pool, its price per hour, each SLO's result. */
export interface MixPoint {
  nodes: Record<string, number>;
  costPerHour: number;
  slos: SloResult[];
  pass: boolean;
}

export interface MixAnswer {
  pools: readonly [string, string];
  /** The cheapest mix found that meets every SLO in every run, by pool; null if none. */
  nodes: Record<string, number> | null;
  costPerHour: number | null;
  points: MixPoint[];
}

/**
 * Finds the cheapest mix of counts of pools A and B (each pool's `costPerHour`) for which every
 * SLO holds in every seed, within [min, max] nodes per pool.
 *
 * Search: for a = min, min + 1, ... the smallest passing count of B is found by
 * {@link searchCapacity} with A's count fixed, searched only below the count that would cost
 * as much as the best mix so far (cheaper mixes only) and no higher than the previous a's
 * answer (more A nodes are assumed never to need more B nodes). The walk over a stops once
 * a x price(A) + min x price(B), the cheapest any larger a can be, is no cheaper than the best.
 * Ties go to the mix found first (fewer A nodes).
 */
export async function searchCheapestMix(q: MixQuestion): Promise<MixAnswer> {
  const base = parseScenario(q.file, q.text);
  const [nameA, nameB] = q.pools;
  if (nameA === nameB) throw new UserError(`--pools ${nameA},${nameB}: two different pools`, 2);
  const [a, b] = q.pools.map((name) => {
    const index = base.nodePools.findIndex((p) => p.name === name && p.nodeName === undefined);
    if (index < 0)
      throw new UserError(
        `--pools: ${q.file} has no node pool ${name} (it has ${base.nodePools.map((p) => p.name).join(", ")})`,
        2,
      );
    const price = base.nodePools[index]!.costPerHour;
    if (price === undefined)
      throw new UserError(`--cost: node pool ${name} of ${q.file} has no costPerHour (USD per node-hour)`, 2);
    return { name, index, price };
  }) as [{ name: string; index: number; price: number }, { name: string; index: number; price: number }];
  const points: MixPoint[] = [];
  let best: { nodes: Record<string, number>; cost: number } | undefined;
  let bMax = q.max;
  for (let countA = q.min; countA <= q.max; countA++) {
    const floorCost = countA * a.price + q.min * b.price;
    if (best !== undefined && floorCost >= best.cost) break;
    // Only strictly cheaper mixes are worth a run; a zero price for B bounds nothing.
    const cheaper =
      best === undefined || b.price === 0 ? bMax : Math.ceil((best.cost - countA * a.price) / b.price) - 1;
    const max = Math.min(bMax, cheaper);
    if (max < q.min) continue;
    const counted = setYamlPath(q.text, ["cluster", "nodePools", a.index, "count"], countA);
    if ("error" in counted)
      throw new UserError(`--pools ${a.name}: cannot set its count in ${q.file}: ${counted.error}`, 2);
    const answer = await searchCapacity({
      ...q,
      text: counted.text,
      pool: b.name,
      max,
      zoneLoss: false,
      onCandidate: (n, runs) => q.onCandidate?.({ [a.name]: countA, [b.name]: n }, runs),
    });
    for (const p of answer.points)
      points.push({
        nodes: { [a.name]: countA, [b.name]: p.nodes },
        costPerHour: countA * a.price + p.nodes * b.price,
        slos: p.slos,
        pass: p.pass,
      });
    if (answer.nodes === null) continue;
    bMax = answer.nodes;
    const cost = countA * a.price + answer.nodes * b.price;
    if (best === undefined || cost < best.cost) best = { nodes: { [a.name]: countA, [b.name]: answer.nodes }, cost };
  }
  return { pools: q.pools, nodes: best?.nodes ?? null, costPerHour: best?.cost ?? null, points };
}
