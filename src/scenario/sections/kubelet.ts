import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { constant, lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import type { RuntimeCosts } from "../../node/node-runtime.js";
import { ScenarioError } from "../scenario-error.js";
import { readYamlDocuments, type YamlReader } from "../yaml-reader.js";
import { DEFAULT_SANDBOX_IMAGE } from "./cluster.js";
import type { ClientLimits } from "./controller-manager.js";

/** A named CNI ADD latency profile (src/node/cni.ts CNI_PROFILES) or a distribution. */
export type CniProfileSpec = "bridge" | "ebpf" | DistSpec;

/** Volume operation latencies (`kubelet.volumes`). */
export interface VolumeLatencySpec {
  /** Mount of a node-local volume (projected token, configMap, secret, emptyDir). */
  localMount: DistSpec;
  /** CSI ControllerPublishVolume by the attach-detach controller (an attachable volume). */
  csiAttach: DistSpec;
  /** CSI NodeStageVolume + NodePublishVolume on the node, after the attach. */
  csiMount: DistSpec;
}

/**
 * The node lifecycle and taint-eviction controllers of kube-controller-manager and the
 * DefaultTolerationSeconds admission plugin (`kubelet.nodeLifecycle`): they are simulated with
 * the node side because they act on node failures.
 */
export interface NodeLifecycleSpec {
  /** --node-monitor-grace-period: a node silent this long is marked NotReady (Unknown). */
  nodeMonitorGracePeriod: number;
  /** --node-monitor-period: how often node health is checked. */
  nodeMonitorPeriod: number;
  /** The kubelet renews its node Lease this often. */
  leaseRenewInterval: number;
  /** --node-eviction-rate: nodes per second tainted NoExecute per zone while healthy. */
  nodeEvictionRate: number;
  /** --secondary-node-eviction-rate: the rate in a partially disrupted large zone. */
  secondaryNodeEvictionRate: number;
  /** --unhealthy-zone-threshold: share of NotReady nodes making a zone partially disrupted. */
  unhealthyZoneThreshold: number;
  /** --large-cluster-size-threshold: zones above this size keep evicting when partially disrupted. */
  largeClusterSizeThreshold: number;
  /** --default-unreachable-toleration-seconds (kube-apiserver), in ns. */
  defaultUnreachableTolerationNs: number;
}

/** Every node's kubelet and container runtime (`kubelet`). */
export interface KubeletSpec extends ClientLimits {
  /** RunPodSandbox without its CNI ADD and pause-image pull: create and start the pause container. */
  sandbox: DistSpec;
  /** The pause image RunPodSandbox ensures; it must be declared under images:. */
  sandboxImage: string;
  /** CNI ADD latency: a named profile or a distribution. */
  cni: CniProfileSpec;
  /** CNI ADDs one node runs at once (null: no limit). */
  cniMaxConcurrentAddsPerNode: number | null;
  /** CreateContainer + StartContainer of one container whose image is present. */
  containerStart: DistSpec;
  /** StopContainer: from SIGTERM until the container exited (capped by the grace period). */
  containerStop: DistSpec;
  /** How long an init container runs before it exits successfully. */
  initContainerRuntime: DistSpec;
  /** From a container's start until the application answers its probes. */
  appStartup: DistSpec;
  /** One probe's own duration (exec / HTTP / TCP round trip). */
  probeLatency: DistSpec;
  plegRelistPeriod: number;
  /** null: derived as upstream (true unless maxParallelImagePulls >= 2). */
  serializeImagePulls: boolean | null;
  /** null: no limit when pulls are not serialized. */
  maxParallelImagePulls: number | null;
  registryPullQPS: number;
  registryBurst: number;
  /** containerd max_concurrent_downloads: layers of one pull fetched at once. */
  maxConcurrentDownloads: number;
  /** Probability that an image pull attempt fails with ErrImagePull. */
  imagePullFailureRate: number;
  /** Image pull back-off start and cap. */
  imageBackOff: number;
  maxImageBackOff: number;
  /** The GET that precedes each status PATCH of the status manager (round trip). */
  statusGet: DistSpec;
  volumes: VolumeLatencySpec;
  nodeLifecycle: NodeLifecycleSpec;
  /** Interval of the nodes.arrow time series. */
  sampleInterval: number;
  /**
   * Cores the kubelet and the container runtime of each node run on (system-reserved CPU);
   * null: GKE's reservation for the node's CPU capacity (src/node/node-runtime.ts gkeReservedCpu).
   */
  systemReservedCpu: number | null;
  /** CPU costs and concurrency of the runtime and the kubelet's sync loops. */
  runtime: RuntimeCosts;
}

const { us, ms, s } = NS_PER;

/** The kubelet section's defaults: upstream v1.30 values where upstream has one, cited per field. */
export const KUBELET_DEFAULTS: KubeletSpec = {
  // model: pkg/kubelet/apis/config/v1beta1/defaults.go kubeAPIQPS 50, kubeAPIBurst 100.
  qps: 50,
  burst: 100,
  // model: (anecdote) RunPodSandbox with a cached pause image: a few hundred ms under load.
  sandbox: lognormal(150 * ms, 600 * ms),
  sandboxImage: DEFAULT_SANDBOX_IMAGE,
  // model: (anecdote, CALIBRATION.md) CNI ADD ~0.3 s per pod for an eBPF dataplane under load;
  // src/node/cni.ts CNI_PROFILES.ebpf. A bridge setup is `cni: bridge` (~1.5 s).
  cni: "ebpf",
  // model: src/node/cni.ts CniConfig.maxConcurrentAddsPerNode: ADDs on a node overlap.
  cniMaxConcurrentAddsPerNode: null,
  // model: (anecdote) create + start of a container from a present image.
  containerStart: lognormal(100 * ms, 500 * ms),
  // model: (assumed) an application that exits promptly on SIGTERM; the grace period (30 s,
  // core/v1 DefaultTerminationGracePeriodSeconds) only caps it.
  containerStop: lognormal(200 * ms, 2 * s),
  // model: (assumed) an init container doing a short setup task.
  initContainerRuntime: lognormal(1 * s, 5 * s),
  // model: (assumed) the application answers its probes as soon as it started; set this to
  // the application's warm-up to see readiness probes at work.
  appStartup: constant(0),
  // model: (assumed) an exec or HTTP probe answered locally.
  probeLatency: lognormal(2 * ms, 20 * ms),
  // model: pkg/kubelet/kubelet.go genericPlegRelistPeriod = 1 s.
  plegRelistPeriod: 1 * s,
  // model: pkg/kubelet/apis/config/v1beta1/defaults.go: SerializeImagePulls defaults to true
  // unless MaxParallelImagePulls >= 2; MaxParallelImagePulls defaults to nil.
  serializeImagePulls: null,
  maxParallelImagePulls: null,
  // model: pkg/kubelet/apis/config/v1beta1/defaults.go RegistryPullQPS 5, RegistryBurst 10.
  registryPullQPS: 5,
  registryBurst: 10,
  // model: containerd pkg/cri/config/config_unix.go DefaultConfig MaxConcurrentDownloads 3.
  maxConcurrentDownloads: 3,
  imagePullFailureRate: 0,
  // model: pkg/kubelet/kubelet.go imageBackOffPeriod 10 s, MaxImageBackOff 300 s.
  imageBackOff: 10 * s,
  maxImageBackOff: 300 * s,
  // model: (assumed) a GET of one pod: network round trip + handler + quorum read from etcd.
  statusGet: lognormal(2 * ms, 15 * ms),
  volumes: {
    // model: (assumed) projected/configMap/secret volumes write a few files into a tmpfs.
    localMount: lognormal(5 * ms, 50 * ms),
    // model: (anecdote) cloud block-volume attach through a CSI external-attacher: seconds.
    csiAttach: lognormal(5 * s, 30 * s),
    // model: (anecdote) NodeStageVolume (format on first use + mount) and NodePublishVolume.
    csiMount: lognormal(500 * ms, 3 * s),
  },
  nodeLifecycle: {
    // model: pkg/controller/nodelifecycle/config/v1alpha1/defaults.go NodeMonitorGracePeriod
    // 40 s in v1.30 (raised to 50 s in v1.32).
    nodeMonitorGracePeriod: 40 * s,
    // model: pkg/controller/apis/config/v1alpha1/defaults.go NodeMonitorPeriod 5 s.
    nodeMonitorPeriod: 5 * s,
    // model: pkg/kubelet/kubelet.go nodeLeaseRenewIntervalFraction 0.25 of the Lease's
    // 40 s duration (kubelet nodeLeaseDurationSeconds default 40): renewed every 10 s.
    leaseRenewInterval: 10 * s,
    // model: kube-controller-manager --node-eviction-rate 0.1, --secondary-node-eviction-rate
    // 0.01, --unhealthy-zone-threshold 0.55, --large-cluster-size-threshold 50.
    nodeEvictionRate: 0.1,
    secondaryNodeEvictionRate: 0.01,
    unhealthyZoneThreshold: 0.55,
    largeClusterSizeThreshold: 50,
    // model: kube-apiserver --default-unreachable-toleration-seconds 300
    // (plugin/pkg/admission/defaulttolerationseconds/admission.go).
    defaultUnreachableTolerationNs: 300 * s,
  },
  sampleInterval: 10 * s,
  systemReservedCpu: null,
  runtime: {
    // model: containerd's CRI plugin serves calls concurrently: RunPodSandbox and CreateContainer
    // take only per-name reservations (internal/cri/server sandbox_run.go, container_create.go
    // sandboxNameIndex / containerNameIndex Reserve), no daemon-wide lock.
    maxConcurrentOps: null,
    // model: (assumed) runc create + start of the pause container and its namespaces, and of
    // one app container: ~10 ms of CPU each (process spawns, cgroup and mount setup).
    sandboxCpu: 10 * ms,
    containerCpu: 10 * ms,
    // model: (assumed) one SyncPod of the kubelet: computePodActions, status generation, ~2 ms.
    syncPodCpu: 2 * ms,
    // model: (assumed) a PLEG relist: CRI ListPodSandbox + ListContainers over gRPC, ~1 ms
    // plus 20 us per container decoded (pkg/kubelet/pleg/generic.go relist).
    relistCpu: 1 * ms,
    relistCpuPerContainer: 20 * us,
    // model: pkg/kubelet/apis/config/v1beta1/defaults.go SyncFrequency 1 min; the resync reads
    // the pod's status from the PLEG's pod cache (no runtime call per container).
    podSyncPeriod: 60 * s,
    podSyncCpu: 1 * ms,
    podSyncCpuPerContainer: 0,
    // model: the kubelet's steady CPU per pod, its loops over every pod (volume manager
    // populator and reconciler each 100 ms, status manager, stats) together: upstream's
    // resource-usage e2e test allows the kubelet a median of 0.12 cores at 35 pods and 0.17 at
    // 100 (test/e2e/node/kubelet_perf.go, a GCE node): (0.17 - 0.12) / 65 = ~0.8 ms per pod per
    // second. Its container runtime's allowance stays flat (0.05-0.06), so nothing per container.
    statsCpuPerContainerPerSecond: 0,
    podLoopsCpuPerPodPerSecond: 800 * us,
    // model: pkg/kubelet/kubelet.go syncLoopIteration: a config update dispatches only the pods
    // it names (HandlePodAdditions / HandlePodUpdates).
    syncAllOnUpdate: false,
    // model: pkg/kubelet/pleg/generic.go: the Running status follows the relist that sees the
    // containers started.
    statusAtSyncEnd: false,
    // model: containerd's CRI StartContainer records the container's startedAt after the task
    // started, as the call returns (internal/cri/server container_start.go).
    startedAtLead: 0,
    // model: the agents' CPU is the node's system reservation (GKE's, or systemReservedCpu).
    cpuBurstCores: null,
  },
};

const KEYS = [
  "qps",
  "burst",
  "sandbox",
  "sandboxImage",
  "cni",
  "cniMaxConcurrentAddsPerNode",
  "containerStart",
  "containerStop",
  "initContainerRuntime",
  "appStartup",
  "probeLatency",
  "plegRelistPeriod",
  "serializeImagePulls",
  "maxParallelImagePulls",
  "registryPullQPS",
  "registryBurst",
  "maxConcurrentDownloads",
  "imagePullFailureRate",
  "imageBackOff",
  "maxImageBackOff",
  "statusGet",
  "volumes",
  "nodeLifecycle",
  "sampleInterval",
  "profile",
  "systemReservedCpu",
  "runtime",
] as const;

const RUNTIME_KEYS = [
  "maxConcurrentOps",
  "sandboxCpu",
  "containerCpu",
  "syncPodCpu",
  "relistCpu",
  "relistCpuPerContainer",
  "podSyncPeriod",
  "podSyncCpu",
  "podSyncCpuPerContainer",
  "statsCpuPerContainerPerSecond",
  "podLoopsCpuPerPodPerSecond",
  "syncAllOnUpdate",
  "statusAtSyncEnd",
  "startedAtLead",
  "cpuBurstCores",
] as const;

/**
 * The shipped runtime profiles, by name: scenarios/profiles/runtime-<name>.yaml of the package,
 * the nearest directory above this module that holds it (this module runs from src/, dist/ or
 * the bench's dist-bench/src/, at different depths).
 */
function profileDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "scenarios", "profiles");
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no scenarios/profiles above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/**
 * The kubelet settings of a runtime profile (`kubelet.profile`): a shipped name (`containerd`,
 * the built-in defaults; `docker-2015`; `hollow-node`) or a path relative to the scenario. A
 * profile file holds a `kubelet:` mapping read like the scenario's own; the scenario's keys
 * override it.
 */
function readProfile(k: YamlReader): KubeletSpec {
  const r = k.get("profile");
  const v = r.str({ expected: "a runtime profile name (containerd, docker-2015, hollow-node) or a path" });
  if (v === "" || v === "containerd") return KUBELET_DEFAULTS;
  let path: string;
  let text: string;
  if (/^[a-z0-9-]+$/.test(v)) {
    path = resolve(profileDir(), `runtime-${v}.yaml`);
    if (!existsSync(path)) {
      r.fail("containerd, docker-2015, hollow-node or the path of a profile file");
      return KUBELET_DEFAULTS;
    }
    text = readFileSync(path, "utf8");
  } else {
    const read = k.ctx.readReferenced(r, "a runtime profile file");
    if (read === undefined) return KUBELET_DEFAULTS;
    path = read.path;
    text = read.text;
  }
  try {
    const { ctx, docs } = readYamlDocuments(path, text);
    const root = docs[0];
    if (root === undefined || !root.present) {
      ctx.report("", 0, "a profile document with a kubelet: mapping", "nothing");
      ctx.throwIfIssues();
    }
    root!.object(["name", "kubelet"]);
    const kb = root!.get("kubelet");
    if (kb.present && kb.has("profile")) {
      kb.get("profile").fail("no profile inside a profile");
      ctx.throwIfIssues();
    }
    const spec = readKubelet(kb);
    ctx.throwIfIssues();
    return spec;
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    k.ctx.absorb(e.issues);
    return KUBELET_DEFAULTS;
  }
}

/** Reads `kubelet:`; every key is optional and defaults to its runtime profile's, else upstream's. */
export function readKubelet(k: YamlReader): KubeletSpec {
  k.object(KEYS);
  const D = k.has("profile") ? readProfile(k) : KUBELET_DEFAULTS;
  const vol = k.get("volumes");
  vol.object(["localMount", "csiAttach", "csiMount"]);
  const nl = k.get("nodeLifecycle");
  const NL = D.nodeLifecycle;
  nl.object([
    "nodeMonitorGracePeriod",
    "nodeMonitorPeriod",
    "leaseRenewInterval",
    "nodeEvictionRate",
    "secondaryNodeEvictionRate",
    "unhealthyZoneThreshold",
    "largeClusterSizeThreshold",
    "defaultUnreachableTolerationSeconds",
  ]);
  const serialize = k.has("serializeImagePulls") ? k.get("serializeImagePulls").bool() : D.serializeImagePulls;
  const maxPar = k.has("maxParallelImagePulls")
    ? k.get("maxParallelImagePulls").int({ min: 1 })
    : D.maxParallelImagePulls;
  // model: pkg/kubelet/apis/config/validation/validation.go: maxParallelImagePulls > 1 needs
  // serializeImagePulls false.
  if (serialize === true && maxPar !== null && maxPar > 1)
    k.get("maxParallelImagePulls").fail("1 or nothing while serializeImagePulls is true");
  const backOff = k.get("imageBackOff").duration({ min: 1, default: D.imageBackOff });
  const maxBackOff = k.get("maxImageBackOff").duration({ min: 1, default: D.maxImageBackOff });
  if (maxBackOff < backOff) k.get("maxImageBackOff").fail(`a duration no less than imageBackOff (${backOff} ns)`);
  return {
    qps: k.get("qps").num({ min: 0.001, default: D.qps }),
    burst: k.get("burst").int({ min: 1, default: D.burst }),
    sandbox: k.get("sandbox").dist({ default: D.sandbox }),
    sandboxImage: k.get("sandboxImage").str({ default: D.sandboxImage }),
    cni: readCni(k.get("cni"), D.cni),
    cniMaxConcurrentAddsPerNode: k.has("cniMaxConcurrentAddsPerNode")
      ? k.get("cniMaxConcurrentAddsPerNode").int({ min: 1 })
      : D.cniMaxConcurrentAddsPerNode,
    containerStart: k.get("containerStart").dist({ default: D.containerStart }),
    containerStop: k.get("containerStop").dist({ default: D.containerStop }),
    initContainerRuntime: k.get("initContainerRuntime").dist({ default: D.initContainerRuntime }),
    appStartup: k.get("appStartup").dist({ default: D.appStartup }),
    probeLatency: k.get("probeLatency").dist({ default: D.probeLatency }),
    plegRelistPeriod: k.get("plegRelistPeriod").duration({ min: 1, default: D.plegRelistPeriod }),
    serializeImagePulls: serialize,
    maxParallelImagePulls: maxPar,
    registryPullQPS: k.get("registryPullQPS").num({ min: 0, default: D.registryPullQPS }),
    registryBurst: k.get("registryBurst").int({ min: 1, default: D.registryBurst }),
    maxConcurrentDownloads: k.get("maxConcurrentDownloads").int({ min: 1, default: D.maxConcurrentDownloads }),
    imagePullFailureRate: k.get("imagePullFailureRate").num({ min: 0, max: 1, default: D.imagePullFailureRate }),
    imageBackOff: backOff,
    maxImageBackOff: maxBackOff,
    statusGet: k.get("statusGet").dist({ default: D.statusGet }),
    volumes: {
      localMount: vol.get("localMount").dist({ default: D.volumes.localMount }),
      csiAttach: vol.get("csiAttach").dist({ default: D.volumes.csiAttach }),
      csiMount: vol.get("csiMount").dist({ default: D.volumes.csiMount }),
    },
    nodeLifecycle: {
      nodeMonitorGracePeriod: nl.get("nodeMonitorGracePeriod").duration({ min: 1, default: NL.nodeMonitorGracePeriod }),
      nodeMonitorPeriod: nl.get("nodeMonitorPeriod").duration({ min: 1 * ms, default: NL.nodeMonitorPeriod }),
      leaseRenewInterval: nl.get("leaseRenewInterval").duration({ min: 1 * us, default: NL.leaseRenewInterval }),
      nodeEvictionRate: nl.get("nodeEvictionRate").num({ min: 0, default: NL.nodeEvictionRate }),
      secondaryNodeEvictionRate: nl
        .get("secondaryNodeEvictionRate")
        .num({ min: 0, default: NL.secondaryNodeEvictionRate }),
      unhealthyZoneThreshold: nl
        .get("unhealthyZoneThreshold")
        .num({ min: 0, max: 1, default: NL.unhealthyZoneThreshold }),
      largeClusterSizeThreshold: nl
        .get("largeClusterSizeThreshold")
        .int({ min: 0, default: NL.largeClusterSizeThreshold }),
      defaultUnreachableTolerationNs: nl.has("defaultUnreachableTolerationSeconds")
        ? nl.get("defaultUnreachableTolerationSeconds").int({ min: 0 }) * s
        : NL.defaultUnreachableTolerationNs,
    },
    sampleInterval: k.get("sampleInterval").duration({ min: 1 * ms, default: D.sampleInterval }),
    systemReservedCpu: k.has("systemReservedCpu")
      ? k.get("systemReservedCpu").num({ min: 0.001 })
      : D.systemReservedCpu,
    runtime: readRuntime(k.get("runtime"), D.runtime),
  };
}

/** The {@link RuntimeCosts} that are plain numbers (durations), as opposed to flags and optional limits. */
type RuntimeDuration = { [K in keyof RuntimeCosts]: RuntimeCosts[K] extends number ? K : never }[keyof RuntimeCosts];

function readRuntime(r: YamlReader, D: RuntimeCosts): RuntimeCosts {
  r.object(RUNTIME_KEYS);
  /** A CPU cost or lead of 0 or more, `D`'s when not given. */
  const cost = (key: RuntimeDuration) => r.get(key).duration({ min: 0, default: D[key] });
  return {
    maxConcurrentOps: r.has("maxConcurrentOps") ? r.get("maxConcurrentOps").int({ min: 1 }) : D.maxConcurrentOps,
    sandboxCpu: cost("sandboxCpu"),
    containerCpu: cost("containerCpu"),
    syncPodCpu: cost("syncPodCpu"),
    relistCpu: cost("relistCpu"),
    relistCpuPerContainer: cost("relistCpuPerContainer"),
    podSyncPeriod: r.get("podSyncPeriod").duration({ min: 1 * ms, default: D.podSyncPeriod }),
    podSyncCpu: cost("podSyncCpu"),
    podSyncCpuPerContainer: cost("podSyncCpuPerContainer"),
    statsCpuPerContainerPerSecond: cost("statsCpuPerContainerPerSecond"),
    podLoopsCpuPerPodPerSecond: cost("podLoopsCpuPerPodPerSecond"),
    syncAllOnUpdate: r.has("syncAllOnUpdate") ? r.get("syncAllOnUpdate").bool() : D.syncAllOnUpdate,
    statusAtSyncEnd: r.has("statusAtSyncEnd") ? r.get("statusAtSyncEnd").bool() : D.statusAtSyncEnd,
    startedAtLead: cost("startedAtLead"),
    cpuBurstCores: r.has("cpuBurstCores") ? r.get("cpuBurstCores").num({ min: 0.001 }) : D.cpuBurstCores,
  };
}

function readCni(r: YamlReader, fallback: CniProfileSpec): CniProfileSpec {
  if (!r.present) return fallback;
  const v = r.value();
  if (v === "bridge" || v === "ebpf") return v;
  if (typeof v === "string" && !/^[0-9]/.test(v)) {
    r.fail("bridge, ebpf, a duration or a distribution such as { dist: lognormal, p50: 300ms, p99: 1s }");
    return fallback;
  }
  return r.dist();
}
