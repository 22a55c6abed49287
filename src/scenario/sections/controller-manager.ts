import { lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import type { YamlReader } from "../yaml-reader.js";

/** A client's client-side rate limit. */
export interface ClientLimits {
  qps: number;
  burst: number;
}

/** kube-controller-manager (`controlPlane.controllerManager`). */
export interface ControllerManagerSpec extends ClientLimits {
  concurrentDeploymentSyncs: number;
  concurrentReplicaSetSyncs: number;
  concurrentJobSyncs: number;
  /** --concurrent-statefulset-syncs when the scenario sets it (absent: {@link DEFAULT_CONCURRENT_STATEFULSET_SYNCS}). */
  concurrentStatefulSetSyncs?: number;
  /** --concurrent-daemonset-syncs when the scenario sets it (absent: {@link DEFAULT_CONCURRENT_DAEMONSET_SYNCS}). */
  concurrentDaemonSetSyncs?: number;
  burstReplicas: number;
  /** Time a worker spends in one sync besides its API calls. */
  syncCost: DistSpec;
}

/** model: kube-controller-manager --concurrent-statefulset-syncs=5. */
export const DEFAULT_CONCURRENT_STATEFULSET_SYNCS = 5;
/** model: kube-controller-manager --concurrent-daemonset-syncs=2. */
export const DEFAULT_CONCURRENT_DAEMONSET_SYNCS = 2;

export const CONTROLLER_MANAGER_DEFAULTS: ControllerManagerSpec = {
  // model: kube-controller-manager --kube-api-qps=20, --kube-api-burst=30.
  qps: 20,
  burst: 30,
  // model: --concurrent-deployment-syncs=5, --concurrent-replicaset-syncs=5, --concurrent-job-syncs=5.
  concurrentDeploymentSyncs: 5,
  concurrentReplicaSetSyncs: 5,
  concurrentJobSyncs: 5,
  // model: pkg/controller/replicaset/replica_set.go BurstReplicas = 500.
  burstReplicas: 500,
  // model: (assumed) in-memory work of one sync: listing from the informer cache, diffing.
  syncCost: lognormal(100 * NS_PER.us, 1 * NS_PER.ms),
};

/** The settings of {@link ControllerManagerSpec} that are always present numbers. */
type CountKey = {
  [K in keyof ControllerManagerSpec]-?: ControllerManagerSpec[K] extends number ? K : never;
}[keyof ControllerManagerSpec];

export function readControllerManager(cm: YamlReader): ControllerManagerSpec {
  const D = CONTROLLER_MANAGER_DEFAULTS;
  cm.object([
    "qps",
    "burst",
    "concurrentDeploymentSyncs",
    "concurrentReplicaSetSyncs",
    "concurrentJobSyncs",
    "concurrentStatefulSetSyncs",
    "concurrentDaemonSetSyncs",
    "burstReplicas",
    "syncCost",
  ]);
  /** A count of 1 or more (a burst, a worker count), `D`'s when not given. */
  const count = (key: CountKey) => cm.get(key).int({ min: 1, default: D[key] });
  return {
    qps: cm.get("qps").num({ min: 0.001, default: D.qps }),
    burst: count("burst"),
    concurrentDeploymentSyncs: count("concurrentDeploymentSyncs"),
    concurrentReplicaSetSyncs: count("concurrentReplicaSetSyncs"),
    concurrentJobSyncs: count("concurrentJobSyncs"),
    ...(cm.has("concurrentStatefulSetSyncs")
      ? { concurrentStatefulSetSyncs: cm.get("concurrentStatefulSetSyncs").int({ min: 1 }) }
      : {}),
    ...(cm.has("concurrentDaemonSetSyncs")
      ? { concurrentDaemonSetSyncs: cm.get("concurrentDaemonSetSyncs").int({ min: 1 }) }
      : {}),
    burstReplicas: count("burstReplicas"),
    syncCost: cm.get("syncCost").dist({ default: D.syncCost }),
  };
}
