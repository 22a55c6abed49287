import { constant, lognormal } from "../core/distributions.js";
import { NS_PER } from "../core/time.js";
import { DEFAULT_ETCD_CONFIG } from "../etcd/etcd-config.js";
import type { ApiServerSpec, ControllerManagerSpec, EtcdSpec, KubeletSpec, RegistrySpec, SchedulerSpec, WatchSpec } from "./types.js";

const { us, ms, s } = NS_PER;

/**
 * Defaults for every scenario setting: upstream Kubernetes v1.30+ values where upstream has one,
 * ../shared/CALIBRATION.md figures where a latency must be assumed. A scenario may override each.
 */
export const DEFAULTS = {
  apiserver: {
    replicas: 1,
    // model: kube-apiserver flags --max-requests-inflight=400, --max-mutating-requests-inflight=200.
    maxRequestsInflight: 400,
    maxMutatingRequestsInflight: 200,
    // model: (anecdote) no upstream per-stage figure; a handler chain of ~1 ms median keeps
    // single-object mutating calls far inside the 1 s p99 SLO, as 5,000-node clusters show
    // (k8s 1.6 blog: all API percentiles < 500 ms, p90 < ~100 ms at 5,000 nodes).
    handler: lognormal(800 * us, 5 * ms),
    // model: in-datacenter one-way latency, half of a few-hundred-microsecond RTT (etcd performance.md).
    network: lognormal(150 * us, 600 * us),
  } satisfies ApiServerSpec,
  // model: the calibrated 3-member SSD cluster of src/etcd/etcd-config.ts (each field cited there).
  etcd: {
    members: DEFAULT_ETCD_CONFIG.members,
    peerRtt: DEFAULT_ETCD_CONFIG.peerRtt,
    walFsync: DEFAULT_ETCD_CONFIG.walFsync,
    applyNs: DEFAULT_ETCD_CONFIG.applyNs,
    backendCommit: DEFAULT_ETCD_CONFIG.backendCommit,
    backendBatchIntervalNs: DEFAULT_ETCD_CONFIG.backendBatchIntervalNs,
    backendBatchLimit: DEFAULT_ETCD_CONFIG.backendBatchLimit,
  } satisfies EtcdSpec,
  watch: {
    // model: k8s 1.2 blog: the watch cache trails etcd by tens of milliseconds.
    cacheLag: lognormal(10 * ms, 40 * ms),
    delivery: lognormal(500 * us, 5 * ms),
  } satisfies WatchSpec,
  controllerManager: {
    // model: kube-controller-manager --kube-api-qps=20, --kube-api-burst=30.
    qps: 20,
    burst: 30,
    // model: --concurrent-deployment-syncs=5, --concurrent-replicaset-syncs=5.
    concurrentDeploymentSyncs: 5,
    concurrentReplicaSetSyncs: 5,
    // model: pkg/controller/replicaset/replica_set.go BurstReplicas = 500.
    burstReplicas: 500,
    syncCost: lognormal(100 * us, 1 * ms),
  } satisfies ControllerManagerSpec,
  scheduler: {
    // model: pkg/scheduler/apis/config/v1/defaults.go clientConnection qps 50, burst 100.
    qps: 50,
    burst: 100,
    // model: scheduler_perf SchedulingBasic on 5,000 nodes schedules 680-810 pods/s; a cycle
    // examining the adaptive 500 nodes then costs ~1.35 ms: 0.3 ms fixed + 500 x 34 us / 16.
    cycleCost: constant(300 * us),
    perNodeCost: constant(34 * us),
    // model: KubeSchedulerConfiguration defaults parallelism 16, percentageOfNodesToScore 0 (adaptive).
    parallelism: 16,
    percentageOfNodesToScore: 0,
  } satisfies SchedulerSpec,
  kubelet: {
    // model: pkg/kubelet/apis/config/v1beta1/defaults.go kubeAPIQPS 50, kubeAPIBurst 100.
    qps: 50,
    burst: 100,
    // model: (anecdote) RunPodSandbox with a cached pause image: a few hundred ms under load.
    sandbox: lognormal(150 * ms, 600 * ms),
    // model: (anecdote, CALIBRATION.md) CNI ADD ~0.3 s per pod for an eBPF dataplane under load.
    cni: lognormal(250 * ms, 900 * ms),
    // model: (anecdote) create + start of a container from a present image.
    containerStart: lognormal(100 * ms, 500 * ms),
    // model: pkg/kubelet/kubelet.go genericPlegRelistPeriod = 1 s.
    plegRelistPeriod: 1 * s,
    // model: kubelet config serializeImagePulls defaults to true.
    serializeImagePulls: true,
  } satisfies KubeletSpec,
  registry: {
    // model: (assumed) a registry mirror serving 10 Gbps, nodes with 1 Gbps NICs.
    bandwidth: 10e9 / 8,
    perNodeBandwidth: 1e9 / 8,
  } satisfies RegistrySpec,
  // model: kubelet maxPods default 110 (pkg/kubelet/apis/config/v1beta1/defaults.go).
  maxPods: 110,
  // model: node IPAM default node CIDR mask size /24 for IPv4 (kube-controller-manager --node-cidr-mask-size).
  podCIDRPrefix: 24,
  timeLimitNs: 2 * 3600 * s,
} as const;
