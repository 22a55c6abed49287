import type { DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import type { YamlReader } from "../yaml-reader.js";
import {
  CLUSTER_AUTOSCALER_DEFAULTS,
  type ClusterAutoscalerSpec,
  DEFAULT_PROVISION_TIME,
} from "./cluster-autoscaler.js";
import { DEFAULT_POD_CIDR_PREFIX, type NodePoolSpec, readAllocatable, readLabels, readTaints } from "./cluster.js";

/** karpenter.sh/v1 NodePool spec.disruption.consolidationPolicy values. */
export const CONSOLIDATION_POLICIES = ["WhenEmptyOrUnderutilized", "WhenEmpty"] as const;
export type ConsolidationPolicy = (typeof CONSOLIDATION_POLICIES)[number];

/** One Karpenter NodePool (`karpenter.nodePools[]`); each instance type is a cluster node pool of its own. */
export interface KarpenterNodePool {
  name: string;
  /** The cluster node pools of its instance types, in the order given. */
  pools: readonly string[];
  /** spec.limits.cpu in cores (Infinity: none). */
  limitCpu: number;
  /** spec.weight: NodePools are tried highest first. */
  weight: number;
  consolidationPolicy: ConsolidationPolicy;
  /** spec.disruption.consolidateAfter (Infinity: Never). */
  consolidateAfterNs: number;
  /** spec.disruption.budgets[].nodes as a fraction of the NodePool's nodes, or an absolute count. */
  budgetNodes: { percent: boolean; value: number };
}

/** Karpenter's settings (`karpenter:`) and NodePools. */
export interface KarpenterSpec {
  batchIdleDurationNs: number;
  batchMaxDurationNs: number;
  nodePools: readonly KarpenterNodePool[];
}

/** model: settings BATCH_IDLE_DURATION 1s, BATCH_MAX_DURATION 10s (karpenter pkg/operator/options/options.go). */
export const KARPENTER_DEFAULTS = { batchIdleDurationNs: NS_PER.s, batchMaxDurationNs: 10 * NS_PER.s };

/**
 * NodeTable rows reserved per instance type when the NodePool gives no cpu limit (a cap of the
 * simulator, not Karpenter's: it has none). With `limits.cpu`, the most nodes of the type the limit allows.
 */
export const MAX_NODES_PER_INSTANCE_TYPE = 500;

/**
 * The Cluster Autoscaler settings the shared actuation and removal simulation read, set to
 * Karpenter's behaviour: every node is a consolidation candidate (no utilization threshold),
 * kube-system and local-storage pods do not block, no pod is expendable, evictions a budget
 * refuses are retried without end (the NodePool's terminationGracePeriod is unset by default),
 * a NodeClaim not registered in 15 minutes is deleted (nodeclaim/lifecycle liveness.go
 * registrationTTL) and nothing backs off.
 */
export const KARPENTER_ACTUATION: ClusterAutoscalerSpec = {
  ...CLUSTER_AUTOSCALER_DEFAULTS,
  scaleDownUtilizationThreshold: Number.POSITIVE_INFINITY,
  maxPodEvictionTimeNs: Number.POSITIVE_INFINITY,
  maxNodeProvisionTimeNs: 15 * 60 * NS_PER.s,
  skipNodesWithSystemPods: false,
  skipNodesWithLocalStorage: false,
  expendablePodsPriorityCutoff: -(2 ** 31),
  initialNodeGroupBackoffNs: 0,
};

/** A DNS-1123 pool name from a NodePool and an instance type name (m5.large -> m5-large). */
function poolName(nodePool: string, type: string): string {
  return `${nodePool}-${type.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
}

/**
 * Reads `karpenter:`. Returns the spec and the cluster node pools of its instance types (count
 * 0, autoscaled up to their row cap; labels node.kubernetes.io/instance-type and
 * karpenter.sh/nodepool added, as Karpenter's NodeClaims carry them). `taken`: pool names in use.
 */
export function readKarpenter(
  r: YamlReader,
  taken: ReadonlySet<string>,
): { spec: KarpenterSpec; pools: NodePoolSpec[] } {
  r.object(["batchIdleDuration", "batchMaxDuration", "nodePools"]);
  const idle = r.get("batchIdleDuration").duration({ min: 1, default: KARPENTER_DEFAULTS.batchIdleDurationNs });
  const max = r.get("batchMaxDuration").duration({ min: 1, default: KARPENTER_DEFAULTS.batchMaxDurationNs });
  const list = r.get("nodePools").list("a list of Karpenter NodePools");
  if (list.length === 0) r.get("nodePools").fail("at least one NodePool");
  const names = new Set(taken);
  const pools: NodePoolSpec[] = [];
  const nodePools = list.map((p): KarpenterNodePool => {
    p.object([
      "name",
      "instanceTypes",
      "limits",
      "weight",
      "labels",
      "taints",
      "provisionTime",
      "consolidationPolicy",
      "consolidateAfter",
      "budgetNodes",
    ]);
    const name = p.get("name").str({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, expected: "a DNS-1123 label" });
    const lim = p.get("limits");
    lim.object(["cpu"]);
    const limitCpu = lim.get("cpu").present ? lim.get("cpu").quantity({ min: 0 }) : Number.POSITIVE_INFINITY;
    const labels = readLabels(p.get("labels"));
    const taints = readTaints(p.get("taints"));
    const provisionTime: DistSpec = p.get("provisionTime").dist({ default: DEFAULT_PROVISION_TIME });
    const types = p.get("instanceTypes").list("a list of instance types { name, allocatable, costPerHour }");
    if (types.length === 0) p.get("instanceTypes").fail("at least one instance type");
    const own: string[] = [];
    for (const t of types) {
      t.object(["name", "allocatable", "costPerHour", "labels"]);
      const type = t.get("name").str({ pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, expected: "an instance type name" });
      const pool = poolName(name, type);
      if (names.has(pool)) t.get("name").fail(`an instance type whose node pool name ${pool} is not used before`);
      names.add(pool);
      const allocatable = readAllocatable(t.get("allocatable"));
      const cpu = allocatable.get("cpu") ?? 0;
      const cap = Math.min(MAX_NODES_PER_INSTANCE_TYPE, cpu > 0 ? Math.floor(limitCpu / cpu) : Infinity);
      const typeLabels = new Map(labels);
      for (const [k, v] of readLabels(t.get("labels"))) typeLabels.set(k, v);
      // model: well-known labels of a Karpenter node (karpenter.sh/v1 NodePoolLabelKey, corev1.LabelInstanceTypeStable).
      typeLabels.set("karpenter.sh/nodepool", [name]);
      typeLabels.set("node.kubernetes.io/instance-type", [type]);
      own.push(pool);
      if (cap < 1) continue; // the limit leaves no room for one node of this type
      pools.push({
        name: pool,
        count: 0,
        allocatable,
        labels: typeLabels,
        taints,
        images: [],
        podCIDRPrefix: DEFAULT_POD_CIDR_PREFIX,
        unschedulable: false,
        autoscaling: { minNodes: 0, maxNodes: cap, provisionTime },
        costPerHour: t.get("costPerHour").num({ min: 0 }),
        karpenter: { nodePool: name, instanceType: type },
      });
    }
    const after = p.get("consolidateAfter");
    // model: karpenter.sh/v1 NodePool defaults (kubebuilder markers in pkg/apis/v1/nodepool.go):
    // consolidationPolicy WhenEmptyOrUnderutilized, consolidateAfter 0s, budgets [{ nodes: 10% }].
    const consolidateAfterNs =
      after.value() === "Never" ? Number.POSITIVE_INFINITY : after.duration({ min: 0, default: 0 });
    const b = p.get("budgetNodes");
    let budgetNodes = { percent: true, value: 0.1 };
    if (b.present) {
      const s = String(b.value());
      const m = /^(\d+)(%?)$/.exec(s);
      if (m === null) b.fail('a node count or a percentage such as "10%"');
      else
        budgetNodes =
          m[2] === "%" ? { percent: true, value: Number(m[1]) / 100 } : { percent: false, value: Number(m[1]) };
    }
    return {
      name,
      pools: own.filter((n) => pools.some((x) => x.name === n)),
      limitCpu,
      // model: spec.weight is optional (1-100); a NodePool without one comes last.
      weight: p.get("weight").int({ min: 1, max: 100, default: 0 }),
      consolidationPolicy: p.get("consolidationPolicy").oneOf(CONSOLIDATION_POLICIES, {
        default: "WhenEmptyOrUnderutilized",
      }),
      consolidateAfterNs,
      budgetNodes,
    };
  });
  return { spec: { batchIdleDurationNs: idle, batchMaxDurationNs: max, nodePools }, pools };
}
