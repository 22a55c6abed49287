import type { PodTable } from "../cluster/pod-table.js";
import type { NodeLifecycleController } from "../controllers/node-lifecycle-controller.js";
import type { Kubelets } from "./kubelet.js";
import type { DrainRecord, NodeEvents } from "./node-events.js";
import type { NodeSampler } from "./node-sampler.js";
import type { PoolUpgrades, UpgradeRecord } from "./pool-upgrade.js";
import { recoveryTimes, type RecoverySummary } from "./recovery.js";
import { lowestAvailability, type AvailabilitySummary } from "./availability.js";
import type { DeploymentState, ReplicaSetState } from "../cluster/workloads.js";

/** The node side of a run's summary (summary.json `results.node`). */
export interface NodeSideSummary {
  /** The shared registry: how close it came to its aggregate bandwidth, and for how long. */
  registry: {
    bandwidthBytesPerSec: number;
    peakThroughputBytesPerSec: number;
    /** peak / bandwidth (0 when the bandwidth is unlimited). */
    peakUtilization: number;
    /** Simulated time spent at (>= 99.9% of) the bandwidth: the registry was the bottleneck. */
    saturatedNs: number;
    /** Simulated time with at least one blob download in flight. */
    activeNs: number;
    bytesServed: number;
    blobDownloads: number;
    /** Most downloads ever queued behind maxConcurrentRequests. */
    peakQueuedDownloads: number;
  };
  pulls: {
    /** EnsureImageExists calls of the kubelets (present images included). */
    requests: number;
    /** Pulls that reached the registry. */
    started: number;
    /** Failed attempts (ErrImagePull, ImagePullBackOff, ErrImageNeverPull), pods' view. */
    failures: number;
    /** Pulls refused by registryPullQPS. */
    qpsRefusals: number;
    /** Deepest per-node queue of waiting pulls seen at a nodes.arrow sample. */
    peakNodeQueue: number;
  };
  /** RunPodSandbox failures (FailedCreatePodSandBox: pod CIDR exhausted, sandbox image pull failed). */
  sandboxFailures: number;
  cniAdds: number;
  /** Pods the kubelets refused at admission (phase Failed, OutOf<resource>). */
  admissionRejections: number;
  /** Status GETs + PATCHes of the kubelets' status managers. */
  statusWrites: number;
  evictions: { taintManager: number; drain: number; podsMarkedNotReady: number };
  /** Per disruptive step (drain, failNodes): time until `expected` pods were Running again. */
  recovery: RecoverySummary[];
  /** Per drain step: its evictions, those refused by PodDisruptionBudgets, time blocked, timeout (absent without drains). */
  drains?: DrainRecord[];
  /** Per upgradePool step: its duration, pods disrupted, time blocked by budgets, forced deletions (absent without any). */
  upgrades?: UpgradeRecord[];
  /** Per Deployment, its fewest Running pods once first at full strength (with drains or upgrades only). */
  availability?: AvailabilitySummary[];
}

/** The components the node-side summary reads. */
export interface NodeSide {
  kubelets: Kubelets;
  nodeLifecycle: NodeLifecycleController;
  nodeEvents: NodeEvents;
  nodeSampler: NodeSampler;
  poolUpgrades: PoolUpgrades | undefined;
  /** The pods' owners (availability per Deployment). */
  store: { readonly deployments: readonly DeploymentState[]; readonly replicaSets: readonly ReplicaSetState[] };
}

/** Builds the node-side summary after a run that stopped at `endNs`. */
export function nodeSideSummary(side: NodeSide, pods: PodTable, expected: number, endNs: number): NodeSideSummary {
  const { kubelets: k, nodeLifecycle: lc, nodeEvents: ev, poolUpgrades: up } = side;
  const reg = k.registry;
  const bw = reg.bandwidthBytesPerSec;
  const { peakThroughputBytesPerSec: peak, bytesServed, flowsStarted, peakWaitingFlows } = reg.totals;
  return {
    registry: {
      bandwidthBytesPerSec: bw,
      peakThroughputBytesPerSec: Math.round(peak),
      peakUtilization: Number.isFinite(bw) ? Math.round((peak / bw) * 1000) / 1000 : 0,
      saturatedNs: reg.saturatedNs(endNs),
      activeNs: reg.activeNs(endNs),
      bytesServed,
      blobDownloads: flowsStarted,
      peakQueuedDownloads: peakWaitingFlows,
    },
    pulls: {
      requests: k.puller.requests.size,
      started: k.puller.totals.pullsStarted,
      failures: k.totals.pullFailures,
      qpsRefusals: k.puller.totals.qpsRefusals,
      peakNodeQueue: side.nodeSampler.peakPullQueue,
    },
    sandboxFailures: k.totals.sandboxFailures,
    cniAdds: k.cni.totals.adds,
    admissionRejections: k.totals.admissionRejections,
    statusWrites: k.status.totals.gets + k.status.totals.patches,
    evictions: {
      taintManager: lc.evictions,
      drain: ev.drainEvictions,
      podsMarkedNotReady: lc.podsMarkedNotReady,
    },
    recovery: recoveryTimes(pods, lc.failedAtNs, ev.disruptions, expected),
    ...(ev.drains.length === 0 ? {} : { drains: ev.drains }),
    ...(up === undefined ? {} : { upgrades: up.records }),
    ...(ev.drains.length === 0 && up === undefined
      ? {}
      : { availability: lowestAvailability(pods, side.store.deployments, side.store.replicaSets, lc.failedAtNs) }),
  };
}
