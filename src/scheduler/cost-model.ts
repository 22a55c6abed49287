import { Sampler, type DistSpec } from "../core/distributions.js";
import type { RandomStreams } from "../core/random.js";
import type { CycleResult } from "./framework.js";

/**
 * model: (assumed) a PreFilter / PreScore pass that counts matching pods on every node (spread,
 * inter-pod affinity, image counts) costs 4% of filtering and scoring one node, per node. With
 * it a pod with one hard and one soft spread constraint on 5,000 nodes costs about 2.2 ms, the
 * scale of scheduler_perf's TopologySpreading floor (460 pods/s, ../shared/CALIBRATION.md).
 */
export const SCAN_NODE_WEIGHT = 0.04;

/** The settings of the virtual cost of a cycle. */
export interface CostSpec {
  cycleCost: DistSpec;
  perNodeCost: DistSpec;
  parallelism: number;
}

/**
 * Simulated time one scheduling cycle takes: a fixed part plus a per-node part for the nodes
 * filtered (scoring included) and the full-cluster scans of PreFilter / PreScore, divided by
 * parallelism (upstream's 16 workers share the per-node work).
 * model: with the defaults (0.3 ms + 34 us per node) SchedulingBasic on 5,000 nodes examines the
 * adaptive 500 nodes per cycle: 0.3 + 500 x 0.034 / 16 = 1.36 ms, 735 pods/s, inside
 * scheduler_perf's 680-810 pods/s (../shared/CALIBRATION.md).
 */
export class CycleCostModel {
  private readonly fixed: Sampler;
  private readonly perNode: Sampler;
  readonly parallelism: number;

  constructor(spec: CostSpec, random: RandomStreams) {
    this.fixed = new Sampler(spec.cycleCost, random.stream("scheduler/cycle-cost"));
    this.perNode = new Sampler(spec.perNodeCost, random.stream("scheduler/per-node-cost"));
    this.parallelism = spec.parallelism;
  }

  /** Integer nanoseconds for a cycle with result `r` on a cluster of `nodes` nodes. */
  cost(r: CycleResult, nodes: number): number {
    const work = r.examined + r.clusterScans * nodes * SCAN_NODE_WEIGHT;
    return this.fixed.sample() + Math.round((work * this.perNode.sample()) / this.parallelism);
  }
}
