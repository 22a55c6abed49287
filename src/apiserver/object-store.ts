import type { NodeTable } from "../cluster/node-table.js";
import { PodPhase, PodStage, type PodTable } from "../cluster/pod-table.js";
import type { DeploymentState, ReplicaSetState } from "../cluster/workloads.js";
import { SimulationError } from "../core/errors.js";
import type { Engine } from "../core/engine.js";
import { Resource, type RequestTable, Verb } from "./request-table.js";
import { WatchEvent, WatchResource, type WatchCache } from "./watch-cache.js";

/**
 * The objects behind the API (what etcd holds) and the effect of each committed request on
 * them. A committed write changes the object, then is published to the watch cache.
 */
export class ObjectStore {
  readonly deployments: DeploymentState[] = [];
  readonly replicaSets: ReplicaSetState[] = [];
  readonly pods: PodTable;
  readonly nodes: NodeTable;
  private readonly engine: Engine;
  private readonly watch: WatchCache;
  /** Pods whose Running status has been committed. */
  runningPods = 0;
  private stopAtRunning = Infinity;

  constructor(engine: Engine, pods: PodTable, nodes: NodeTable, watch: WatchCache) {
    this.engine = engine;
    this.pods = pods;
    this.nodes = nodes;
    this.watch = watch;
  }

  /** Stops the engine once `count` pods are Running (the `allRunning` stop condition). */
  stopWhenRunning(count: number): void {
    this.stopAtRunning = count;
  }

  /** Applies committed request `req` at the current time and publishes the change. */
  apply(requests: RequestTable, req: number): void {
    const obj = requests.object[req]!;
    const verb = requests.verb[req]!;
    switch (requests.resource[req]) {
      case Resource.deployments:
        if (verb !== Verb.create) break;
        this.deployments[obj]!.exists = true;
        this.watch.publish(WatchResource.deployments, obj, WatchEvent.ADDED);
        return;
      case Resource.deploymentsStatus:
        this.deployments[obj]!.statusReady = requests.operand[req]!;
        this.watch.publish(WatchResource.deployments, obj, WatchEvent.MODIFIED);
        return;
      case Resource.replicasets:
        if (verb !== Verb.create) break;
        this.replicaSets[obj]!.exists = true;
        this.watch.publish(WatchResource.replicasets, obj, WatchEvent.ADDED);
        return;
      case Resource.replicasetsStatus:
        this.replicaSets[obj]!.statusReady = requests.operand[req]!;
        this.watch.publish(WatchResource.replicasets, obj, WatchEvent.MODIFIED);
        return;
      case Resource.pods:
        if (verb !== Verb.create) break;
        this.pods.mark(obj, PodStage.created, this.engine.now);
        this.watch.publish(WatchResource.pods, obj, WatchEvent.ADDED);
        return;
      case Resource.podsBinding: {
        if (this.pods.node[obj] !== -1) throw new SimulationError("apiserver", this.engine.now, `pod ${obj} is already bound`);
        this.pods.node[obj] = requests.operand[req]!;
        this.pods.mark(obj, PodStage.bound, this.engine.now);
        this.watch.publish(WatchResource.pods, obj, WatchEvent.MODIFIED);
        return;
      }
      case Resource.podsStatus: {
        const phase = requests.operand[req]! as PodPhase;
        this.pods.phase[obj] = phase;
        if (phase === PodPhase.Running && this.pods.time(obj, PodStage.running) !== this.pods.time(obj, PodStage.running)) {
          this.pods.mark(obj, PodStage.running, this.engine.now);
          if (++this.runningPods >= this.stopAtRunning) this.engine.stop();
        }
        this.watch.publish(WatchResource.pods, obj, WatchEvent.MODIFIED);
        return;
      }
    }
    throw new SimulationError("apiserver", this.engine.now, `no store semantics for request ${req}`);
  }
}
