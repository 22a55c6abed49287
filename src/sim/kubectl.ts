import { newDaemonSet } from "../cluster/daemon-sets.js";
import type { PodTemplate } from "../cluster/pod-template.js";
import { newJob, newReplicaSet } from "../cluster/workloads.js";
import type { Component } from "../core/component.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import type { ApiServer } from "../apiserver/api-server.js";
import type { ObjectStore } from "../apiserver/object-store.js";
import { Resource, Verb } from "../apiserver/request-table.js";
import type { NodeEvents } from "../node/node-events.js";
import type { DeploymentSpec } from "../scenario/manifests.js";
import type { HorizontalPodAutoscalerController } from "../controllers/horizontal-pod-autoscaler.js";
import type { WorkloadAction } from "../scenario/sections/workload.js";
import type { Scenario } from "../scenario/types.js";
import type { AllRunningCondition } from "./all-running.js";
import { buildTemplate, type Vocabulary, withImage } from "./build-cluster.js";
import { revisionName } from "../controllers/statefulset-controller.js";

/** model: (assumed) size of a Deployment (or ReplicaSet, Job, CronJob or DaemonSet) create or update body. */
const DEPLOYMENT_BYTES = 3_000;
/** model: (assumed) size of kubectl scale's merge patch of the scale subresource. */
const SCALE_PATCH_BYTES = 200;

/** What {@link Kubectl} is built from. */
export interface KubectlDeps {
  engine: Engine;
  scenario: Scenario;
  vocabulary: Vocabulary;
  store: ObjectStore;
  api: ApiServer;
  /** kubectl's API client id. */
  client: number;
  /** The run's pod templates and the manifest of each, filled at initialize (shared with the scheduler and kubelets). */
  templates: PodTemplate[];
  templateSpecs: DeploymentSpec[];
  /** Carries out the node steps (addNodes, cordon, uncordon, drain, failNodes). */
  nodeEvents: NodeEvents;
  /** Waits for every step to be applied and every write answered before judging "all Running". */
  allRunning: AllRunningCondition;
}

/** What `initialize` worked out for one workload step. */
interface StepPlan {
  /** The index of the step's first HorizontalPodAutoscaler in the controller's list. */
  readonly firstAutoscaler: number;
  /** An update's template: a DaemonSet's revision, else the pod template built (-1: the Deployment's own). */
  updateTemplate: number;
}

/**
 * The user at kubectl, replaying the scenario's workload: each step at its time, its writes
 * (Deployment creates and updates) through kubectl's rate-limited client; node steps through
 * {@link NodeEvents}.
 *
 * Lifecycle: `initialize(0)` builds every pod template the run will use (those of the created
 * Deployments and of each update that changes an image) and declares the Deployments in the
 * store; `start()` schedules the steps.
 */
export class Kubectl implements Component {
  readonly name = "kubectl";
  private readonly d: KubectlDeps;
  /** Per pod template: the Deployment it was built for. */
  private readonly templateOwner: number[] = [];
  private readonly steps: StepPlan[] = [];
  private readonly kApplied: EventKind;
  private readonly kApply: EventKind;
  private readonly kScale: EventKind;
  private readonly kHpaCreated: EventKind;
  /** Each scale: row (kubectl scale at its time): the Deployment and its replicas. */
  private readonly scales: { readonly deployment: number; readonly replicas: number }[] = [];
  /** Steps and scale rows kubectl carries out (load steps are the metrics model's, not kubectl's). */
  private readonly applications: number;
  private stepsApplied = 0;
  private inflight = 0;
  private autoscalers: HorizontalPodAutoscalerController | undefined;
  /** Carries out `ungate` steps (set when the workload has any). */
  ungater: { ungate(a: Extract<WorkloadAction, { kind: "ungate" }>): void } | undefined;

  constructor(d: KubectlDeps) {
    this.d = d;
    this.kApplied = d.engine.register("kubectl.applied", () => this.onReply());
    this.kApply = d.engine.register("kubectl.apply", (step) => this.applyStep(step));
    this.kScale = d.engine.register("kubectl.scale", (row) => this.scale(row));
    this.kHpaCreated = d.engine.register("kubectl.hpaCreated", (h) => {
      this.autoscalers!.created(h);
      this.onReply();
    });
    let n = 0;
    for (const s of d.scenario.workload)
      n += s.action.kind === "scale" ? s.action.atNs.length : s.action.kind === "load" ? 0 : 1;
    this.applications = n;
    d.allRunning.awaitSettled(this);
  }

  /** The HorizontalPodAutoscaler controller, which learns of each HPA kubectl creates (built after kubectl). */
  attachAutoscalers(c: HorizontalPodAutoscalerController): void {
    this.autoscalers = c;
  }

  /** Steps not yet applied plus writes not yet answered: 0 once the workload is all in. */
  get pending(): number {
    return this.applications - this.stepsApplied + this.inflight;
  }

  initialize(): void {
    const { scenario, store } = this.d;
    let autoscalers = 0;
    for (let i = 0; i < scenario.workload.length; i++) {
      const a = scenario.workload[i]!.action;
      const step: StepPlan = { firstAutoscaler: autoscalers, updateTemplate: -1 };
      this.steps.push(step);
      if (a.kind === "create") {
        autoscalers += a.autoscalers?.length ?? 0;
        for (const d of a.deployments) {
          const id = this.addTemplate(d);
          const idx = store.deployments.length;
          store.deployments.push({
            idx,
            spec: d,
            template: id,
            replicas: d.replicas,
            replicaSets: [],
            exists: false,
            statusAvailable: 0,
            ...(d.kind !== undefined ? { ownerKind: d.kind } : {}),
          });
          // A ReplicaSet created as such: its object is kubectl's to create; the deployment
          // controller leaves it alone (it has no Deployment), the replicaset controller runs it.
          if (d.kind === "Job") this.declareJob(d, idx, id);
          if (d.kind === "StatefulSet") this.declareStatefulSet(d, idx, id);
          if (d.kind === "CronJob") this.declareCronJob(d, idx, id);
          if (d.kind === "DaemonSet") this.declareDaemonSet(d, idx, id);
          if (d.kind === "ReplicaSet") {
            const rs = store.replicaSets.length;
            store.deployments[idx]!.replicaSets.push(rs);
            store.replicaSets.push({
              ...newReplicaSet(rs, d.name, idx, id, d.replicas),
              ...(d.minReadyNs === undefined ? {} : { minReadyNs: d.minReadyNs }),
            });
          }
        }
      } else if (a.kind === "update" && this.daemonSetNamed(a.deployment) !== undefined) {
        // A DaemonSet's new template is its next revision (the reader requires an image: it has
        // no replicas); its controller builds the pods' templates.
        const ds = this.daemonSetNamed(a.deployment)!;
        const spec = withImage(ds.revisions.at(-1)!, a.container, a.image ?? "");
        step.updateTemplate = ds.revisions.push(spec) - 1;
      } else if (a.kind === "update") {
        const dep = this.deploymentNamed(a.deployment);
        if (a.image !== undefined)
          step.updateTemplate = this.addTemplate(withImage(this.latestSpec(dep.idx), a.container, a.image), dep.idx);
      } else if (a.kind === "scale") {
        const dep = this.deploymentNamed(a.deployment).idx;
        for (const replicas of a.replicas) this.scales.push({ deployment: dep, replicas });
      } else if (
        a.kind !== "load" &&
        a.kind !== "addNodes" &&
        a.kind !== "cordon" &&
        a.kind !== "uncordon" &&
        a.kind !== "drain" &&
        a.kind !== "failNodes" &&
        a.kind !== "upgradePool" &&
        a.kind !== "ungate"
      ) {
        throw new SimulationError("kubectl", 0, `workload step ${i} is not simulated yet`);
      }
    }
  }

  start(): void {
    const w = this.d.scenario.workload;
    let row = 0;
    for (let i = 0; i < w.length; i++) {
      const a = w[i]!.action;
      if (a.kind === "scale") for (const t of a.atNs) this.d.engine.scheduleAt(t, this.kScale, row++);
      else if (a.kind !== "load") this.d.engine.scheduleAt(w[i]!.atNs, this.kApply, i);
    }
  }

  /**
   * kubectl scale: a patch of the Deployment's scale subresource (kubectl's ScaleSimple patches
   * spec.replicas when no precondition is given).
   */
  private scale(row: number): void {
    const { deployment, replicas } = this.scales[row]!;
    this.inflight++;
    this.stepsApplied++;
    this.d.api.submit(
      this.d.client,
      Verb.patch,
      Resource.deploymentsScale,
      deployment,
      replicas,
      SCALE_PATCH_BYTES,
      this.kApplied,
      deployment,
    );
  }

  /**
   * Declares Job `spec` (owner entry `owner`, pod template `template`): the Job object, which
   * kubectl creates, and the ReplicaSet-table row its pods point at, which no ReplicaSet
   * controller acts on (it is never created in the API).
   */
  private declareJob(spec: DeploymentSpec, owner: number, template: number): void {
    const store = this.d.store;
    const rs = store.replicaSets.length;
    store.deployments[owner]!.replicaSets.push(rs);
    store.replicaSets.push(newReplicaSet(rs, spec.name, owner, template, 0));
    store.jobs.push(newJob(store.jobs.length, spec.name, spec.namespace, spec.job!, owner, rs));
    this.d.allRunning.expectJobs(1);
  }

  /**
   * Declares CronJob `spec` (owner entry `owner`, its Jobs' pod template `template`): the
   * CronJob object, which kubectl creates; its Jobs are the CronJob controller's to declare.
   */
  private declareCronJob(spec: DeploymentSpec, owner: number, template: number): void {
    const store = this.d.store;
    store.cronJobs.push({
      idx: store.cronJobs.length,
      name: spec.name,
      namespace: spec.namespace,
      spec: spec.cronJob!,
      jobSpec: spec.job!,
      owner,
      template,
      exists: false,
      createdNs: NaN,
      active: [],
      lastScheduleMs: NaN,
      lastSuccessfulMs: NaN,
      jobs: [],
    });
  }

  /** Declares StatefulSet `spec` (owner entry `owner`): its object and the ReplicaSet-table row holding its pods. */
  private declareStatefulSet(spec: DeploymentSpec, owner: number, template: number): void {
    const store = this.d.store;
    const rs = store.replicaSets.length;
    store.deployments[owner]!.replicaSets.push(rs);
    store.replicaSets.push(newReplicaSet(rs, revisionName(spec.name, template), owner, template, 0));
    store.statefulSets.push({
      idx: store.statefulSets.length,
      name: spec.name,
      namespace: spec.namespace,
      spec: spec.statefulSet!,
      owner,
      revisions: [rs],
      exists: false,
      currentTemplate: template,
      statusReady: 0,
      statusAvailable: 0,
    });
  }

  /**
   * Declares DaemonSet `spec` (owner entry `owner`): the DaemonSet object, which kubectl creates,
   * and the ReplicaSet-table row its pods point at, which no ReplicaSet controller acts on.
   * Its pods' templates (one per revision and node) are the DaemonSet controller's to build;
   * `template` stands for the DaemonSet's own spec.template and stamps no pod.
   */
  private declareDaemonSet(spec: DeploymentSpec, owner: number, template: number): void {
    const store = this.d.store;
    const rs = store.replicaSets.length;
    store.deployments[owner]!.replicaSets.push(rs);
    store.replicaSets.push(newReplicaSet(rs, spec.name, owner, template, 0));
    store.daemonSets.push(newDaemonSet(store.daemonSets.length, spec, owner, rs));
  }

  private daemonSetNamed(name: string) {
    return this.d.store.daemonSets.find((x) => x.name === name);
  }

  private addTemplate(spec: DeploymentSpec, deployment = this.d.store.deployments.length): number {
    const id = this.d.templates.length;
    this.d.templates.push(buildTemplate(id, spec, this.d.vocabulary));
    this.d.templateSpecs.push(spec);
    this.templateOwner.push(deployment);
    return id;
  }

  /** The manifest of the newest template built for Deployment `d`. */
  private latestSpec(d: number): DeploymentSpec {
    const specs = this.d.templateSpecs;
    for (let t = specs.length - 1; t >= 0; t--) if (this.templateOwner[t] === d) return specs[t]!;
    return this.d.store.deployments[d]!.spec;
  }

  private deploymentNamed(name: string) {
    const d = this.d.store.deployments.find((x) => x.spec.name === name);
    if (d === undefined) throw new SimulationError("kubectl", 0, `no Deployment ${name}`);
    return d;
  }

  /** Carries out workload step `i` at its time. */
  private applyStep(i: number): void {
    const { api, client, store } = this.d;
    const a = this.d.scenario.workload[i]!.action;
    if (a.kind === "create") {
      for (const spec of a.deployments) {
        const d = store.deployments.findIndex((x) => x.spec === spec);
        this.inflight++;
        if (spec.kind === "DaemonSet") {
          const ds = store.daemonSets.findIndex((x) => x.revisions[0] === spec);
          api.submit(client, Verb.create, Resource.daemonsets, ds, 0, DEPLOYMENT_BYTES, this.kApplied, ds);
        } else if (spec.kind === "Job") {
          const job = store.jobs.findIndex((j) => j.spec === spec.job);
          api.submit(client, Verb.create, Resource.jobs, job, 0, DEPLOYMENT_BYTES, this.kApplied, job);
        } else if (spec.kind === "StatefulSet") {
          const sts = store.statefulSets.findIndex((x) => x.spec === spec.statefulSet);
          api.submit(client, Verb.create, Resource.statefulsets, sts, 0, DEPLOYMENT_BYTES, this.kApplied, sts);
        } else if (spec.kind === "CronJob") {
          const cj = store.cronJobs.findIndex((c) => c.owner === d);
          api.submit(client, Verb.create, Resource.cronjobs, cj, 0, DEPLOYMENT_BYTES, this.kApplied, cj);
        } else if (spec.kind === "ReplicaSet") {
          const rs = store.deployments[d]!.replicaSets[0]!;
          api.submit(client, Verb.create, Resource.replicasets, rs, spec.replicas, DEPLOYMENT_BYTES, this.kApplied, rs);
        } else api.submit(client, Verb.create, Resource.deployments, d, 0, DEPLOYMENT_BYTES, this.kApplied, d);
      }
      const n = a.autoscalers?.length ?? 0;
      for (let k = 0; k < n; k++) {
        this.inflight++;
        this.autoscalers!.submitCreate(client, this.steps[i]!.firstAutoscaler + k, this.kHpaCreated);
      }
    } else if (a.kind === "update" && this.daemonSetNamed(a.deployment) !== undefined) {
      const ds = this.daemonSetNamed(a.deployment)!.idx;
      this.inflight++;
      api.submit(
        client,
        Verb.update,
        Resource.daemonsets,
        ds,
        this.steps[i]!.updateTemplate,
        DEPLOYMENT_BYTES,
        this.kApplied,
        ds,
      );
    } else if (a.kind === "update") {
      const dep = this.deploymentNamed(a.deployment);
      const planned = this.steps[i]!.updateTemplate;
      const template = planned >= 0 ? planned : dep.template;
      const u =
        store.deploymentUpdates.push({
          deployment: dep.idx,
          template,
          replicas: a.replicas ?? dep.replicas,
          ...(a.paused === undefined ? {} : { paused: a.paused }),
        }) - 1;
      this.inflight++;
      if (dep.spec.kind === "StatefulSet") {
        const sts = store.statefulSets.findIndex((x) => x.owner === dep.idx);
        api.submit(client, Verb.update, Resource.statefulsets, sts, u, DEPLOYMENT_BYTES, this.kApplied, sts);
      } else
        api.submit(client, Verb.update, Resource.deployments, dep.idx, u, DEPLOYMENT_BYTES, this.kApplied, dep.idx);
    } else {
      if (a.kind === "ungate") this.ungater!.ungate(a);
      else this.d.nodeEvents.apply(a, client);
      this.stepsApplied++;
      this.d.allRunning.settled();
      return;
    }
    this.stepsApplied++;
  }

  private onReply(): void {
    --this.inflight;
    this.d.allRunning.settled();
  }
}
