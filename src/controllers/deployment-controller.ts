import { Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import type { ApiServer } from "../apiserver/api-server.js";
import type { ObjectStore } from "../apiserver/object-store.js";
import { Resource, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType, type WatchCache } from "../apiserver/watch-cache.js";
import type { ControllerManagerSpec } from "../scenario/types.js";
import { WorkQueue } from "./work-queue.js";

const REPLICASET_BYTES = 3_000;
const STATUS_BYTES = 1_500;

/**
 * The deployment controller (pkg/controller/deployment) at first fidelity: a new Deployment
 * gets its ReplicaSet with spec.replicas; ReplicaSet status changes are rolled up into the
 * Deployment's status. Both are API writes through the controller-manager's shared client.
 */
export class DeploymentController {
  readonly queue: WorkQueue;
  private readonly engine: Engine;
  private readonly api: ApiServer;
  private readonly store: ObjectStore;
  private readonly client: number;
  private readonly syncCost: Sampler;
  private readonly kSyncBody: EventKind;
  private readonly kWritten: EventKind;

  constructor(engine: Engine, random: RandomStreams, spec: ControllerManagerSpec, api: ApiServer, store: ObjectStore, watch: WatchCache, client: number) {
    this.engine = engine;
    this.api = api;
    this.store = store;
    this.client = client;
    this.syncCost = new Sampler(spec.syncCost, random.stream("deployment-controller/sync"));
    this.kSyncBody = engine.register("deployment.syncBody", (d) => this.syncBody(d));
    this.kWritten = engine.register("deployment.written", (d) => this.queue.done(d));
    const kSync = engine.register("deployment.sync", (d) => this.engine.schedule(this.syncCost.sample(), this.kSyncBody, d));
    this.queue = new WorkQueue(engine, "deployment", spec.concurrentDeploymentSyncs, kSync);
    watch.watch(WatchResource.deployments, engine.register("deployment.informer.deployment", (_t, arg) => this.onDeploymentEvent(arg)), 0);
    watch.watch(WatchResource.replicasets, engine.register("deployment.informer.rs", (_t, arg) => this.onReplicaSetEvent(arg)), 0);
  }

  private onDeploymentEvent(arg: number): void {
    if (watchType(arg) === WatchEvent.ADDED) this.queue.add(watchObject(arg));
  }

  private onReplicaSetEvent(arg: number): void {
    this.queue.add(this.store.replicaSets[watchObject(arg)]!.deployment);
  }

  private syncBody(d: number): void {
    const dep = this.store.deployments[d]!;
    if (dep.replicaSet < 0) {
      const rs = this.store.replicaSets.length;
      dep.replicaSet = rs;
      this.store.replicaSets.push({
        idx: rs,
        // model: the ReplicaSet is named <deployment>-<pod-template-hash>; the hash is a stand-in.
        name: `${dep.spec.name}-${templateHash(dep.spec.name)}`,
        deployment: d,
        template: dep.template,
        replicas: dep.spec.replicas,
        exists: false,
        nextOrdinal: 0,
        observedPods: 0,
        observedRunning: 0,
        statusReplicas: 0,
        statusReady: 0,
      });
      this.api.submit(this.client, Verb.create, Resource.replicasets, rs, 0, REPLICASET_BYTES, this.kWritten, d);
      return;
    }
    const rs = this.store.replicaSets[dep.replicaSet]!;
    if (rs.exists && rs.statusReady !== dep.statusReady) {
      this.api.submit(this.client, Verb.update, Resource.deploymentsStatus, d, rs.statusReady, STATUS_BYTES, this.kWritten, d);
      return;
    }
    this.queue.done(d);
  }
}

/** A deterministic 10-character stand-in for the pod-template-hash label. */
function templateHash(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return h.toString(36).padStart(7, "0").slice(0, 10);
}
