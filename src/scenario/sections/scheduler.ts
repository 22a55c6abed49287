import { constant, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import type { YamlReader } from "../yaml-reader.js";
import type { ClientLimits } from "./controller-manager.js";

/** kube-scheduler (`controlPlane.scheduler`). */
export interface SchedulerSpec extends ClientLimits {
  /** Simulated cost of one scheduling cycle per node examined. */
  perNodeCost: DistSpec;
  /** Fixed simulated cost of one scheduling cycle. */
  cycleCost: DistSpec;
  parallelism: number;
  /** 0 selects upstream's adaptive percentage. */
  percentageOfNodesToScore: number;
}

export const SCHEDULER_DEFAULTS: SchedulerSpec = {
  // model: pkg/scheduler/apis/config/v1/defaults.go clientConnection qps 50, burst 100.
  qps: 50,
  burst: 100,
  // model: scheduler_perf SchedulingBasic on 5,000 nodes schedules 680-810 pods/s; a cycle
  // examining the adaptive 500 nodes then costs ~1.35 ms: 0.3 ms fixed + 500 x 34 us / 16.
  cycleCost: constant(300 * NS_PER.us),
  perNodeCost: constant(34 * NS_PER.us),
  // model: KubeSchedulerConfiguration defaults parallelism 16, percentageOfNodesToScore 0 (adaptive).
  parallelism: 16,
  percentageOfNodesToScore: 0,
};

export function readScheduler(s: YamlReader): SchedulerSpec {
  const D = SCHEDULER_DEFAULTS;
  s.object(["qps", "burst", "cycleCost", "perNodeCost", "parallelism", "percentageOfNodesToScore"]);
  return {
    qps: s.get("qps").num({ min: 0.001, default: D.qps }),
    burst: s.get("burst").int({ min: 1, default: D.burst }),
    cycleCost: s.get("cycleCost").dist({ default: D.cycleCost }),
    perNodeCost: s.get("perNodeCost").dist({ default: D.perNodeCost }),
    parallelism: s.get("parallelism").int({ min: 1, default: D.parallelism }),
    percentageOfNodesToScore: s.get("percentageOfNodesToScore").int({ min: 0, max: 100, default: D.percentageOfNodesToScore }),
  };
}
