import type { ResourceQuotaSpec } from "./inputs/resource-quotas.js";
import type { PdbSpec } from "./inputs/pod-disruption-budgets.js";
import type { InputReportJson } from "./inputs/input-report.js";
import type { ExistingPodSpec } from "./sections/cluster-pods.js";
import type { ApiServerSpec } from "./sections/api-server.js";
import type { BackgroundSpec } from "./sections/background.js";
import type { ImageSpec, NodePoolSpec } from "./sections/cluster.js";
import type { ControllerManagerSpec } from "./sections/controller-manager.js";
import type { DensityTestSpec } from "./sections/density-test.js";
import type { ClusterAutoscalerSpec } from "./sections/cluster-autoscaler.js";
import type { KarpenterSpec } from "./sections/karpenter.js";
import type { EtcdSpec } from "./sections/etcd.js";
import type { KubeletSpec } from "./sections/kubelet.js";
import type { RegistrySpec } from "./sections/registry.js";
import type { SchedulerSpec } from "./sections/scheduler.js";
import type { StorageSpec } from "./sections/storage.js";
import type { WatchSpec } from "./sections/watch.js";
import type { WorkloadStep } from "./sections/workload.js";

export type {
  ApiServerSpec,
  ClusterAutoscalerSpec,
  BackgroundSpec,
  ControllerManagerSpec,
  EtcdSpec,
  ImageSpec,
  KubeletSpec,
  NodePoolSpec,
  RegistrySpec,
  SchedulerSpec,
  WatchSpec,
  WorkloadStep,
};
export type { ClientLimits } from "./sections/controller-manager.js";
export type { NodeSelection, WorkloadAction } from "./sections/workload.js";

/** The wall-clock time of simulated time 0 when a scenario gives no `startTime`: 2026-01-01T00:00:00Z. */
export const DEFAULT_START_TIME_MS = Date.UTC(2026, 0, 1);

/** Tables a run can write. */
export type OutputTable = "pods" | "scheduler" | "api" | "etcd" | "timeseries" | "nodes" | "registry";

/** A validated scenario with every default resolved. Each section's type and defaults live in sections/. */
export interface Scenario {
  /** Path of the file it came from. */
  file: string;
  name: string;
  seed: number;
  nodePools: readonly NodePoolSpec[];
  images: readonly ImageSpec[];
  apiserver: ApiServerSpec;
  etcd: EtcdSpec;
  watch: WatchSpec;
  controllerManager: ControllerManagerSpec;
  scheduler: SchedulerSpec;
  /** The steady background load (node Leases, node status, leader election, Events). */
  background: BackgroundSpec;
  kubelet: KubeletSpec;
  registry: RegistrySpec;
  workload: readonly WorkloadStep[];
  /** The pods of `cluster.pods` the run starts with (absent without cluster.pods). */
  existingPods?: readonly ExistingPodSpec[];
  /** `storage:`, the StorageClasses of StatefulSets' claims (absent: sections/storage.ts DEFAULT_STORAGE). */
  storage?: StorageSpec;
  /** The PodDisruptionBudgets of the `apply:` inputs (absent without any). */
  podDisruptionBudgets?: readonly PdbSpec[];
  /** ResourceQuotas of the `apply:` inputs, enforced at pod creation (undefined when none). */
  resourceQuotas?: readonly ResourceQuotaSpec[];
  /** The Cluster Autoscaler (present when a node pool has `autoscaling:`). */
  clusterAutoscaler?: ClusterAutoscalerSpec;
  /** Karpenter (`karpenter:`): its NodePools' instance types are node pools of their own. */
  karpenter?: KarpenterSpec;
  stop: { when: "allRunning" | "timeLimit"; timeLimitNs: number };
  /**
   * `startTime:` the wall-clock time of simulated time 0, in ms since the Unix epoch (CronJob
   * schedules run on it); absent: {@link DEFAULT_START_TIME_MS}.
   */
  startTimeMs?: number;
  outputs: readonly OutputTable[];
  /** `densityTest:` pod startup also measured as upstream's e2e density test did (absent: not). */
  densityTest?: DensityTestSpec;
  /**
   * What the inputs hold that the run does not simulate as written (kinds and fields not
   * modelled, images given the default size, pods skipped): printed before the run and written
   * to inputs.json. Not part of the scenario's content hash nor of scenario.json.
   */
  inputs?: InputReportJson;
}
