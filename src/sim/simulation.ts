import { Engine, type EventKind, type RunResult } from "../core/engine.js";
import { RandomStreams } from "../core/random.js";
import type { NodeTable } from "../cluster/node-table.js";
import { PodTable } from "../cluster/pod-table.js";
import type { PodTemplate } from "../cluster/pod-template.js";
import { ApiServer } from "../apiserver/api-server.js";
import { ApiClients, CLIENT_GO_DEFAULT } from "../apiserver/clients.js";
import { ObjectStore } from "../apiserver/object-store.js";
import { Resource, Verb } from "../apiserver/request-table.js";
import { WatchCache } from "../apiserver/watch-cache.js";
import { DeploymentController } from "../controllers/deployment-controller.js";
import { ReplicaSetController } from "../controllers/replicaset-controller.js";
import { KubeScheduler } from "../scheduler/kube-scheduler.js";
import { Kubelets } from "../node/kubelet.js";
import { finalReplicas } from "../scenario/sections/workload.js";
import type { DeploymentSpec } from "../scenario/manifests.js";
import type { Scenario } from "../scenario/types.js";
import { SimulationError } from "../core/errors.js";
import { NS_PER } from "../core/time.js";
import { TimeSeriesRecorder } from "../metrics/time-series.js";
import type { PriorityAndFairness } from "../apiserver/flowcontrol/priority-and-fairness.js";
import { buildNodes, buildTemplate, buildVocabulary, withImage, type Vocabulary } from "./build-cluster.js";
import { DEFAULT_ETCD_CONFIG } from "../etcd/etcd-config.js";
import { EtcdCluster } from "../etcd/etcd-cluster.js";

const DEPLOYMENT_BYTES = 3_000;
/** Sampling period of timeseries.arrow. */
const TIME_SERIES_PERIOD_NS = NS_PER.s;

/** Options for {@link Simulation.run}. */
export interface SimulationRunOptions {
  onProgress?: (nowNs: number, events: number, running: number) => void;
}

/**
 * One run of a scenario: builds every component of the path, wires them through the engine,
 * and replays the workload. Construction does no simulated work; `run` does it all.
 */
export class Simulation {
  readonly scenario: Scenario;
  readonly engine: Engine;
  readonly random: RandomStreams;
  readonly vocabulary: Vocabulary;
  readonly nodes: NodeTable;
  readonly pods: PodTable;
  readonly templates: PodTemplate[] = [];
  readonly clients = new ApiClients();
  readonly watch: WatchCache;
  readonly store: ObjectStore;
  readonly etcd: EtcdCluster;
  readonly api: ApiServer;
  readonly deploymentController: DeploymentController;
  readonly replicaSetController: ReplicaSetController;
  readonly scheduler: KubeScheduler;
  readonly kubelets: Kubelets;
  /** Queue depths and counts sampled every second of simulated time (timeseries.arrow). */
  readonly timeSeries: TimeSeriesRecorder;
  /** Pods the workload asks for in total: the run is complete when all are Running. */
  readonly expectedPods: number;
  private readonly kubectl: number;
  private readonly kApplied: EventKind;

  constructor(scenario: Scenario) {
    this.scenario = scenario;
    this.engine = new Engine();
    this.random = new RandomStreams(scenario.seed);
    this.vocabulary = buildVocabulary(scenario);
    this.nodes = buildNodes(scenario, this.vocabulary);
    const expected = finalReplicas(scenario.workload);
    this.expectedPods = expected;
    this.pods = new PodTable(Math.max(1024, expected));
    this.watch = new WatchCache(this.engine, this.random, scenario.watch, this.pods, this.nodes.size);
    this.store = new ObjectStore(this.engine, this.pods, this.nodes, this.watch);
    this.etcd = new EtcdCluster(this.engine, this.random, { ...DEFAULT_ETCD_CONFIG, ...scenario.etcd });
    this.api = new ApiServer(this.engine, this.random, scenario.apiserver, this.clients, this.store, this.etcd);
    const cm = scenario.controllerManager;
    // model: kube-controller-manager runs with --use-service-account-credentials (kubeadm's
    // default): each controller has its own service account and its own client built from the
    // manager's config, so each has its own --kube-api-qps/--kube-api-burst token bucket.
    const depClient = this.clients.add("system:serviceaccount:kube-system:deployment-controller", cm.qps, cm.burst);
    const rsClient = this.clients.add("system:serviceaccount:kube-system:replicaset-controller", cm.qps, cm.burst);
    this.deploymentController = new DeploymentController(
      this.engine,
      this.random,
      cm,
      this.api,
      this.store,
      this.watch,
      depClient,
    );
    this.replicaSetController = new ReplicaSetController(
      this.engine,
      this.random,
      cm,
      this.api,
      this.store,
      this.watch,
      rsClient,
    );
    const sch = scenario.scheduler;
    const schClient = this.clients.add("system:kube-scheduler", sch.qps, sch.burst);
    this.scheduler = new KubeScheduler(
      this.engine,
      this.random,
      sch,
      this.nodes,
      this.pods,
      this.templates,
      this.api,
      this.watch,
      schClient,
      {
        vocabulary: this.vocabulary,
        deployments: this.templateSpecs,
        imageSizes: this.vocabulary.images.all().map((n) => scenario.images.find((i) => i.name === n)?.sizeBytes ?? 0),
        ...(sch.config === undefined ? {} : { config: sch.config }),
      },
    );
    this.kubelets = new Kubelets({
      engine: this.engine,
      random: this.random,
      scenario,
      nodes: this.nodes,
      pods: this.pods,
      templates: this.templates,
      images: this.vocabulary.images,
      labels: this.vocabulary.labels,
      api: this.api,
      clients: this.clients,
      watch: this.watch,
      store: this.store,
    });
    // Node failures and drains settle before "all Running" is judged (see armStopIfDone).
    this.kubelets.onDisruptionsSettled = () => this.armStopIfDone();
    // model: a Node update (Ready, cordon, join) is a cluster event that may make pods schedulable.
    this.kubelets.addNodeListener(() => this.scheduler.onNodeChanged());
    this.kubectl = this.clients.add("kubernetes-admin", CLIENT_GO_DEFAULT.qps, CLIENT_GO_DEFAULT.burst);
    this.kApplied = this.engine.register("kubectl.applied", () => this.onKubectlReply());
    const apf = this.api.apf;
    const apfSum = (f: (a: PriorityAndFairness, level: number) => number) => () => {
      let total = 0;
      for (const a of apf) for (let l = 0; l < a.levelNames.length; l++) total += f(a, l);
      return total;
    };
    this.timeSeries = new TimeSeriesRecorder(this.engine, TIME_SERIES_PERIOD_NS, [
      { name: "replicaset_queue_depth", read: () => this.replicaSetController.queue.depth },
      { name: "deployment_queue_depth", read: () => this.deploymentController.queue.depth },
      { name: "apf_waiting_requests", read: apfSum((a, l) => a.waitingRequests(l)) },
      { name: "apf_executing_seats", read: apfSum((a, l) => a.executingSeats(l)) },
      { name: "pods_created", read: () => this.pods.size },
      { name: "pods_running", read: () => this.store.runningPods },
      { name: "etcd_revision", read: () => this.etcd.revision },
    ]);
    this.timeSeries.start();
    const kApply = this.engine.register("kubectl.apply", (step) => this.applyStep(step));
    // Every pod template the run will use is built now, before anything runs: the templates of
    // created Deployments and of each update that changes an image.
    for (let i = 0; i < scenario.workload.length; i++) {
      const step = scenario.workload[i]!;
      const a = step.action;
      if (a.kind === "create") {
        for (const d of a.deployments) {
          const id = this.addTemplate(d);
          this.store.deployments.push({
            idx: this.store.deployments.length,
            spec: d,
            template: id,
            replicas: d.replicas,
            replicaSets: [],
            exists: false,
            statusAvailable: 0,
          });
        }
      } else if (a.kind === "update") {
        const dep = this.deploymentNamed(a.deployment);
        this.updateTemplates[i] =
          a.image === undefined
            ? -1
            : this.addTemplate(withImage(this.latestSpec(dep.idx), a.container, a.image), dep.idx);
      } else if (
        a.kind !== "addNodes" &&
        a.kind !== "cordon" &&
        a.kind !== "uncordon" &&
        a.kind !== "drain" &&
        a.kind !== "failNodes"
      ) {
        throw new SimulationError("simulation", 0, `workload step ${i} is not simulated yet`);
      }
      this.engine.scheduleAt(step.atNs, kApply, i);
    }
  }

  /** Manifest of each template, by template id (the scheduler reads constraints from it). */
  readonly templateSpecs: DeploymentSpec[] = [];
  private readonly templateOwner: number[] = [];
  private readonly updateTemplates: number[] = [];
  private stepsApplied = 0;
  private kubectlInflight = 0;

  private addTemplate(spec: DeploymentSpec, deployment = this.store.deployments.length): number {
    const id = this.templates.length;
    this.templates.push(buildTemplate(id, spec, this.vocabulary));
    this.templateSpecs.push(spec);
    this.templateOwner.push(deployment);
    return id;
  }

  /** The manifest of the newest template built for Deployment `d`. */
  private latestSpec(d: number): DeploymentSpec {
    for (let t = this.templateSpecs.length - 1; t >= 0; t--)
      if (this.templateOwner[t] === d) return this.templateSpecs[t]!;
    return this.store.deployments[d]!.spec;
  }

  private deploymentNamed(name: string) {
    const d = this.store.deployments.find((x) => x.spec.name === name);
    if (d === undefined) throw new SimulationError("simulation", 0, `no Deployment ${name}`);
    return d;
  }

  /** Carries out workload step `i` at its time: kubectl's writes, through its rate-limited client. */
  private applyStep(i: number): void {
    const a = this.scenario.workload[i]!.action;
    if (a.kind === "create") {
      for (const spec of a.deployments) {
        const d = this.store.deployments.findIndex((x) => x.spec === spec);
        this.kubectlInflight++;
        this.api.submit(this.kubectl, Verb.create, Resource.deployments, d, 0, DEPLOYMENT_BYTES, this.kApplied, d);
      }
    } else if (a.kind === "update") {
      const dep = this.deploymentNamed(a.deployment);
      const template = this.updateTemplates[i]! >= 0 ? this.updateTemplates[i]! : dep.template;
      const u =
        this.store.deploymentUpdates.push({ deployment: dep.idx, template, replicas: a.replicas ?? dep.replicas }) - 1;
      this.kubectlInflight++;
      this.api.submit(
        this.kubectl,
        Verb.update,
        Resource.deployments,
        dep.idx,
        u,
        DEPLOYMENT_BYTES,
        this.kApplied,
        dep.idx,
      );
    } else {
      // Node events: addNodes, cordon, uncordon, drain, failNodes (src/node/node-events.ts).
      this.kubelets.applyNodeAction(a, this.kubectl);
      this.stepsApplied++;
      this.armStopIfDone();
      return;
    }
    this.stepsApplied++;
  }

  /** Once the last step's writes are answered, the allRunning stop condition is armed. */
  private onKubectlReply(): void {
    --this.kubectlInflight;
    this.armStopIfDone();
  }

  /**
   * Arms the allRunning stop once every step has run, kubectl's writes are answered, and node
   * failures and drains have settled (their pods evicted): until then a failed node's pods
   * still count as Running in the API.
   */
  private armStopIfDone(): void {
    if (
      this.kubectlInflight === 0 &&
      this.stepsApplied === this.scenario.workload.length &&
      this.scenario.stop.when === "allRunning" &&
      this.kubelets.disruptionsPending === 0
    ) {
      this.store.armStop(this.expectedPods);
    }
  }

  /** Runs until every expected pod is Running, the queue empties, or the time limit. */
  run(options: SimulationRunOptions = {}): RunResult {
    const onProgress = options.onProgress;
    return this.engine.run({
      untilNs: this.scenario.stop.timeLimitNs,
      onProgress:
        onProgress === undefined ? undefined : (now, events) => onProgress(now, events, this.store.runningPods),
      progressEvery: 32768,
    });
  }
}
