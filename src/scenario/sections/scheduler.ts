import { constant, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import { parseSchedulerConfig, type SchedulerConfig } from "../../scheduler/config.js";
import { ScenarioError } from "../scenario-error.js";
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
  /**
   * The SchedulerAsyncPreemption feature gate: a preemption's API calls run beside the scheduling
   * loop (true) or hold it until they are answered (false, the path before v1.33).
   */
  asyncPreemption: boolean;
  /**
   * A KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) read from `config:`: profiles,
   * plugins, weights, args; its parallelism, percentageOfNodesToScore and clientConnection
   * qps/burst then apply. Absent: the upstream default profile.
   */
  config?: SchedulerConfig;
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
  // model: pkg/features/kube_features.go SchedulerAsyncPreemption: alpha in v1.32, beta and on by
  // default since v1.33 (KEP-4832).
  asyncPreemption: true,
};

export function readScheduler(s: YamlReader): SchedulerSpec {
  const D = SCHEDULER_DEFAULTS;
  s.object([
    "config",
    "qps",
    "burst",
    "cycleCost",
    "perNodeCost",
    "parallelism",
    "percentageOfNodesToScore",
    "asyncPreemption",
  ]);
  let config: SchedulerConfig | undefined;
  if (s.has("config")) {
    const read = s.ctx.readReferenced(s.get("config"), "a KubeSchedulerConfiguration file");
    try {
      if (read !== undefined) config = parseSchedulerConfig(read.path, read.text);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      s.ctx.absorb(e.issues);
    }
    // One source for each setting: the configuration file owns these once it is given.
    for (const key of ["parallelism", "percentageOfNodesToScore"] as const) {
      if (s.has(key)) s.get(key).fail(`no ${key} here: it comes from the KubeSchedulerConfiguration in config:`);
    }
    for (const key of ["qps", "burst"] as const) {
      if (s.has(key) && config !== undefined && config[key] !== null)
        s.get(key).fail(`no ${key} here: the KubeSchedulerConfiguration sets clientConnection.${key}`);
    }
  }
  const spec: SchedulerSpec = {
    qps: s.get("qps").num({ min: 0.001, default: config?.qps ?? D.qps }),
    burst: s.get("burst").int({ min: 1, default: config?.burst ?? D.burst }),
    cycleCost: s.get("cycleCost").dist({ default: D.cycleCost }),
    perNodeCost: s.get("perNodeCost").dist({ default: D.perNodeCost }),
    parallelism: config?.parallelism ?? s.get("parallelism").int({ min: 1, default: D.parallelism }),
    percentageOfNodesToScore:
      config?.percentageOfNodesToScore ??
      s.get("percentageOfNodesToScore").int({ min: 0, max: 100, default: D.percentageOfNodesToScore }),
    asyncPreemption: s.get("asyncPreemption").bool({ default: D.asyncPreemption }),
  };
  if (config !== undefined) spec.config = config;
  return spec;
}
