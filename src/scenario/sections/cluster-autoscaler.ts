import { lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import type { YamlReader } from "../yaml-reader.js";
import type { NodePoolSpec } from "./cluster.js";

/** A node pool's node group (`nodePools[].autoscaling`): the pool itself is the template node. */
export interface NodeGroupAutoscaling {
  minNodes: number;
  maxNodes: number;
  /** From the scale-up decision until the VM's kubelet registers the Node. */
  provisionTime: DistSpec;
}

/** Expander names, with upstream's spelling (--expander). */
export const EXPANDERS = ["random", "most-pods", "least-waste", "priority", "price"] as const;
export type ExpanderName = (typeof EXPANDERS)[number];

/** One row of the priority expander's table: node groups whose name matches a pattern get `priority`. */
export interface ExpanderPriority {
  priority: number;
  patterns: readonly string[];
}

/** The Cluster Autoscaler's cluster-wide settings (`clusterAutoscaler:`), upstream's flags. */
export interface ClusterAutoscalerSpec {
  scanIntervalNs: number;
  expander: ExpanderName;
  /** The priority expander's table (cluster-autoscaler-priority-expander ConfigMap), highest first. */
  priorities: readonly ExpanderPriority[];
  /** 0: unlimited. */
  maxNodesTotal: number;
  scaleDownEnabled: boolean;
  scaleDownUtilizationThreshold: number;
  scaleDownUnneededTimeNs: number;
  scaleDownDelayAfterAddNs: number;
  scaleDownDelayAfterDeleteNs: number;
  scaleDownDelayAfterFailureNs: number;
  maxNodeProvisionTimeNs: number;
  /** Nodes deleted at once (empty and drained together). */
  maxScaleDownParallelism: number;
  /** Non-empty nodes drained at once. */
  maxDrainParallelism: number;
  newPodScaleUpDelayNs: number;
  maxPodEvictionTimeNs: number;
  skipNodesWithSystemPods: boolean;
  skipNodesWithLocalStorage: boolean;
  /** Pods of lower priority neither trigger scale-up nor block scale-down. */
  expendablePodsPriorityCutoff: number;
  /** Backoff of a node group after a node failed to register in maxNodeProvisionTime. */
  initialNodeGroupBackoffNs: number;
}

const M = 60 * NS_PER.s;

/**
 * Upstream's defaults, cluster-autoscaler v1.30: config/flags/flags.go and the constants of
 * config/const.go it names, as listed in FAQ.md "What are the parameters to CA?".
 */
export const CLUSTER_AUTOSCALER_DEFAULTS: ClusterAutoscalerSpec = {
  // model: --scan-interval, config.DefaultScanInterval = 10s.
  scanIntervalNs: 10 * NS_PER.s,
  // model: v1.30 --expander default expander.RandomExpanderName (later releases moved to least-waste).
  expander: "random",
  priorities: [],
  // model: --max-nodes-total 0 (no limit).
  maxNodesTotal: 0,
  // model: --scale-down-enabled true.
  scaleDownEnabled: true,
  // model: --scale-down-utilization-threshold, config.DefaultScaleDownUtilizationThreshold = 0.5.
  scaleDownUtilizationThreshold: 0.5,
  // model: --scale-down-unneeded-time, config.DefaultScaleDownUnneededTime = 10m.
  scaleDownUnneededTimeNs: 10 * M,
  // model: --scale-down-delay-after-add 10m.
  scaleDownDelayAfterAddNs: 10 * M,
  // model: --scale-down-delay-after-delete 0 (FAQ: "defaults to scan-interval": the next loop).
  scaleDownDelayAfterDeleteNs: 0,
  // model: --scale-down-delay-after-failure, config.DefaultScaleDownDelayAfterFailure = 3m.
  scaleDownDelayAfterFailureNs: 3 * M,
  // model: --max-node-provision-time 15m.
  maxNodeProvisionTimeNs: 15 * M,
  // model: --max-scale-down-parallelism 10 (successor of --max-empty-bulk-delete, also 10).
  maxScaleDownParallelism: 10,
  // model: --max-drain-parallelism 1.
  maxDrainParallelism: 1,
  // model: --new-pod-scale-up-delay 0s.
  newPodScaleUpDelayNs: 0,
  // model: --max-pod-eviction-time 2m.
  maxPodEvictionTimeNs: 2 * M,
  // model: --skip-nodes-with-system-pods true, --skip-nodes-with-local-storage true.
  skipNodesWithSystemPods: true,
  skipNodesWithLocalStorage: true,
  // model: --expendable-pods-priority-cutoff -10.
  expendablePodsPriorityCutoff: -10,
  // model: --initial-node-group-backoff-duration 5m.
  initialNodeGroupBackoffNs: 5 * M,
};

/**
 * model: (assumed) a cloud VM from the create call to the kubelet's registration: about a
 * minute and a half typically, three minutes at the tail (no upstream default: the cloud decides).
 */
export const DEFAULT_PROVISION_TIME: DistSpec = lognormal(90 * NS_PER.s, 180 * NS_PER.s);

const KEYS = [
  "scanInterval",
  "expander",
  "priorities",
  "maxNodesTotal",
  "scaleDownEnabled",
  "scaleDownUtilizationThreshold",
  "scaleDownUnneededTime",
  "scaleDownDelayAfterAdd",
  "scaleDownDelayAfterDelete",
  "scaleDownDelayAfterFailure",
  "maxNodeProvisionTime",
  "maxScaleDownParallelism",
  "maxDrainParallelism",
  "newPodScaleUpDelay",
  "maxPodEvictionTime",
  "skipNodesWithSystemPods",
  "skipNodesWithLocalStorage",
  "expendablePodsPriorityCutoff",
  "initialNodeGroupBackoff",
] as const;

/**
 * Reads `clusterAutoscaler:` (every key optional; absent keys take upstream's defaults).
 * `pools` / `poolsR` are the node pools read before, for the price expander's costPerHour check.
 */
export function readClusterAutoscaler(
  r: YamlReader,
  pools: readonly NodePoolSpec[],
  poolsR: YamlReader,
): ClusterAutoscalerSpec {
  const D = CLUSTER_AUTOSCALER_DEFAULTS;
  r.object(KEYS);
  const expander = r.get("expander").oneOf(EXPANDERS, { default: D.expander });
  const pr = r.get("priorities");
  const priorities: ExpanderPriority[] = [];
  for (const [key, v] of pr.entries("a mapping of priority to a list of node group name patterns")) {
    const priority = Number(key);
    if (!Number.isInteger(priority)) v.fail(`an integer priority as the key (found ${JSON.stringify(key)})`);
    const patterns = v.list("a list of regular expressions over node group names").map((p) => {
      const s = p.str();
      try {
        new RegExp(s);
      } catch {
        p.fail("a regular expression (Go RE2 syntax, as the priority expander reads it)");
      }
      return s;
    });
    priorities.push({ priority, patterns });
  }
  priorities.sort((a, b) => b.priority - a.priority);
  if (expander === "priority" && priorities.length === 0)
    pr.fail("the priority expander's table, e.g. { 10: [.*], 50: [big-.*] }");
  if (expander !== "priority" && pr.present) pr.fail("no priorities unless expander is priority");
  if (expander === "price") {
    const list = poolsR.list();
    pools.forEach((p, i) => {
      if (p.autoscaling !== undefined && p.costPerHour === undefined)
        list[i]?.get("costPerHour").fail("a costPerHour for every autoscaled pool (the price expander compares them)");
    });
  }
  const dur = (k: (typeof KEYS)[number], def: number, min = 0) => r.get(k).duration({ min, default: def });
  return {
    scanIntervalNs: dur("scanInterval", D.scanIntervalNs, 1),
    expander,
    priorities,
    maxNodesTotal: r.get("maxNodesTotal").int({ min: 0, default: D.maxNodesTotal }),
    scaleDownEnabled: r.get("scaleDownEnabled").bool({ default: D.scaleDownEnabled }),
    scaleDownUtilizationThreshold: r
      .get("scaleDownUtilizationThreshold")
      .num({ min: 0, max: 1, default: D.scaleDownUtilizationThreshold }),
    scaleDownUnneededTimeNs: dur("scaleDownUnneededTime", D.scaleDownUnneededTimeNs),
    scaleDownDelayAfterAddNs: dur("scaleDownDelayAfterAdd", D.scaleDownDelayAfterAddNs),
    scaleDownDelayAfterDeleteNs: dur("scaleDownDelayAfterDelete", D.scaleDownDelayAfterDeleteNs),
    scaleDownDelayAfterFailureNs: dur("scaleDownDelayAfterFailure", D.scaleDownDelayAfterFailureNs),
    maxNodeProvisionTimeNs: dur("maxNodeProvisionTime", D.maxNodeProvisionTimeNs, 1),
    maxScaleDownParallelism: r.get("maxScaleDownParallelism").int({ min: 1, default: D.maxScaleDownParallelism }),
    maxDrainParallelism: r.get("maxDrainParallelism").int({ min: 1, default: D.maxDrainParallelism }),
    newPodScaleUpDelayNs: dur("newPodScaleUpDelay", D.newPodScaleUpDelayNs),
    maxPodEvictionTimeNs: dur("maxPodEvictionTime", D.maxPodEvictionTimeNs, 1),
    skipNodesWithSystemPods: r.get("skipNodesWithSystemPods").bool({ default: D.skipNodesWithSystemPods }),
    skipNodesWithLocalStorage: r.get("skipNodesWithLocalStorage").bool({ default: D.skipNodesWithLocalStorage }),
    expendablePodsPriorityCutoff: r
      .get("expendablePodsPriorityCutoff")
      .int({ min: -(2 ** 31), max: 2 ** 31 - 1, default: D.expendablePodsPriorityCutoff }),
    initialNodeGroupBackoffNs: dur("initialNodeGroupBackoff", D.initialNodeGroupBackoffNs),
  };
}

/** Reads `nodePools[].autoscaling` against the pool's `count` (min <= count <= max). */
export function readNodeGroupAutoscaling(a: YamlReader, count: number, countR: YamlReader): NodeGroupAutoscaling {
  a.object(["minNodes", "maxNodes", "provisionTime"]);
  const minNodes = a.get("minNodes").int({ min: 0, max: 1_000_000, default: 0 });
  const maxNodes = a.get("maxNodes").int({ min: 1, max: 1_000_000 });
  if (maxNodes < minNodes) a.get("maxNodes").fail(`at least minNodes (${minNodes})`);
  // model: CA does not move a group into its range (--enforce-node-group-min-size false): the
  // pool must start inside it.
  if (count < minNodes || count > maxNodes) countR.fail(`a count from minNodes ${minNodes} to maxNodes ${maxNodes}`);
  return { minNodes, maxNodes, provisionTime: a.get("provisionTime").dist({ default: DEFAULT_PROVISION_TIME }) };
}
