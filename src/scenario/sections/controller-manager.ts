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
  burstReplicas: number;
  /** Time a worker spends in one sync besides its API calls. */
  syncCost: DistSpec;
}

/** model: kube-controller-manager --concurrent-statefulset-syncs=5. */
export const DEFAULT_CONCURRENT_STATEFULSET_SYNCS = 5;

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

export function readControllerManager(cm: YamlReader): ControllerManagerSpec {
  const D = CONTROLLER_MANAGER_DEFAULTS;
  cm.object([
    "qps",
    "burst",
    "concurrentDeploymentSyncs",
    "concurrentReplicaSetSyncs",
    "concurrentJobSyncs",
    "concurrentStatefulSetSyncs",
    "burstReplicas",
    "syncCost",
  ]);
  return {
    qps: cm.get("qps").num({ min: 0.001, default: D.qps }),
    burst: cm.get("burst").int({ min: 1, default: D.burst }),
    concurrentDeploymentSyncs: cm
      .get("concurrentDeploymentSyncs")
      .int({ min: 1, default: D.concurrentDeploymentSyncs }),
    concurrentReplicaSetSyncs: cm
      .get("concurrentReplicaSetSyncs")
      .int({ min: 1, default: D.concurrentReplicaSetSyncs }),
    concurrentJobSyncs: cm.get("concurrentJobSyncs").int({ min: 1, default: D.concurrentJobSyncs }),
    ...(cm.has("concurrentStatefulSetSyncs")
      ? { concurrentStatefulSetSyncs: cm.get("concurrentStatefulSetSyncs").int({ min: 1 }) }
      : {}),
    burstReplicas: cm.get("burstReplicas").int({ min: 1, default: D.burstReplicas }),
    syncCost: cm.get("syncCost").dist({ default: D.syncCost }),
  };
}
