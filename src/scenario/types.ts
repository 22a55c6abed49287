import type { DistSpec } from "../core/distributions.js";
import type { DeploymentSpec } from "./manifests.js";

/** A pool of identical nodes. */
export interface NodePoolSpec {
  name: string;
  count: number;
  /** Allocatable by resource name, in base units (cpu in cores, memory in bytes). */
  allocatable: ReadonlyMap<string, number>;
  /** Each label's values; nodes take them round-robin (node i gets values[i % n]). */
  labels: ReadonlyMap<string, readonly string[]>;
  taints: readonly { key: string; value: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
  /** Images present on every node of the pool at start. */
  images: readonly string[];
  /** Prefix length of each node's pod CIDR (24 gives a /24). */
  podCIDRPrefix: number;
  unschedulable: boolean;
}

export interface ImageSpec {
  name: string;
  sizeBytes: number;
}

export interface ApiServerSpec {
  replicas: number;
  /** model: kube-apiserver --max-requests-inflight default 400. */
  maxRequestsInflight: number;
  /** model: kube-apiserver --max-mutating-requests-inflight default 200. */
  maxMutatingRequestsInflight: number;
  /** Latency of the handler chain before storage: authn + authz + admission + validation. */
  handler: DistSpec;
  /** Network latency between a client and the API server, each way. */
  network: DistSpec;
}

/** etcd as a scenario sets it; the rest of {@link EtcdConfig} keeps etcd's defaults. */
export interface EtcdSpec {
  members: number;
  peerRtt: DistSpec;
  walFsync: DistSpec;
  /** Serial apply cost per committed entry (MVCC put): what caps write throughput. */
  applyNs: number;
  /** One bbolt transaction commit. */
  backendCommit: DistSpec;
  /** --backend-batch-interval and --backend-batch-limit. */
  backendBatchIntervalNs: number;
  backendBatchLimit: number;
}

export interface WatchSpec {
  /** Latency from an etcd commit to the watch cache (the watch cache lags etcd). */
  cacheLag: DistSpec;
  /** Latency from the watch cache to a watcher receiving the event. */
  delivery: DistSpec;
}

export interface ClientLimits {
  qps: number;
  burst: number;
}

export interface ControllerManagerSpec extends ClientLimits {
  concurrentDeploymentSyncs: number;
  concurrentReplicaSetSyncs: number;
  /** model: pkg/controller/replicaset BurstReplicas = 500. */
  burstReplicas: number;
  /** Time a worker spends in one sync besides its API calls. */
  syncCost: DistSpec;
}

export interface SchedulerSpec extends ClientLimits {
  /** Simulated cost of one scheduling cycle per node examined. */
  perNodeCost: DistSpec;
  /** Fixed simulated cost of one scheduling cycle. */
  cycleCost: DistSpec;
  /** model: KubeSchedulerConfiguration parallelism default 16. */
  parallelism: number;
  /** 0 selects upstream's adaptive percentage. */
  percentageOfNodesToScore: number;
}

export interface KubeletSpec extends ClientLimits {
  sandbox: DistSpec;
  cni: DistSpec;
  containerStart: DistSpec;
  /** model: kubelet PLEG relist period 1 s. */
  plegRelistPeriod: number;
  serializeImagePulls: boolean;
}

export interface RegistrySpec {
  /** Aggregate bandwidth of the shared registry, bytes/s. */
  bandwidth: number;
  /** Each node's download bandwidth, bytes/s. */
  perNodeBandwidth: number;
}

/** A step of the workload: at a time, create these Deployments. */
export interface WorkloadStep {
  atNs: number;
  deployments: readonly DeploymentSpec[];
}

export type OutputTable = "pods";

/** A validated scenario with every default resolved. */
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
  kubelet: KubeletSpec;
  registry: RegistrySpec;
  workload: readonly WorkloadStep[];
  stop: { when: "allRunning" | "timeLimit"; timeLimitNs: number };
  outputs: readonly OutputTable[];
}
