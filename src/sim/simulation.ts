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
import type { Scenario } from "../scenario/types.js";
import { SimulationError } from "../core/errors.js";
import { buildNodes, buildTemplate, buildVocabulary, type Vocabulary } from "./build-cluster.js";
import { DEFAULT_ETCD_CONFIG } from "../etcd/etcd-config.js";
import { EtcdCluster } from "../etcd/etcd-cluster.js";

const DEPLOYMENT_BYTES = 3_000;

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
    if (scenario.stop.when === "allRunning") this.store.stopWhenRunning(expected);
    this.etcd = new EtcdCluster(this.engine, this.random, { ...DEFAULT_ETCD_CONFIG, ...scenario.etcd });
    this.api = new ApiServer(this.engine, this.random, scenario.apiserver, this.clients, this.store, this.etcd);
    const cm = scenario.controllerManager;
    // model: all controllers of kube-controller-manager share its one client and token bucket.
    const cmClient = this.clients.add("system:kube-controller-manager", cm.qps, cm.burst);
    this.deploymentController = new DeploymentController(this.engine, this.random, cm, this.api, this.store, this.watch, cmClient);
    this.replicaSetController = new ReplicaSetController(this.engine, this.random, cm, this.api, this.store, this.watch, cmClient);
    const sch = scenario.scheduler;
    const schClient = this.clients.add("system:kube-scheduler", sch.qps, sch.burst);
    this.scheduler = new KubeScheduler(this.engine, this.random, sch, this.nodes, this.pods, this.templates, this.api, this.watch, schClient);
    const imageSizes = this.vocabulary.images.all().map((name) => scenario.images.find((i) => i.name === name)!.sizeBytes);
    this.kubelets = new Kubelets(this.engine, this.random, scenario.kubelet, scenario.registry, this.nodes, this.pods, this.templates, imageSizes, this.api, this.clients, this.watch);
    this.kubectl = this.clients.add("kubernetes-admin (kubectl)", CLIENT_GO_DEFAULT.qps, CLIENT_GO_DEFAULT.burst);
    this.kApplied = this.engine.register("kubectl.applied", () => {});
    const kApply = this.engine.register("kubectl.apply", (step) => this.applyStep(step));
    for (let i = 0; i < scenario.workload.length; i++) {
      const step = scenario.workload[i]!;
      if (step.action.kind !== "create") {
        throw new SimulationError("simulation", 0, `workload step ${i} (${step.action.kind}) is not simulated yet; only create steps are`);
      }
      for (const d of step.action.deployments) {
        const id = this.templates.length;
        this.templates.push(buildTemplate(id, d, this.vocabulary));
        this.store.deployments.push({ idx: this.store.deployments.length, spec: d, template: id, replicaSet: -1, exists: false, statusReady: 0 });
      }
      this.engine.scheduleAt(step.atNs, kApply, i);
    }
  }

  /** Carries out workload step `i` at its time. */
  private applyStep(i: number): void {
    const action = this.scenario.workload[i]!.action;
    if (action.kind !== "create") return;
    // kubectl creates the step's Deployments, each through its rate-limited client.
    for (const spec of action.deployments) {
      const d = this.store.deployments.findIndex((x) => x.spec === spec);
      this.api.submit(this.kubectl, Verb.create, Resource.deployments, d, 0, DEPLOYMENT_BYTES, this.kApplied, d);
    }
  }

  /** Runs until every expected pod is Running, the queue empties, or the time limit. */
  run(options: SimulationRunOptions = {}): RunResult {
    const onProgress = options.onProgress;
    return this.engine.run({
      untilNs: this.scenario.stop.timeLimitNs,
      onProgress: onProgress === undefined ? undefined : (now, events) => onProgress(now, events, this.store.runningPods),
      progressEvery: 32768,
    });
  }
}
