import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import { Res } from "../../cluster/resources.js";
import type { Handle, PodRef, PreScorePlugin, ScorePlugin } from "../plugin.js";
import type { SchedulerCache } from "../scheduler-cache.js";
import { SKIP, SUCCESS, type Status } from "../status.js";
import { balancedResourceScorer, DEFAULT_RESOURCES, ResourceAllocationScorer } from "./resource-allocation.js";
import { argsObject } from "./simple-args.js";

/**
 * NodeResourcesBalancedAllocation: favours nodes whose requested fractions of the configured
 * resources (cpu and memory by default) would be close to each other, using the pods' actual
 * requests (no non-zero defaults). PreScore skips best-effort pods (v1.33+, kubernetes#129138).
 * model: plugins/noderesources/balanced_allocation.go.
 */
export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = "NodeResourcesBalancedAllocation";
  index = -1;
  readonly normalizes = false;
  private readonly scorer: ResourceAllocationScorer;
  private readonly cache: SchedulerCache;
  /** Whether the scored resources are exactly cpu and memory (the hot-line fast path). */
  private readonly cpuMem: boolean;

  constructor(h: Handle, args: YamlReader | null) {
    this.cache = h.cache;
    const a = argsObject(args, ["resources"]);
    let resources: { name: string; weight: number }[] = [...DEFAULT_RESOURCES];
    if (a?.get("resources").present) {
      resources = a
        .get("resources")
        .list()
        .map((r) => {
          r.object(["name", "weight"]);
          const w = r.get("weight").int({ min: 0, max: 100, default: 0 });
          return { name: r.get("name").str(), weight: w === 0 ? 1 : w };
        });
    }
    this.scorer = new ResourceAllocationScorer(h.cache, resources, true, () => balancedResourceScorer);
    const rs = this.scorer.resources;
    this.cpuMem = rs.length === 2 && rs[0]!.column === Res.cpu && rs[1]!.column === Res.memory;
  }

  preScore(_s: CycleState, pod: PodRef): Status {
    this.scorer.computePodRequests(pod.spec);
    return this.scorer.bestEffort() ? SKIP : SUCCESS;
  }

  score(_s: CycleState, pod: PodRef, list: Int32Array, n: number, out: Float64Array): void {
    const pr = this.scorer.computePodRequests(pod.spec);
    const rs = this.scorer.resources;
    if (rs.length === 2 && rs[0]!.column === Res.cpu && rs[1]!.column === Res.memory) {
      // perf: cpu and memory inline on the cache's hot lines: std = |f1 - f2| / 2, or 0 when
      // only one resource has allocatable.
      const h = this.cache.hot;
      const pc = pr[0]!;
      const pm = pr[1]!;
      for (let i = 0; i < n; i++) out[i] = balancedCpuMem(h, list[i]! * 8, pc, pm);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = this.scorer.score(list[i]!);
  }

  normalizeScore(): void {}

  /** Score added straight into the totals (no NormalizeScore; scores are in [50, 100]). */
  scoreInto(_s: CycleState, pod: PodRef, list: Int32Array, n: number, totals: Float64Array, w: number): number {
    const pr = this.scorer.computePodRequests(pod.spec);
    if (this.cpuMem) balancedCpuMemInto(this.cache.hot, list, n, pr[0]!, pr[1]!, totals, w);
    else for (let i = 0; i < n; i++) totals[i]! += this.scorer.score(list[i]!) * w;
    return -1;
  }

  /**
   * Over cpu and memory the score reads only the node's hot line and the pod's cpu and memory
   * requests: the framework may memoize it (see localScore).
   */
  localKey(pod: PodRef, key: Float64Array, at: number): boolean {
    if (!this.cpuMem) return false;
    key[at] = pod.spec.requests[Res.cpu]!;
    key[at + 1] = pod.spec.requests[Res.memory]!;
    return true;
  }

  /** The score of one node, as score() computes it (after localKey). */
  localScore(pod: PodRef, node: number): number {
    return balancedCpuMem(this.cache.hot, node * 8, pod.spec.requests[Res.cpu]!, pod.spec.requests[Res.memory]!);
  }
}

/** The cpu + memory balanced-allocation score of the node at hot offset o, as score() computes it. */
function balancedCpuMem(h: Float64Array, o: number, pc: number, pm: number): number {
  const ac = h[o]!;
  const am = h[o + 1]!;
  let std = 0;
  if (ac !== 0 && am !== 0) {
    let fc = (h[o + 3]! + pc) / ac;
    let fm = (h[o + 4]! + pm) / am;
    if (fc > 1) fc = 1;
    if (fm > 1) fm = 1;
    std = Math.abs((fc - fm) / 2);
  }
  return Math.trunc((1 - std) * 100);
}

/**
 * totals[i] += w x the cpu + memory balanced-allocation score of list[i], as score() computes it.
 * perf: a module function over the cache's hot lines.
 */
function balancedCpuMemInto(
  h: Float64Array,
  list: Int32Array,
  n: number,
  pc: number,
  pm: number,
  totals: Float64Array,
  w: number,
): void {
  for (let i = 0; i < n; i++) totals[i]! += balancedCpuMem(h, list[i]! * 8, pc, pm) * w;
}
