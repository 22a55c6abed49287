import type { Component } from "../core/component.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import { NS_PER } from "../core/time.js";
import { PodPhase, PodStage, type PodTable } from "../cluster/pod-table.js";
import type { ApiServer } from "../apiserver/api-server.js";
import type { ObjectStore } from "../apiserver/object-store.js";
import { Resource, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType, type WatchCache } from "../apiserver/watch-cache.js";
import type { HpaSpec } from "../scenario/inputs/horizontal-pod-autoscalers.js";
import type { DeploymentSpec } from "../scenario/manifests.js";
import type { LoadCurve } from "../scenario/sections/workload.js";
import {
  newScaleHistory,
  normalize,
  normalizeWithBehaviors,
  type ScaleHistory,
  storeScaleEvent,
} from "./hpa-normalization.js";
import { groupPod, type PodView, ReplicaCalculator } from "./replica-calculator.js";

/** model: kube-controller-manager's HPA flags and their defaults (cmd/kube-controller-manager/app/options/hpacontroller.go). */
export const HPA_DEFAULTS = {
  /** --horizontal-pod-autoscaler-sync-period. */
  syncPeriodNs: 15 * NS_PER.s,
  /** --horizontal-pod-autoscaler-tolerance. */
  tolerance: 0.1,
  /** --horizontal-pod-autoscaler-cpu-initialization-period. */
  cpuInitializationPeriodNs: 5 * NS_PER.m,
  /** --horizontal-pod-autoscaler-initial-readiness-delay. */
  delayOfInitialReadinessStatusNs: 30 * NS_PER.s,
  /** --horizontal-pod-autoscaler-downscale-stabilization. */
  downscaleStabilizationNs: 5 * NS_PER.m,
} as const;

/** model: metrics-server's default --metric-resolution: it scrapes every kubelet this often, and a CPU rate spans two scrapes. */
export const METRIC_RESOLUTION_NS = 15 * NS_PER.s;

/** model: (assumed) sizes of an HPA object and of its status update. */
const HPA_BYTES = 2_000;
const SCALE_BYTES = 500;

/** One HorizontalPodAutoscaler and the controller's memory of it (horizontal.go's recommendations and scale events). */
export interface HpaState extends ScaleHistory {
  spec: HpaSpec;
  /** The target's index in the store's Deployments. */
  deployment: number;
  /** The load steps on the target, in time order (the latest begun applies). */
  loads: readonly LoadCurve[];
  /** Pods of the target the pod informer has seen (deleted ones are dropped at each sync). */
  pods: number[];
  /** status as last written: currentReplicas, desiredReplicas, the cpu utilization (or average milli). */
  currentReplicas: number;
  desiredReplicas: number;
  utilization: number;
  /** The reconcile under way: the count it read and the count it decided. */
  pendingCurrent: number;
  pendingReplicas: number;
  /** Syncs run, scale writes, and the largest spec.replicas the HPA set. */
  syncs: number;
  rescales: number;
  peakReplicas: number;
}

/** What {@link HorizontalPodAutoscalerController} is built from. */
export interface HpaControllerDeps {
  engine: Engine;
  api: ApiServer;
  store: ObjectStore;
  watch: WatchCache;
  pods: PodTable;
  /** The run's pod template manifests, by template id (the pods' cpu requests). */
  templateSpecs: readonly DeploymentSpec[];
  client: number;
  autoscalers: readonly HpaSpec[];
  /** Every load step of the workload. */
  loads: readonly LoadCurve[];
}

/**
 * kube-controller-manager's HorizontalPodAutoscaler controller
 * (pkg/controller/podautoscaler/horizontal.go), for autoscaling/v2 objects with Resource cpu
 * metrics, fed by a metrics-server model over the scenario's load curves.
 *
 * Each HPA is reconciled when kubectl's create is answered and then again one sync period after
 * each reconcile ends (the queue's fixed-interval rate limiter). A reconcile GETs the target's
 * scale subresource, computes the desired count (replica_calculator.go through
 * {@link ReplicaCalculator}, the highest over the metrics), clamps it to min/max, normalizes it
 * (with spec.behavior: stabilization windows and scaling policies; without: the downscale
 * stabilization window and the 2x-or-4-pods scale-up limit), writes the scale subresource when
 * it changes, and writes the status when it changed.
 *
 * The metrics: metrics-server scrapes at multiples of {@link METRIC_RESOLUTION_NS}; a pod has
 * a CPU metric at a scrape once its containers ran for a whole resolution before it (a rate
 * needs two cumulative samples), timestamped at the scrape, window one resolution. Its value is
 * the load curve at the scrape: with `perPod`, the curve for each pod whose containers run;
 * with `total`, L(s) split equally over the pods Ready and not terminating at s (those a
 * Service sends traffic to), 0 for the others.
 *
 * Not modelled: the metrics API request's own cost (metrics.k8s.io is served by metrics-server
 * through the aggregator, outside the simulated API server), conditions other than the counts,
 * more than one HPA per Deployment, and --concurrent-horizontal-pod-autoscaler-syncs (each HPA
 * reconciles on its own; they are few).
 */
export class HorizontalPodAutoscalerController implements Component {
  readonly name = "horizontal-pod-autoscaler";
  readonly hpas: HpaState[] = [];
  private readonly d: HpaControllerDeps;
  private readonly calc = new ReplicaCalculator(HPA_DEFAULTS);
  private readonly view: PodView = {
    terminating: false,
    pending: false,
    ready: Number.NaN,
    readyTransitionNs: Number.NaN,
    startNs: Number.NaN,
    metricNs: Number.NaN,
    metricWindowNs: METRIC_RESOLUTION_NS,
  };
  /** Per template id: the pod's cpu request in milli-CPU (undefined: not summed yet). */
  private readonly requestMilli: number[] = [];
  /** Per Deployment: the HPA targeting it (-1: none). */
  private readonly hpaOf: number[] = [];
  private readonly kSync: EventKind;
  private readonly kScaleRead: EventKind;
  private readonly kScaled: EventKind;
  private readonly kStatusWritten: EventKind;

  constructor(d: HpaControllerDeps) {
    this.d = d;
    const e = d.engine;
    this.kSync = e.register("hpa.sync", (h) => this.sync(h));
    this.kScaleRead = e.register("hpa.scaleRead", (h) => this.reconcile(h));
    this.kScaled = e.register("hpa.scaled", (h, req) => this.onScaled(h, req));
    this.kStatusWritten = e.register("hpa.statusWritten", (h) => this.endReconcile(h));
    for (const spec of d.autoscalers) {
      this.hpas.push({
        spec,
        deployment: -1,
        loads: d.loads.filter((l) => l.deployment === spec.target),
        pods: [],
        ...newScaleHistory(),
        currentReplicas: -1,
        desiredReplicas: -1,
        utilization: -1,
        pendingCurrent: -1,
        pendingReplicas: -1,
        syncs: 0,
        rescales: 0,
        peakReplicas: 0,
      });
    }
    d.watch.inform(WatchResource.pods, "hpa.informer.pod", d.client, (arg) => this.onPodEvent(arg));
  }

  /** Finds each HPA's target among the Deployments kubectl declared at its own initialize. */
  initialize(): void {
    const deps = this.d.store.deployments;
    for (let h = 0; h < this.hpas.length; h++) {
      const s = this.hpas[h]!;
      const d = deps.findIndex((x) => x.spec.name === s.spec.target && x.ownerKind === undefined);
      if (d < 0) throw new SimulationError(this.name, 0, `HPA ${s.spec.name}: no Deployment ${s.spec.target}`);
      s.deployment = d;
      while (this.hpaOf.length <= d) this.hpaOf.push(-1);
      this.hpaOf[d] = h;
    }
  }

  /** kubectl's create of HPA `h` was answered: its first reconcile runs now. */
  created(h: number): void {
    this.sync(h);
  }

  /** kubectl's create of HPA `h`, for its client to submit. */
  submitCreate(client: number, h: number, replyKind: EventKind): void {
    this.d.api.submit(client, Verb.create, Resource.horizontalpodautoscalers, h, 0, HPA_BYTES, replyKind, h);
  }

  private onPodEvent(arg: number): void {
    if (watchType(arg) !== WatchEvent.ADDED) return;
    const pod = watchObject(arg);
    const d = this.d.store.replicaSets[this.d.pods.owner[pod]!]!.deployment;
    const h = d < this.hpaOf.length ? this.hpaOf[d]! : -1;
    if (h >= 0) this.hpas[h]!.pods.push(pod);
  }

  private sync(h: number): void {
    const s = this.hpas[h]!;
    s.syncs++;
    // model: reconcileAutoscaler reads the target's scale subresource live (Scales().Get).
    this.d.api.submit(
      this.d.client,
      Verb.get,
      Resource.deploymentsScale,
      s.deployment,
      0,
      SCALE_BYTES,
      this.kScaleRead,
      h,
    );
  }

  /** horizontal.go reconcileAutoscaler, from the scale just read. */
  private reconcile(h: number): void {
    const s = this.hpas[h]!;
    const now = this.d.engine.now;
    const spec = s.spec;
    const current = this.d.store.deployments[s.deployment]!.replicas;
    // recordInitialRecommendation
    if (s.recAtNs.length === 0) {
      s.recAtNs.push(now);
      s.recReplicas.push(current);
    }
    let desired = current;
    let rescale = true;
    if (current === 0 && spec.minReplicas !== 0) {
      desired = 0; // autoscaling is disabled for this resource
      rescale = false;
    } else if (current > spec.maxReplicas) desired = spec.maxReplicas;
    else if (current < spec.minReplicas) desired = spec.minReplicas;
    else {
      const proposal = this.replicasForMetrics(s, current, now);
      if (proposal < 0)
        rescale = false; // failed to compute the desired replicas: no scale
      else {
        desired =
          spec.behavior === undefined
            ? normalize(s, spec, current, proposal, now, HPA_DEFAULTS.downscaleStabilizationNs)
            : normalizeWithBehaviors(s, spec, current, proposal, now, HPA_DEFAULTS.downscaleStabilizationNs);
        rescale = desired !== current;
      }
    }
    s.pendingCurrent = current;
    s.pendingReplicas = desired;
    if (!rescale) {
      this.writeStatus(h);
      return;
    }
    this.d.api.submit(
      this.d.client,
      Verb.update,
      Resource.deploymentsScale,
      s.deployment,
      desired,
      SCALE_BYTES,
      this.kScaled,
      h,
    );
  }

  private onScaled(h: number, req: number): void {
    const s = this.hpas[h]!;
    if (this.d.api.requests.status[req]! < 300) {
      s.rescales++;
      if (s.pendingReplicas > s.peakReplicas) s.peakReplicas = s.pendingReplicas;
      if (s.spec.behavior !== undefined)
        storeScaleEvent(s, s.spec.behavior, s.pendingCurrent, s.pendingReplicas, this.d.engine.now);
    }
    this.writeStatus(h);
  }

  /** updateStatusIfNeeded: a write only when currentReplicas, desiredReplicas or the metric changed. */
  private writeStatus(h: number): void {
    const s = this.hpas[h]!;
    const utilization = this.calc.utilization;
    if (
      s.pendingCurrent === s.currentReplicas &&
      s.pendingReplicas === s.desiredReplicas &&
      utilization === s.utilization
    ) {
      this.endReconcile(h);
      return;
    }
    s.currentReplicas = s.pendingCurrent;
    s.desiredReplicas = s.pendingReplicas;
    s.utilization = utilization;
    this.d.api.submit(
      this.d.client,
      Verb.update,
      Resource.horizontalpodautoscalersStatus,
      h,
      s.desiredReplicas,
      HPA_BYTES,
      this.kStatusWritten,
      h,
    );
  }

  private endReconcile(h: number): void {
    this.d.engine.schedule(HPA_DEFAULTS.syncPeriodNs, this.kSync, h);
  }

  /**
   * computeReplicasForMetrics: the highest proposal over the metrics; -1 when every metric
   * failed, or some failed and the others would scale down.
   */
  private replicasForMetrics(s: HpaState, current: number, now: number): number {
    this.fillCalculator(s, now);
    let replicas = 0;
    let invalid = 0;
    let utilization = 0;
    for (const m of s.spec.metrics) {
      const p =
        m.type === "Utilization"
          ? this.calc.resourceReplicas(current, m.averageUtilization)
          : this.calc.rawResourceReplicas(current, m.milli);
      if (p < 0) {
        invalid++;
        continue;
      }
      if (replicas === 0 || p > replicas) {
        replicas = p;
        utilization = this.calc.utilization;
      }
    }
    this.calc.utilization = utilization;
    if (invalid >= s.spec.metrics.length || (invalid > 0 && replicas < current)) return -1;
    return replicas;
  }

  /** The pod lister's and the metrics API's view of the target's pods at `now`, into the calculator. */
  private fillCalculator(s: HpaState, now: number): void {
    const pods = this.d.pods;
    const calc = this.calc;
    const v = this.view;
    calc.reset();
    const scrapeNs = Math.floor(now / METRIC_RESOLUTION_NS) * METRIC_RESOLUTION_NS;
    const load = activeLoad(s.loads, scrapeNs);
    const list = s.pods;
    // With a shared load: the pods serving at the scrape split it.
    let serving = 0;
    if (load?.shared) for (let i = 0; i < list.length; i++) if (servingAt(pods, list[i]!, scrapeNs)) serving++;
    const level = load === undefined ? 0 : curveAt(load, scrapeNs);
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (!Number.isNaN(pods.deletedNs[p])) continue; // gone from the lister
      list[kept++] = p;
      const running = pods.phase[p] === PodPhase.Running;
      v.terminating = pods.isTerminating(p) || pods.phase[p] === PodPhase.Failed;
      v.pending = !running;
      const start = pods.time(p, PodStage.admitted);
      v.startNs = start;
      const readyNs = pods.time(p, PodStage.ready);
      const isReady = readyNs <= now;
      // The kubelet writes the Ready condition (False until the containers are ready) with its first status.
      v.ready = running ? (isReady ? 1 : 0) : Number.NaN;
      v.readyTransitionNs = isReady ? readyNs : start;
      const started = pods.time(p, PodStage.containersStarted);
      v.metricNs = started <= scrapeNs - METRIC_RESOLUTION_NS ? scrapeNs : Number.NaN;
      let usage = 0;
      if (load !== undefined && !Number.isNaN(v.metricNs)) {
        if (!load.shared) usage = Math.floor(level);
        else if (servingAt(pods, p, scrapeNs)) usage = Math.floor(level / serving);
      }
      calc.add(groupPod(v, now, HPA_DEFAULTS), this.requestOf(pods.template[p]!), usage);
    }
    list.length = kept;
  }

  private requestOf(template: number): number {
    let r = this.requestMilli[template];
    if (r === undefined) {
      r = 0;
      for (const c of this.d.templateSpecs[template]!.pod.containers)
        r += Math.round((c.requests.get("cpu") ?? 0) * 1000);
      this.requestMilli[template] = r;
    }
    return r;
  }
}

/** Whether pod `p` receives traffic at `t`: Ready by then, and not yet terminating. */
function servingAt(pods: PodTable, p: number, t: number): boolean {
  const del = pods.deletionNs[p]!;
  return pods.time(p, PodStage.ready) <= t && !(del <= t) && !(pods.deletedNs[p]! <= t);
}

/** The latest load step begun by `t` (undefined: none yet); `loads` are in step order. */
function activeLoad(loads: readonly LoadCurve[], t: number): LoadCurve | undefined {
  let out: LoadCurve | undefined;
  for (let i = 0; i < loads.length && loads[i]!.fromNs <= t; i++) out = loads[i];
  return out;
}

/** The curve at `t`: linear between its points, flat outside them. */
export function curveAt(l: LoadCurve, t: number): number {
  const at = l.atNs;
  const v = l.cpuMilli;
  if (t <= at[0]!) return v[0]!;
  for (let i = 1; i < at.length; i++) {
    if (t <= at[i]!) {
      const t0 = at[i - 1]!;
      const span = at[i]! - t0;
      return span === 0 ? v[i]! : v[i - 1]! + ((v[i]! - v[i - 1]!) * (t - t0)) / span;
    }
  }
  return v[v.length - 1]!;
}
