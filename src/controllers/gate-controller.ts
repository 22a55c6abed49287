import type { ApiServer } from "../apiserver/api-server.js";
import type { ObjectStore } from "../apiserver/object-store.js";
import { Resource, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, type WatchCache, watchObject, watchType } from "../apiserver/watch-cache.js";
import type { PodGates } from "../cluster/pod-gates.js";
import { PodStage } from "../cluster/pod-table.js";
import type { PodTemplate } from "../cluster/pod-template.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { WorkloadAction } from "../scenario/sections/workload.js";

/** model: (assumed) size of a pod patch removing scheduling gates. */
const PATCH_BYTES = 400;

/** What {@link GateController} is built from. */
export interface GateControllerDeps {
  engine: Engine;
  api: ApiServer;
  watch: WatchCache;
  store: ObjectStore;
  templates: readonly PodTemplate[];
  gates: PodGates;
  /** The controller's API client. */
  client: number;
}

/**
 * The controller that removes pods' scheduling gates: what a queueing system such as Kueue
 * does when it admits a workload (it creates the pods gated and lifts the gate at admission).
 * An `ungate` step admits a Deployment: from then on the named gates are removed from each of
 * its pods, those that exist (one pod patch each, through the controller's client) and those
 * created later (patched when its pod informer sees them added).
 *
 * model: a gate is removed by a pod update (core/v1 validation allows removals only); the
 * SchedulingGates plugin queues the pod at the update that removes its last gate.
 */
export class GateController {
  /** Pod patches sent. */
  patches = 0;
  private readonly d: GateControllerDeps;
  /** Per Deployment: the gate names it was admitted for. */
  private readonly released = new Map<number, Set<string>>();
  private readonly kPatched: EventKind;

  constructor(d: GateControllerDeps) {
    this.d = d;
    // The answer changes nothing here: the store and the watch carry the patch's effect.
    this.kPatched = d.engine.register("gates.patched", () => {});
    d.watch.inform(WatchResource.pods, "gates.informer.pod", d.client, (arg) => {
      if (watchType(arg) === WatchEvent.ADDED) this.consider(watchObject(arg));
    });
  }

  /** Carries out an `ungate` step now. */
  ungate(action: Extract<WorkloadAction, { kind: "ungate" }>): void {
    const { store } = this.d;
    const dep = store.deployments.findIndex((x) => x.spec.name === action.deployment);
    let set = this.released.get(dep);
    if (set === undefined) {
      set = new Set();
      this.released.set(dep, set);
    }
    for (const g of action.gates) set.add(g);
    const pods = store.pods;
    for (let p = 0; p < pods.size; p++) if (!Number.isNaN(pods.time(p, PodStage.created))) this.consider(p);
  }

  /** Patches `pod` if its Deployment was admitted for gates it still has. */
  private consider(pod: number): void {
    const { store, templates, gates } = this.d;
    const pods = store.pods;
    if (!Number.isNaN(pods.deletedNs[pod]) || pods.node[pod] !== -1 || !gates.gated(pod)) return;
    const set = this.released.get(store.replicaSets[pods.owner[pod]!]!.deployment);
    if (set === undefined) return;
    const names = templates[pods.template[pod]!]!.schedulingGates ?? [];
    let mask = 0;
    for (let i = 0; i < names.length; i++) if (set.has(names[i]!)) mask |= 1 << i;
    if (mask === 0) return;
    this.patches++;
    this.d.api.submit(this.d.client, Verb.patch, Resource.pods, pod, mask >>> 0, PATCH_BYTES, this.kPatched, pod);
  }
}
