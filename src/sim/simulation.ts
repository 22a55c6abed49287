import { Engine, type RunResult } from "../core/engine.js";
import { Lifecycle } from "../core/component.js";
import { EventTrace, type TraceWindow } from "../core/trace.js";
import { RandomStreams } from "../core/random.js";
import type { NodeTable } from "../cluster/node-table.js";
import { PodTable } from "../cluster/pod-table.js";
import type { PodTemplate } from "../cluster/pod-template.js";
import type { DeploymentState } from "../cluster/workloads.js";
import { ResourceQuotas } from "../apiserver/resource-quotas.js";
import { ApiServer, apiServerCpus } from "../apiserver/api-server.js";
import type { Resource } from "../apiserver/request-table.js";
import { ApiClients, CLIENT_GO_DEFAULT } from "../apiserver/clients.js";
import { ObjectStore } from "../apiserver/object-store.js";
import { WatchCache } from "../apiserver/watch-cache.js";
import { DeploymentController } from "../controllers/deployment-controller.js";
import { NodeLifecycleController, zonesOf } from "../controllers/node-lifecycle-controller.js";
import { JobController } from "../controllers/job-controller.js";
import { CronJobController } from "../controllers/cronjob-controller.js";
import { GarbageCollector } from "../controllers/garbage-collector.js";
import { DaemonSetController } from "../controllers/daemonset-controller.js";
import { NodeChangeFanout } from "../node/node-change-fanout.js";
import { ReplicaSetController } from "../controllers/replicaset-controller.js";
import { StatefulSetController } from "../controllers/statefulset-controller.js";
import { VolumeProvisioner } from "../controllers/volume-provisioner.js";
import { DEFAULT_STORAGE } from "../scenario/sections/storage.js";
import { DisruptionController } from "../controllers/disruption-controller.js";
import { DisruptionBudgets, preemptionBudgets } from "../cluster/disruption-budgets.js";
import { PdbEvictions } from "../apiserver/eviction.js";
import { KubeScheduler } from "../scheduler/kube-scheduler.js";
import { addKubeletClients, Kubelets } from "../node/kubelet.js";
import { NodeEvents } from "../node/node-events.js";
import { NodeSampler } from "../node/node-sampler.js";
import { NodePodTemplates } from "../node/node-templates.js";
import { PodsByNode } from "../node/pods-by-node.js";
import { PoolUpgrades } from "../node/pool-upgrade.js";
import { PodGates } from "../cluster/pod-gates.js";
import { GateController } from "../controllers/gate-controller.js";
import { SchedulingGates } from "../scheduler/plugins/scheduling-gates.js";
import { Registry } from "../node/registry.js";
import {
  createdAutoscalers,
  createdDeployments,
  createsCronJobs,
  createsDaemonSets,
  createsJobs,
  finalReplicas,
  type LoadCurve,
} from "../scenario/sections/workload.js";
import { HorizontalPodAutoscalerController } from "../controllers/horizontal-pod-autoscaler.js";
import type { DeploymentSpec } from "../scenario/manifests.js";
import { DEFAULT_START_TIME_MS, type Scenario } from "../scenario/types.js";
import { NS_PER } from "../core/time.js";
import { podsNotCreated } from "../metrics/creation-backlog.js";
import { TimeSeriesRecorder } from "../metrics/time-series.js";
import type { PriorityAndFairness } from "../apiserver/flowcontrol/priority-and-fairness.js";
import { buildNodes, buildTemplate, buildVocabulary, type Vocabulary } from "./build-cluster.js";
import { DEFAULT_ETCD_CONFIG } from "../etcd/etcd-config.js";
import { EtcdCluster } from "../etcd/etcd-cluster.js";
import { AllRunningCondition } from "./all-running.js";
import { BackgroundLoad } from "../background/background-load.js";
import { DensityTestRecorder } from "../metrics/density-test.js";
import { ExistingPods, unadoptedPods } from "./existing-pods.js";
import { ClusterAutoscaler, type ClusterAutoscalerDeps } from "../autoscaler/cluster-autoscaler.js";
import { Karpenter } from "../autoscaler/karpenter.js";
import type { ClusterAutoscalerSpec } from "../scenario/sections/cluster-autoscaler.js";
import { KARPENTER_ACTUATION } from "../scenario/sections/karpenter.js";

/** The scenario key whose qps/burst every kube-controller-manager client takes. */
const CONTROLLER_MANAGER_KEY = "controlPlane.controllerManager";
import { Kubectl } from "./kubectl.js";

/** Sampling period of timeseries.arrow. */
const TIME_SERIES_PERIOD_NS = NS_PER.s;

/** Options for building a {@link Simulation}. */
export interface SimulationOptions {
  /** Record the engine's events in this window ({@link Simulation.trace}, events.arrow). */
  trace?: TraceWindow;
}

/** Options for {@link Simulation.run}. */
export interface SimulationRunOptions {
  onProgress?: (nowNs: number, events: number, running: number) => void;
}

/**
 * One run of a scenario, and the one place its components are assembled: the constructor builds
 * every component of the path, passing each its dependencies, then runs their lifecycle stages
 * (src/core/component.ts): initialize (kubectl builds the pod templates and declares the
 * Deployments) and start (the first samples, the workload's steps). Construction does no
 * simulated work; `run` does it all and ends with the finish stage.
 */
export class Simulation {
  readonly scenario: Scenario;
  readonly engine: Engine;
  readonly random: RandomStreams;
  readonly vocabulary: Vocabulary;
  readonly nodes: NodeTable;
  readonly pods: PodTable;
  /** The run's pod templates, by template id, and the manifest of each (the scheduler reads constraints from it). */
  readonly templates: PodTemplate[] = [];
  readonly templateSpecs: DeploymentSpec[] = [];
  readonly clients = new ApiClients();
  /** The `allRunning` stop condition. */
  readonly allRunning: AllRunningCondition;
  readonly watch: WatchCache;
  readonly store: ObjectStore;
  readonly etcd: EtcdCluster;
  readonly api: ApiServer;
  readonly deploymentController: DeploymentController;
  readonly replicaSetController: ReplicaSetController;
  /** kube-controller-manager's StatefulSet controller and the claims' provisioning (undefined without StatefulSets). */
  readonly statefulSetController: StatefulSetController | undefined;
  readonly volumeProvisioner: VolumeProvisioner | undefined;
  /** kube-controller-manager's HorizontalPodAutoscaler controller (undefined without HPAs). */
  readonly autoscalers: HorizontalPodAutoscalerController | undefined;
  /** kube-controller-manager's Job controller (undefined when the workload has no Job). */
  readonly jobController: JobController | undefined;
  /** The CronJob controller and the garbage collector that deletes its Jobs' pods (undefined without CronJobs). */
  readonly cronJobController: CronJobController | undefined;
  readonly garbageCollector: GarbageCollector | undefined;
  /** kube-controller-manager's DaemonSet controller (undefined when the workload has no DaemonSet). */
  readonly daemonSetController: DaemonSetController | undefined;
  readonly scheduler: KubeScheduler;
  /** The disruption controller and the Eviction API's budget check (undefined without PodDisruptionBudgets). */
  readonly disruptionController: DisruptionController | undefined;
  readonly evictions: PdbEvictions | undefined;
  /** The ResourceQuota admission plugin (undefined when no namespace has a quota). */
  readonly quotas: ResourceQuotas | undefined;
  /** kube-controller-manager's node lifecycle and taint-eviction controllers. */
  readonly nodeLifecycle: NodeLifecycleController;
  readonly kubelets: Kubelets;
  /** The workload's node events (addNodes, cordon, uncordon, drain, failNodes). */
  readonly nodeEvents: NodeEvents;
  /** The workload's upgradePool steps (undefined without any). */
  readonly poolUpgrades: PoolUpgrades | undefined;
  /** The pods' scheduling gates, the scheduler's SchedulingGates plugin and the controller lifting them (undefined when no pod template has gates). */
  readonly gates: { gates: PodGates; plugin: SchedulingGates; controller: GateController | undefined } | undefined;
  /** The nodes.arrow time series. */
  readonly nodeSampler: NodeSampler;
  /** Queue depths and counts sampled every second of simulated time (timeseries.arrow). */
  readonly timeSeries: TimeSeriesRecorder;
  /** The user replaying the workload. */
  readonly kubectl: Kubectl;
  /** The steady background load: node Leases and status, leader election, pod Events. */
  readonly background: BackgroundLoad;
  /** The pods of cluster.pods (undefined without them). */
  readonly existingPods: ExistingPods | undefined;
  /** Names of pods that came with names (cluster.pods), by pod row; pods.arrow generates the others'. */
  readonly podNames = new Map<number, string>();
  /** Pods the workload asks for in total: the run is complete when all are Running. */
  readonly expectedPods: number;
  /** The event trace, when asked for. */
  readonly trace: EventTrace | undefined;
  /** The Cluster Autoscaler (a node pool has autoscaling:) or Karpenter (karpenter:); else undefined. */
  readonly clusterAutoscaler: ClusterAutoscaler | undefined;
  /** The e2e density test's informer and clock (`densityTest:`), or undefined. */
  readonly densityTest: DensityTestRecorder | undefined;
  private readonly lifecycle = new Lifecycle();

  constructor(scenario: Scenario, options: SimulationOptions = {}) {
    this.scenario = scenario;
    const engine = new Engine();
    this.engine = engine;
    const random = new RandomStreams(scenario.seed);
    this.random = random;
    this.vocabulary = buildVocabulary(scenario);
    const nodes = buildNodes(scenario, this.vocabulary);
    this.nodes = nodes;
    const expected = finalReplicas(scenario.workload) + unadoptedPods(scenario);
    this.expectedPods = expected;
    const pods = new PodTable(Math.max(1024, expected));
    this.pods = pods;
    const deployments: DeploymentState[] = [];
    this.allRunning = new AllRunningCondition(engine, expected, scenario.stop.when === "allRunning", deployments);
    // The API server replicas' cores, shared by their request handlers and their watch fan-out.
    const apiCpus = apiServerCpus(scenario.apiserver);
    this.watch = new WatchCache(engine, random, scenario.watch, pods, nodes.size, apiCpus, scenario.apiserver);
    this.quotas =
      scenario.resourceQuotas === undefined
        ? undefined
        : new ResourceQuotas(scenario.resourceQuotas, pods, this.templateSpecs);
    this.store = new ObjectStore(engine, pods, nodes, this.watch, deployments, this.allRunning, this.quotas);
    this.etcd = new EtcdCluster(engine, random, { ...DEFAULT_ETCD_CONFIG, ...scenario.etcd });
    this.api = new ApiServer(
      engine,
      random,
      scenario.apiserver,
      this.clients,
      this.store,
      this.etcd,
      apiCpus,
      this.quotas,
    );
    const api = this.api;
    this.watch.attachLister({
      list: (client, resource, objects, cpuNs, kind, target) =>
        api.list(client, resource as number as Resource, objects, cpuNs, kind, target),
    });
    const cm = scenario.controllerManager;
    // model: kube-controller-manager runs with --use-service-account-credentials (kubeadm's
    // default): each controller has its own service account and its own client built from the
    // manager's config, so each has its own --kube-api-qps/--kube-api-burst token bucket.
    const depClient = this.clients.add(
      "system:serviceaccount:kube-system:deployment-controller",
      cm.qps,
      cm.burst,
      CONTROLLER_MANAGER_KEY,
    );
    const rsClient = this.clients.add(
      "system:serviceaccount:kube-system:replicaset-controller",
      cm.qps,
      cm.burst,
      CONTROLLER_MANAGER_KEY,
    );
    const controllerDeps = { engine, random, spec: cm, api: this.api, store: this.store, watch: this.watch };
    this.deploymentController = new DeploymentController(
      controllerDeps,
      depClient,
      createdDeployments(scenario.workload).some((d) => d.strategy === "Recreate"),
    );
    this.replicaSetController = new ReplicaSetController(controllerDeps, rsClient);
    const gated = createdDeployments(scenario.workload).some((d) => d.pod.schedulingGates !== undefined);
    const podGates = gated ? new PodGates(pods, this.templates) : undefined;
    this.store.gates = podGates;
    const gatesPlugin = podGates === undefined ? undefined : new SchedulingGates(podGates);
    const storage = scenario.storage ?? DEFAULT_STORAGE;
    const provisioner = createdDeployments(scenario.workload).some((d) => d.kind === "StatefulSet")
      ? new VolumeProvisioner(engine, random, storage)
      : undefined;
    this.volumeProvisioner = provisioner;
    this.store.claims = provisioner;
    this.densityTest =
      scenario.densityTest === undefined
        ? undefined
        : new DensityTestRecorder(
            { engine, watch: this.watch, clients: this.clients, pods },
            scenario.densityTest,
            scenario.kubelet.runtime.startedAtLead,
          );
    const sch = scenario.scheduler;
    const schClient = this.clients.add("system:kube-scheduler", sch.qps, sch.burst, "controlPlane.scheduler");
    this.scheduler = new KubeScheduler(
      {
        engine,
        random,
        spec: sch,
        nodes,
        pods,
        templates: this.templates,
        api: this.api,
        watch: this.watch,
        client: schClient,
      },
      {
        vocabulary: this.vocabulary,
        deployments: this.templateSpecs,
        imageSizes: this.vocabulary.images.all().map((n) => scenario.images.find((i) => i.name === n)?.sizeBytes ?? 0),
        ...(sch.config === undefined ? {} : { config: sch.config }),
        // The recorder is built with the kubelets' clients, after the scheduler.
        events: {
          scheduled: (pod) => {
            this.densityTest?.scheduled(pod);
            this.background.events.scheduled(pod);
          },
        },
        ...(gatesPlugin === undefined ? {} : { schedulingGates: gatesPlugin }),
        ...(provisioner === undefined ? {} : { volumeBinding: provisioner }),
      },
    );
    const kl = scenario.kubelet;
    // Node changes reach the scheduler, and the DaemonSet controller when there is one.
    const nodeChanges = new NodeChangeFanout(this.scheduler);
    const podsByNode = new PodsByNode(nodes.size);
    const podTemplates = new NodePodTemplates(
      engine,
      this.templates,
      this.store,
      kl.nodeLifecycle.defaultUnreachableTolerationNs,
    );
    // Client order (ids in api.arrow): the kubelets', then the node lifecycle controller's, then kubectl's.
    const kubeletClients = addKubeletClients(this.clients, nodes, kl.qps, kl.burst);
    this.nodeLifecycle = new NodeLifecycleController({
      engine,
      random,
      spec: kl.nodeLifecycle,
      nodes,
      pods,
      api: this.api,
      clients: this.clients,
      controllerQps: cm.qps,
      controllerBurst: cm.burst,
      podsByNode,
      zoneOf: zonesOf(nodes, this.vocabulary.labels),
      podTemplates,
      getLatency: kl.statusGet,
      // model: a Node update (Ready, cordon, join) is a cluster event that may make pods schedulable.
      nodeChanges,
      allRunning: this.allRunning,
    });
    this.background = new BackgroundLoad({
      engine,
      random,
      spec: scenario.background,
      api: this.api,
      clients: this.clients,
      nodes,
      pods,
      templates: this.templates,
      controllerManager: cm,
      scheduler: sch,
      observer: this.nodeLifecycle,
    });
    this.kubelets = new Kubelets({
      engine,
      random,
      scenario,
      nodes,
      pods,
      templates: this.templates,
      podTemplates,
      images: this.vocabulary.images,
      api: this.api,
      clients: this.clients,
      clientOf: kubeletClients,
      watch: this.watch,
      registry: new Registry(engine, nodes.size, {
        bandwidthBytesPerSec: scenario.registry.bandwidth,
        nodeBandwidthBytesPerSec: scenario.registry.perNodeBandwidth,
        maxConcurrentRequests: scenario.registry.maxConcurrentRequests ?? Infinity,
      }),
      podsByNode,
      lifecycle: this.nodeLifecycle,
      events: this.background.events,
    });
    this.nodeEvents = new NodeEvents({
      engine,
      nodes,
      pods,
      labels: this.vocabulary.labels,
      api: this.api,
      kubelets: this.kubelets,
      podsByNode,
      nodeChanges,
      allRunning: this.allRunning,
      deployments: this.store.deployments,
      replicaSets: this.store.replicaSets,
    });
    this.nodeSampler = new NodeSampler(engine, nodes, this.kubelets, kl.sampleInterval);
    this.kubectl = new Kubectl({
      engine,
      scenario,
      vocabulary: this.vocabulary,
      store: this.store,
      api: this.api,
      client: this.clients.add("kubernetes-admin", CLIENT_GO_DEFAULT.qps, CLIENT_GO_DEFAULT.burst),
      templates: this.templates,
      templateSpecs: this.templateSpecs,
      nodeEvents: this.nodeEvents,
      allRunning: this.allRunning,
    });
    // Built only with budgets, and its client last, so runs without any keep their clients and watchers.
    const pdbs = scenario.podDisruptionBudgets;
    if (pdbs === undefined || pdbs.length === 0) {
      this.disruptionController = undefined;
      this.evictions = undefined;
    } else {
      const budgets = new DisruptionBudgets(pdbs, this.templateSpecs);
      this.store.budgets = budgets;
      this.evictions = new PdbEvictions(pods, budgets);
      this.api.attachEvictionPolicy(this.evictions);
      const dcClient = this.clients.add(
        "system:serviceaccount:kube-system:disruption-controller",
        cm.qps,
        cm.burst,
        CONTROLLER_MANAGER_KEY,
      );
      this.disruptionController = new DisruptionController(controllerDeps, dcClient, budgets);
      // model: DefaultPreemption reads the budgets' stored status (the scheduler's PDB lister).
      this.scheduler.useBudgets(preemptionBudgets(budgets, (p) => pods.template[p]!));
    }
    // Built only for workloads with StatefulSets: its client and watchers come after the others'.
    this.statefulSetController =
      provisioner === undefined
        ? undefined
        : new StatefulSetController(
            controllerDeps,
            this.clients.add(
              "system:serviceaccount:kube-system:statefulset-controller",
              cm.qps,
              cm.burst,
              CONTROLLER_MANAGER_KEY,
            ),
            this.podNames,
            provisioner,
            storage,
          );
    // Built only for workloads with DaemonSets: its client and watchers exist only then, so other runs are unchanged.
    this.daemonSetController = createsDaemonSets(scenario.workload)
      ? new DaemonSetController(
          controllerDeps,
          this.clients.add(
            "system:serviceaccount:kube-system:daemon-set-controller",
            cm.qps,
            cm.burst,
            CONTROLLER_MANAGER_KEY,
          ),
          {
            nodes,
            labels: this.vocabulary.labels,
            addTemplate: (spec) => {
              const id = this.templates.push(buildTemplate(this.templates.length, spec, this.vocabulary)) - 1;
              this.templateSpecs.push(spec);
              return id;
            },
            allRunning: this.allRunning,
          },
        )
      : undefined;
    if (this.daemonSetController !== undefined) nodeChanges.add(this.daemonSetController);
    this.existingPods =
      scenario.existingPods === undefined
        ? undefined
        : new ExistingPods({
            engine,
            scenario,
            vocabulary: this.vocabulary,
            nodes,
            pods,
            store: this.store,
            api: this.api,
            // These writes stand for objects the cluster already holds: no client-side rate limit.
            client: this.clients.add("simctl:existing-pods", 1e9, 1e9),
            templates: this.templates,
            templateSpecs: this.templateSpecs,
            replicaSets: this.replicaSetController,
            statefulSets: this.statefulSetController,
            daemonSets: this.daemonSetController,
            podNames: this.podNames,
            allRunning: this.allRunning,
            quotas: this.quotas,
          });
    // Built only for workloads with Jobs: its client and watchers come last, so other runs are unchanged.
    this.jobController = createsJobs(scenario.workload)
      ? new JobController(
          controllerDeps,
          this.clients.add(
            "system:serviceaccount:kube-system:job-controller",
            cm.qps,
            cm.burst,
            CONTROLLER_MANAGER_KEY,
          ),
          this.podNames,
        )
      : undefined;
    // Built only for workloads with CronJobs, their clients last, so other runs are unchanged.
    if (createsCronJobs(scenario.workload)) {
      const cronClient = this.clients.add(
        "system:serviceaccount:kube-system:cronjob-controller",
        cm.qps,
        cm.burst,
        CONTROLLER_MANAGER_KEY,
      );
      this.cronJobController = new CronJobController(
        controllerDeps,
        cronClient,
        scenario.startTimeMs ?? DEFAULT_START_TIME_MS,
      );
      const gcClient = this.clients.add(
        "system:serviceaccount:kube-system:generic-garbage-collector",
        cm.qps,
        cm.burst,
        CONTROLLER_MANAGER_KEY,
      );
      this.garbageCollector = new GarbageCollector(controllerDeps, gcClient);
    } else {
      this.cronJobController = undefined;
      this.garbageCollector = undefined;
    }
    // Built only with autoscaled pools, its client after every other, so other runs are unchanged.
    const ca = scenario.clusterAutoscaler;
    const kp = scenario.karpenter;
    const autoscalerDeps = (spec: ClusterAutoscalerSpec, client: number): ClusterAutoscalerDeps => ({
      engine,
      random,
      spec,
      pools: scenario.nodePools,
      nodes,
      pods,
      scheduler: this.scheduler,
      api: this.api,
      client,
      kubeletClients,
      deployments: this.store.deployments,
      replicaSets: this.store.replicaSets,
      templateSpecs: this.templateSpecs,
      budgets: this.store.budgets,
      nodeChanges: this.scheduler,
    });
    if (ca !== undefined)
      this.clusterAutoscaler = new ClusterAutoscaler(
        autoscalerDeps(
          ca,
          // model: the cluster-autoscaler Deployment's client: --kube-client-qps 5, --kube-client-burst 10 (client-go defaults).
          this.clients.add(
            "system:serviceaccount:kube-system:cluster-autoscaler",
            CLIENT_GO_DEFAULT.qps,
            CLIENT_GO_DEFAULT.burst,
          ),
        ),
      );
    else if (kp !== undefined) {
      const karpenter = new Karpenter({
        // model: Karpenter's client: settings KUBE_CLIENT_QPS 200, KUBE_CLIENT_BURST 300.
        ...autoscalerDeps(
          KARPENTER_ACTUATION,
          this.clients.add("system:serviceaccount:kube-system:karpenter", 200, 300),
        ),
        karpenterSpec: kp,
      });
      this.scheduler.unschedulableListener = karpenter;
      this.clusterAutoscaler = karpenter;
    } else this.clusterAutoscaler = undefined;
    // Built only with HPAs, and its client after the others, so runs without any are unchanged.
    const hpas = createdAutoscalers(scenario.workload);
    this.autoscalers =
      hpas.length === 0
        ? undefined
        : new HorizontalPodAutoscalerController({
            engine,
            api: this.api,
            store: this.store,
            watch: this.watch,
            pods,
            templateSpecs: this.templateSpecs,
            client: this.clients.add(
              "system:serviceaccount:kube-system:horizontal-pod-autoscaler",
              cm.qps,
              cm.burst,
              CONTROLLER_MANAGER_KEY,
            ),
            autoscalers: hpas.map((h) => h.spec),
            loads: scenario.workload.flatMap((s): LoadCurve[] => (s.action.kind === "load" ? [s.action.load] : [])),
          });
    if (this.autoscalers !== undefined) this.kubectl.attachAutoscalers(this.autoscalers);
    // Built only for workloads that upgrade a pool: its client comes last, so other runs are unchanged.
    this.poolUpgrades = scenario.workload.some((s) => s.action.kind === "upgradePool")
      ? new PoolUpgrades({
          engine,
          random,
          nodes,
          pods,
          labels: this.vocabulary.labels,
          api: this.api,
          nodeEvents: this.nodeEvents,
          podsByNode,
          kubeletClientOf: (node) => kubeletClients[node]!,
          // model: the managed control plane's node upgrader, with client-go's default limiter.
          client: this.clients.add("system:node-pool-upgrader", CLIENT_GO_DEFAULT.qps, CLIENT_GO_DEFAULT.burst),
          allRunning: this.allRunning,
        })
      : undefined;
    this.nodeEvents.upgrader = this.poolUpgrades;
    // Built only for workloads with ungate steps: its client and watcher come last.
    const gateController =
      podGates !== undefined && scenario.workload.some((s) => s.action.kind === "ungate")
        ? new GateController({
            engine,
            api: this.api,
            watch: this.watch,
            store: this.store,
            templates: this.templates,
            gates: podGates,
            // model: (assumed) a queueing controller's client limits, qps 50, burst 100.
            client: this.clients.add("system:serviceaccount:kueue-system:kueue-controller-manager", 50, 100),
          })
        : undefined;
    this.kubectl.ungater = gateController;
    this.gates =
      podGates === undefined ? undefined : { gates: podGates, plugin: gatesPlugin!, controller: gateController };
    const apf = this.api.apf;
    const apfSum = (f: (a: PriorityAndFairness, level: number) => number) => () => {
      let total = 0;
      for (const a of apf) for (let l = 0; l < a.levelNames.length; l++) total += f(a, l);
      return total;
    };
    this.timeSeries = new TimeSeriesRecorder(engine, TIME_SERIES_PERIOD_NS, [
      { name: "replicaset_queue_depth", read: () => this.replicaSetController.queue.depth },
      { name: "deployment_queue_depth", read: () => this.deploymentController.queue.depth },
      { name: "apf_waiting_requests", read: apfSum((a, l) => a.waitingRequests(l)) },
      { name: "apf_executing_seats", read: apfSum((a, l) => a.executingSeats(l)) },
      { name: "pods_created", read: () => this.pods.size },
      { name: "pods_running", read: () => this.store.runningPods },
      { name: "etcd_revision", read: () => this.etcd.revision },
      { name: "pods_not_created", read: () => podsNotCreated(this.store.deployments, this.store.replicaSets) },
      ...(this.clusterAutoscaler === undefined ? [] : this.clusterAutoscaler.gauges()),
      // With HPAs: each target's spec.replicas (hpa_<name>_replicas).
      ...(this.autoscalers?.hpas ?? []).map((h) => ({
        name: `hpa_${h.spec.name}_replicas`,
        read: () => (h.deployment < 0 ? 0 : this.store.deployments[h.deployment]!.replicas),
      })),
    ]);
    const tw = options.trace;
    this.trace = tw === undefined ? undefined : this.lifecycle.add(new EventTrace(engine, tw.fromNs, tw.toNs));
    // Start order is the order of the first events at t = 0: node samples, time series, steps.
    this.lifecycle.add(this.nodeSampler);
    this.lifecycle.add(this.timeSeries);
    this.lifecycle.add(this.kubectl);
    this.lifecycle.add(this.background);
    if (this.existingPods !== undefined) this.lifecycle.add(this.existingPods);
    if (this.clusterAutoscaler !== undefined) this.lifecycle.add(this.clusterAutoscaler);
    if (this.autoscalers !== undefined) this.lifecycle.add(this.autoscalers);
    if (this.poolUpgrades !== undefined) this.lifecycle.add(this.poolUpgrades);
    this.lifecycle.initializeAndStart();
  }

  /** Runs until every expected pod is Running, the queue empties, or the time limit. */
  run(options: SimulationRunOptions = {}): RunResult {
    const onProgress = options.onProgress;
    const result = this.engine.run({
      untilNs: this.scenario.stop.timeLimitNs,
      onProgress:
        onProgress === undefined ? undefined : (now, events) => onProgress(now, events, this.store.runningPods),
      progressEvery: 32768,
    });
    this.lifecycle.finish();
    return result;
  }
}
