import type { DeploymentSpec } from "../scenario/manifests.js";

/** A Deployment object as the simulated API holds it. Deployments are few: plain objects. */
export interface DeploymentState {
  idx: number;
  spec: DeploymentSpec;
  /** Pod template id its ReplicaSet stamps. */
  template: number;
  /** Its ReplicaSet, once the deployment controller has created it (-1 before). */
  replicaSet: number;
  /** The create was committed. */
  exists: boolean;
  /** status.readyReplicas as last written by the deployment controller. */
  statusReady: number;
}

/** A ReplicaSet object and the replicaset controller's view of it. */
export interface ReplicaSetState {
  idx: number;
  name: string;
  deployment: number;
  template: number;
  /** spec.replicas. */
  replicas: number;
  exists: boolean;
  /** Next ordinal for a pod name. */
  nextOrdinal: number;
  /** Pods of this ReplicaSet the informer has seen created (not deleted). */
  observedPods: number;
  /** Pods of this ReplicaSet the informer has seen Running. */
  observedRunning: number;
  /** status.replicas / readyReplicas as last written. */
  statusReplicas: number;
  statusReady: number;
}
