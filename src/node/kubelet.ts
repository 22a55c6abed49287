import type { Interner } from "../cluster/interner.js";
import type { NodeIdx, PodIdx } from "../cluster/ids.js";
import type { NodeTable } from "../cluster/node-table.js";
import { PodPhase, PodReason, PodStage, POD_STAGE_COUNT, type PodTable } from "../cluster/pod-table.js";
import { DEFAULT_TERMINATION_GRACE_NS, type ContainerSpec, type PodTemplate } from "../cluster/pod-template.js";
import { Res } from "../cluster/resources.js";
import { type DistSpec, Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import type { RandomStreams, Rng } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import type { ApiServer } from "../apiserver/api-server.js";
import type { ApiClients } from "../apiserver/clients.js";
import { WatchEvent, watchObject, watchType, type WatchCache } from "../apiserver/watch-cache.js";
import { createsJobs } from "../scenario/sections/workload.js";
import type { Scenario } from "../scenario/types.js";
import { Cni, CniResult } from "./cni.js";
import { columnTable } from "../core/column-table.js";
import { ImageCatalog } from "./image-catalog.js";
import { ImagePuller, PullResult } from "./image-puller.js";
import { HostLocalIpam } from "./ipam.js";
import { LayerCache } from "./layer-cache.js";
import { gkeReservedCpu, NodeRuntime } from "./node-runtime.js";
import type { NodeLifecycleController } from "../controllers/node-lifecycle-controller.js";
import type { NodeContainer, NodePodTemplates } from "./node-templates.js";
import type { PodsByNode } from "./pods-by-node.js";
import { containerReadyNs } from "./probes.js";
import type { Registry } from "./registry.js";
import { StatusManager } from "./status-manager.js";
import { nextTick, VolumeManager } from "./volume-manager.js";

/** What {@link Kubelets} is built from: the run's shared state and control-plane components. */
export interface KubeletsDeps {
  engine: Engine;
  random: RandomStreams;
  scenario: Scenario;
  nodes: NodeTable;
  pods: PodTable;
  templates: readonly PodTemplate[];
  /** Node-side pod templates (probes, volumes, containers), shared with the node lifecycle controller. */
  podTemplates: NodePodTemplates;
  /** The run's image-name interner: ids equal `ContainerSpec.image` and NodeTable image bits. */
  images: Interner;
  api: ApiServer;
  clients: ApiClients;
  /** Each node's kubelet client id ({@link addKubeletClients}). */
  clientOf: Int32Array;
  watch: WatchCache;
  /** The shared image registry the kubelets pull from. */
  registry: Registry;
  /** The pods bound to each node; the kubelets keep it as their watches see bindings and deletions. */
  podsByNode: PodsByNode;
  /** Hears of bindings (to evict pods bound to a tainted node) and of failed kubelets (Leases no longer renewed). */
  lifecycle: NodeLifecycleController;
  /** The kubelets' event recorder (src/background/pod-events.ts). */
  events?: { started(pod: number, node: number): void; killing(pod: number, node: number): void };
}

/**
 * Adds one API client per node, `system:node:<name>`, at the kubelet's qps/burst; returns the
 * client id of each node.
 */
export function addKubeletClients(clients: ApiClients, nodes: NodeTable, qps: number, burst: number): Int32Array {
  const clientOf = new Int32Array(nodes.size);
  for (let node = 0; node < nodes.size; node++)
    clientOf[node] = clients.add(`system:node:${nodes.names[node]}`, qps, burst, "kubelet");
  return clientOf;
}

// Pod worker states.
const W_NONE = 0;
/** Admitted; working through volumes, sandbox, containers. */
const W_SETUP = 1;
/** The last sync failed; waiting for the back-off re-sync. */
const W_RETRY = 2;
/** Containers running and seen by PLEG: the Running status was set. */
const W_RUNNING = 3;
/** Refused at admission: phase Failed. */
const W_REJECTED = 4;
const W_TERMINATING = 5;
const W_TERMINATED = 6;

// Pod worker flags.
const F_VOL_PENDING = 1;
const F_VOL_DONE = 2;
const F_SANDBOX_PENDING = 4;
const F_SANDBOX_UP = 8;
const F_IP_HELD = 16;
const F_ADMITTED = 32;
const F_RUNNING = 64;

// PLEG observations.
const PLEG_INIT_EXITED = 0;
const PLEG_APP_STARTED = 1;

/** model: pkg/kubelet/kubelet.go backOffPeriod = 10 s: the pod worker's re-sync after a failed sync. */
export const POD_WORKER_BACKOFF_NS = 10 * NS_PER.s;
/** model: pkg/kubelet/pod_workers.go workerBackOffPeriodJitterFactor = 0.5 (wait.Jitter: d + rand * 0.5 * d). */
export const POD_WORKER_BACKOFF_JITTER = 0.5;
/** model: pkg/kubelet/kubelet.go syncLoop: syncTicker := time.NewTicker(time.Second) picks due pod workers. */
export const SYNC_TICK_NS = NS_PER.s;
/** Admission checks resources in upstream's order: pods first, then cpu, memory, ephemeral storage, extended. */
const ADMIT_ORDER = [Res.pods, Res.cpu, Res.memory, Res.ephemeralStorage] as const;

/** Per pod worker state of the kubelets (a pod's row is its PodIdx). */
const PodWorkers = columnTable({
  state: { type: "Uint8", unset: W_NONE },
  flags: "Uint8",
  next: "Int32",
  cursor: "Int32",
  started: "Int32",
  workerStartNs: "Float64",
  pullStartNs: "Float64",
  initStartNs: "Float64",
  pullReq: "Int32",
  sandboxReq: "Int32",
  /** Containers of the pod the runtime lists (its sandbox, init and app containers). */
  containers: "Uint8",
});

/** Per node state of the kubelets (a node's row is its NodeIdx). */
const KubeletNodes = columnTable({
  /** The kubelet stopped (failNodes). */
  down: "Uint8",
  /**
   * Requests of the admitted pods not yet terminated, `resourceCount` per node: resource r of
   * node n at `n * resourceCount + r`.
   */
  admitted: "Float64",
  /** Pods whose containers run (Running status set, not terminated). */
  runningOn: "Int32",
  /** Offsets of the node's PLEG relists and sync ticks within their periods. */
  plegPhase: "Float64",
  syncPhase: "Float64",
  /** When the kubelet 1.0 sync loop's resync timer fires (`syncAllOnUpdate`). */
  resyncDueNs: "Float64",
});

/**
 * The kubelets of all nodes (with their container runtime), as one component over per-node and
 * per-pod typed columns; events carry the pod index.
 *
 * A pod bound to a node reaches that node's kubelet through the pod watch indexed by nodeName.
 * model (pkg/kubelet/kubelet.go HandlePodAdditions, SyncPod; kuberuntime SyncPod):
 * 1. admission: canAdmitPod sums the requests of the pods already admitted and not terminated
 *    and refuses a pod that does not fit, with reason `OutOf<resource>` (pods checked first,
 *    pkg/kubelet/lifecycle/predicate.go); the refused pod's status becomes phase Failed.
 * 2. a pod worker per admitted pod: the first sync writes the Pending status, then waits for
 *    volumes (VolumeManager), runs the sandbox (containerd RunPodSandbox: ensure the pause
 *    image, create the pause container, CNI ADD with host-local IPAM from the node's pod CIDR;
 *    a hostNetwork pod's sandbox joins the node's network namespace with no ADD and no IP),
 *    then for each init container in order: ensure its image (ImagePuller: imagePullPolicy,
 *    serialized or parallel pulls, registryPullQPS, back-off), create + start it, wait for it to
 *    exit (seen by the next PLEG relist); then each app container: ensure image, create + start.
 * 3. a failed step (FailedCreatePodSandBox when the pod CIDR is exhausted, ErrImagePull,
 *    ImagePullBackOff) ends the sync with an error; the pod worker re-syncs after backOffPeriod
 *    10 s with jitter 0.5 at the next 1 s sync tick (pod_workers.go completeWork). App
 *    containers whose image failed are skipped in that sync and retried in the next.
 * 4. PLEG relists every plegRelistPeriod; the relist after the last container started wakes
 *    the pod worker, which sets the Running status; probes (startup, readiness) then decide
 *    Ready (probes.ts).
 * 5. statuses are written by the status manager (GET + PATCH through the node's own client).
 *    SyncPods, RunPodSandbox and container starts share the node's agent CPU and runtime
 *    concurrency with the steady work that grows with the node's pods (NodeRuntime).
 * 6. a pod given a deletionTimestamp is killed: containers stopped, sandbox removed (CNI DEL
 *    frees the IP), its requests freed; the status manager writes the terminal status and
 *    deletes the pod with grace 0.
 * A failed node's kubelet does nothing more; the node lifecycle controller takes over.
 */
export class Kubelets {
  readonly registry: Registry;
  readonly catalog: ImageCatalog;
  readonly layers: LayerCache;
  readonly puller: ImagePuller;
  /** containerd's own pulls of the sandbox image (not throttled by the kubelet). */
  readonly sandboxPuller: ImagePuller;
  readonly ipam: HostLocalIpam;
  readonly cni: Cni;
  readonly status: StatusManager;
  readonly volumes: VolumeManager;
  /** Each node's agent CPU and runtime concurrency, shared by startup and background work. */
  readonly runtime: NodeRuntime;
  /** Per node state (a node's row is its NodeIdx). */
  readonly perNode: InstanceType<typeof KubeletNodes>;
  readonly sandboxImage: number;
  /** Admissions refused, sandbox creations failed, image pulls failed (all attempts). */
  readonly totals = { admissionRejections: 0, sandboxFailures: 0, pullFailures: 0 };
  private readonly d: KubeletsDeps;
  private readonly engine: Engine;
  private readonly nodes: NodeTable;
  private readonly pods: PodTable;
  private readonly clientOf: Int32Array;
  private readonly podTemplates: NodePodTemplates;
  private readonly podsByNode: PodsByNode;
  private readonly lifecycle: NodeLifecycleController;
  private readonly sandboxLatency: Sampler;
  private readonly containerStart: Sampler;
  private readonly containerStop: Sampler;
  private readonly initRuntime: Sampler;
  private readonly appStartup: Sampler;
  private readonly probeLatency: Sampler;
  private readonly jitter: Rng;
  private readonly plegPeriod: number;
  /** Each app container's start time, for pods whose template has probes. perf: only probed pods get an entry. */
  private readonly probeStarts = new Map<number, number[]>();
  // Per pod worker state. perf: typed columns grown by doubling.
  private readonly workers = new PodWorkers(1024);
  private readonly kWatch: EventKind;
  private readonly kVolumes: EventKind;
  private readonly kSandboxImage: EventKind;
  private readonly kSandboxCreated: EventKind;
  private readonly kCni: EventKind;
  private readonly kPulled: EventKind;
  private readonly kStarted: EventKind;
  private readonly kInitExited: EventKind;
  private readonly kPleg: EventKind;
  private readonly kReady: EventKind;
  private readonly kRetry: EventKind;
  private readonly kKilled: EventKind;
  /** Containers of a Job's pod exited 0 (registered only when the workload has Jobs). */
  private readonly kCompleted: EventKind | undefined;
  /** The resync timer of kubelet 1.0's sync loop; registered only with `syncAllOnUpdate`. */
  private readonly kSyncLoop: EventKind | undefined;
  /** Per template with a run duration: its sampler (built at the first pod to run). */
  private readonly runDurations: (Sampler | undefined)[] = [];

  constructor(d: KubeletsDeps) {
    this.d = d;
    const { engine, random, scenario, nodes } = d;
    const spec = scenario.kubelet;
    this.engine = engine;
    this.nodes = nodes;
    this.pods = d.pods;
    this.podTemplates = d.podTemplates;
    this.podsByNode = d.podsByNode;
    this.lifecycle = d.lifecycle;
    const n = nodes.size;
    // Images: the catalog shares the run's image ids.
    this.catalog = new ImageCatalog(d.images);
    for (const img of scenario.images) {
      if (img.layers.length > 0) this.catalog.define(img.name, img.layers);
      else this.catalog.defineSized(img.name, img.sizeBytes);
    }
    const sandboxImage = d.images.lookup(spec.sandboxImage);
    if (sandboxImage < 0 || !this.catalog.has(sandboxImage)) {
      throw new SimulationError("kubelet", 0, `sandbox image ${spec.sandboxImage} is not declared under images:`);
    }
    this.sandboxImage = sandboxImage;
    this.layers = new LayerCache(this.catalog, n);
    for (let node = 0; node < n; node++) {
      for (let img = 0; img < this.catalog.imageCount; img++) {
        if (this.catalog.has(img) && nodes.hasImage(node, img)) this.layers.addImage(node, img);
      }
    }
    const reg = scenario.registry;
    this.registry = d.registry;
    this.puller = new ImagePuller(engine, random, this.registry, this.catalog, this.layers, {
      serializeImagePulls: spec.serializeImagePulls ?? undefined,
      maxParallelImagePulls: spec.maxParallelImagePulls,
      registryPullQPS: spec.registryPullQPS,
      registryBurst: spec.registryBurst,
      maxConcurrentDownloads: spec.maxConcurrentDownloads,
      failureProbability: spec.imagePullFailureRate,
      manifestLatency: reg.manifestLatency,
      imageBackOffPeriodNs: spec.imageBackOff,
      maxImageBackOffNs: spec.maxImageBackOff,
      stream: "node/image-puller",
    });
    // model: containerd's RunPodSandbox pulls a missing sandbox image itself (CRI
    // ensureImageExists), outside the kubelet's serial puller, QPS limit and back-off; the pod
    // worker's own back-off paces its retries.
    this.sandboxPuller = new ImagePuller(engine, random, this.registry, this.catalog, this.layers, {
      serializeImagePulls: false,
      maxParallelImagePulls: null,
      registryPullQPS: 0,
      maxConcurrentDownloads: spec.maxConcurrentDownloads,
      failureProbability: spec.imagePullFailureRate,
      manifestLatency: reg.manifestLatency,
      imageBackOffPeriodNs: 1,
      maxImageBackOffNs: 1,
      stream: "node/sandbox-image-puller",
    });
    // Pod CIDRs: the NodeTable's free column holds each node's assignable count, 2^(32-p) - 3.
    const prefixes = new Int32Array(n);
    for (let node = 0; node < n; node++) prefixes[node] = 32 - Math.round(Math.log2(nodes.podCidrFree[node]! + 3));
    this.ipam = new HostLocalIpam(n, prefixes, nodes.podCidrFree);
    this.cni = new Cni(engine, random, this.ipam, {
      profile: spec.cni,
      maxConcurrentAddsPerNode: spec.cniMaxConcurrentAddsPerNode ?? Infinity,
      stream: "node/cni",
    });
    this.clientOf = d.clientOf;
    this.status = new StatusManager(engine, random, d.api, this.clientOf, d.pods, spec.statusGet);
    this.volumes = new VolumeManager(random, spec.volumes, n);
    const cores = new Float64Array(n);
    for (let node = 0; node < n; node++) {
      // model: (assumed) capacity = allocatable cpu rounded up to whole cores.
      const capacity = Math.ceil(nodes.allocatable[node * nodes.resourceCount + Res.cpu]! / 1000);
      cores[node] = spec.systemReservedCpu ?? gkeReservedCpu(Math.max(1, capacity));
    }
    this.runtime = new NodeRuntime(cores, spec.runtime, spec.plegRelistPeriod);
    const perNode = new KubeletNodes(n, { admitted: nodes.resourceCount });
    this.perNode = perNode;
    this.sandboxLatency = new Sampler(spec.sandbox, random.stream("kubelet/sandbox"));
    this.containerStart = new Sampler(spec.containerStart, random.stream("kubelet/container-start"));
    this.containerStop = new Sampler(spec.containerStop, random.stream("kubelet/container-stop"));
    this.initRuntime = new Sampler(spec.initContainerRuntime, random.stream("kubelet/init-runtime"));
    this.appStartup = new Sampler(spec.appStartup, random.stream("kubelet/app-startup"));
    this.probeLatency = new Sampler(spec.probeLatency, random.stream("kubelet/probe"));
    this.jitter = random.stream("kubelet/backoff-jitter");
    this.plegPeriod = spec.plegRelistPeriod;
    const phase: Rng = random.stream("kubelet/pleg-phase");
    for (let i = 0; i < n; i++) perNode.plegPhase[i] = Math.floor(phase.next() * spec.plegRelistPeriod);
    const syncPhase: Rng = random.stream("kubelet/sync-phase");
    for (let i = 0; i < n; i++) perNode.syncPhase[i] = Math.floor(syncPhase.next() * SYNC_TICK_NS);
    this.kWatch = engine.register("kubelet.podEvent", (node, arg) => this.onWatch(node, arg));
    for (let i = 0; i < n; i++) d.watch.watchPodsOnNode(i, this.kWatch, i, this.clientOf[i]!);
    this.kVolumes = engine.register("kubelet.volumesReady", (pod) => this.onVolumes(pod));
    this.kSandboxImage = engine.register("kubelet.sandboxImage", (pod, code) => this.onSandboxImage(pod, code));
    this.kSandboxCreated = engine.register("kubelet.sandboxCreated", (pod) => this.onSandboxCreated(pod));
    this.kCni = engine.register("kubelet.cniAdded", (pod, code) => this.onCni(pod, code));
    this.kPulled = engine.register("kubelet.imageEnsured", (pod, code) => this.onPulled(pod, code));
    this.kStarted = engine.register("kubelet.containerStarted", (pod) => this.onStarted(pod));
    this.kInitExited = engine.register("kubelet.initExited", (pod) => this.onInitExited(pod));
    this.kPleg = engine.register("kubelet.pleg", (pod, what) => this.onPleg(pod, what));
    this.kReady = engine.register("kubelet.ready", (pod) => this.onReady(pod));
    this.kRetry = engine.register("kubelet.resync", (pod) => this.onRetry(pod));
    this.kKilled = engine.register("kubelet.killed", (pod) => this.onKilled(pod));
    if (createsJobs(scenario.workload))
      this.kCompleted = engine.register("kubelet.completed", (pod) => this.onCompleted(pod));
    if (spec.runtime.syncAllOnUpdate)
      this.kSyncLoop = engine.register("kubelet.syncLoop", (node) => this.onSyncLoop(node));
  }

  /** The API client id of `node`'s kubelet. */
  clientOfNode(node: NodeIdx): number {
    return this.clientOf[node]!;
  }

  /** The node's kubelet stops (failNodes): it does nothing more and renews its Lease no more. */
  failNode(node: NodeIdx): void {
    if (this.perNode.down[node] === 1) return;
    this.perNode.down[node] = 1;
    this.status.stopNode(node);
    this.lifecycle.failNode(node);
  }

  // ---- watch and admission ----

  private onWatch(node: NodeIdx, arg: number): void {
    const pod = watchObject(arg);
    const pods = this.pods;
    if (pods.node[pod] !== node) return;
    this.workers.ensureRow(pod);
    if (watchType(arg) === WatchEvent.DELETED) {
      this.podsByNode.remove(pod);
      if (this.perNode.down[node] === 0) this.terminate(pod, node);
      return;
    }
    if (this.podsByNode.node(pod) < 0 && !pods.isTerminating(pod)) {
      this.podsByNode.add(pod, node);
      this.lifecycle.podBound(pod, node);
    }
    if (this.perNode.down[node] === 1) return;
    if (pods.isTerminating(pod)) {
      this.terminate(pod, node);
      return;
    }
    if (this.workers.state[pod] !== W_NONE) return; // our own status updates, other changes
    pods.mark(pod, PodStage.kubeletSeen, this.engine.now);
    this.admit(pod, node);
    if (this.kSyncLoop !== undefined) this.syncAllPods(node);
  }

  /**
   * model: kubelet 1.0 pkg/kubelet/kubelet.go syncLoop: each iteration selects on the config
   * updates and a fresh time.After(resyncInterval), then SyncPods dispatches every pod to its
   * worker. A new pod therefore syncs every pod worker of the node, and so does
   * --sync-frequency (10 s) without updates, counted from the last pass: the periodic resync
   * is these passes. A node without pods stops its timer (a pass there costs nothing) until
   * its next pod.
   */
  private syncAllPods(node: NodeIdx): void {
    const now = this.engine.now;
    this.runtime.syncAll(node, now);
    const due = now + this.runtime.costs.podSyncPeriod;
    this.perNode.resyncDueNs[node] = due;
    this.engine.scheduleAt(due, this.kSyncLoop!, node);
  }

  /** The resync timer fires; a pass since then (a new pod) made it stale. */
  private onSyncLoop(node: NodeIdx): void {
    const perNode = this.perNode;
    if (perNode.resyncDueNs[node] !== this.engine.now || perNode.down[node] === 1) return;
    if (this.runtime.pods[node] === 0) return;
    this.syncAllPods(node);
  }

  private admit(pod: PodIdx, node: NodeIdx): void {
    const nodes = this.nodes;
    const R = nodes.resourceCount;
    const base = node * R;
    const req = this.d.templates[this.pods.template[pod]!]!.requests;
    const alloc = nodes.allocatable;
    const adm = this.perNode.admitted;
    for (let k = 0; k < R; k++) {
      const r = k < ADMIT_ORDER.length ? ADMIT_ORDER[k]! : k;
      const q = req[r] ?? 0;
      if (q > 0 && adm[base + r]! + q > alloc[base + r]!) {
        this.reject(pod, node, r);
        return;
      }
    }
    for (let r = 0; r < R; r++) adm[base + r]! += req[r] ?? 0;
    this.runtime.addPod(node);
    const now = this.engine.now;
    this.pods.mark(pod, PodStage.admitted, now);
    this.workers.state[pod] = W_SETUP;
    this.workers.flags[pod] = F_ADMITTED;
    this.workers.workerStartNs[pod] = now;
    // model: the first SyncPod writes the pod's status (Pending, containers ContainerCreating).
    this.status.set(pod, node, PodPhase.Pending);
    this.advance(pod);
  }

  /** model: kubelet.go rejectPod: phase Failed, reason OutOf<resource>. */
  private reject(pod: PodIdx, node: NodeIdx, resource: number): void {
    this.totals.admissionRejections++;
    this.pods.reason[pod] = PodReason.outOfResourceBase + resource;
    this.workers.state[pod] = W_REJECTED;
    this.status.set(pod, node, PodPhase.Failed);
  }

  // ---- the pod worker ----

  private active(pod: PodIdx): boolean {
    return this.workers.state[pod] === W_SETUP && this.perNode.down[this.pods.node[pod]!] === 0;
  }

  /** Continues the pod's setup from where it stands: volumes, sandbox, containers. */
  private advance(pod: PodIdx): void {
    const f = this.workers.flags[pod]!;
    const node = this.pods.node[pod]!;
    if ((f & F_VOL_DONE) === 0) {
      if ((f & F_VOL_PENDING) === 0) {
        this.workers.flags[pod] = f | F_VOL_PENDING;
        const nt = this.podTemplates.of(pod);
        const now = this.engine.now;
        const bound = this.pods.time(pod, PodStage.bound);
        const at = this.volumes.readyAt(
          node,
          nt.localVolumes,
          nt.attachableVolumes,
          !Number.isNaN(bound) ? bound : now,
          now,
        );
        this.engine.scheduleAt(at, this.kVolumes, pod);
      }
      return;
    }
    if ((f & F_SANDBOX_UP) === 0) {
      if ((f & F_SANDBOX_PENDING) === 0) {
        this.workers.flags[pod] = f | F_SANDBOX_PENDING;
        // model: containerd RunPodSandbox first ensures the sandbox image (IfNotPresent).
        const r = this.sandboxPuller.pullOrSettle(node, this.sandboxImage, "IfNotPresent", this.kSandboxImage, pod);
        this.workers.sandboxReq[pod] = r;
        // perf: an image already present settles in this event (every caller of advance ends with it).
        const code = this.sandboxPuller.requests.result[r]!;
        if (code >= 0) this.onSandboxImage(pod, code);
      }
      return;
    }
    this.runContainers(pod);
  }

  private onVolumes(pod: PodIdx): void {
    if (!this.active(pod)) return;
    this.workers.flags[pod] = (this.workers.flags[pod]! & ~F_VOL_PENDING) | F_VOL_DONE;
    this.pods.mark(pod, PodStage.volumesReady, this.engine.now);
    this.advance(pod);
  }

  private onSandboxImage(pod: PodIdx, code: number): void {
    if (!this.active(pod)) return;
    const node = this.pods.node[pod]!;
    this.pods.bytesPulled[pod]! += this.sandboxPuller.requests.bytes[this.workers.sandboxReq[pod]!]!;
    if (code !== PullResult.ok) {
      this.sandboxFailed(pod);
      return;
    }
    this.nodes.addImage(node, this.sandboxImage);
    // model: RunPodSandbox runs on the node's runtime: its CPU and concurrency are shared.
    const rt = this.runtime;
    // The pod worker's SyncPod runs first, on the kubelet's share of the same CPU.
    const ready = rt.syncPod(node, this.engine.now);
    const at = rt.operation(node, ready, rt.costs.sandboxCpu, this.sandboxLatency.sample());
    this.engine.scheduleAt(at, this.kSandboxCreated, pod);
  }

  private onSandboxCreated(pod: PodIdx): void {
    if (!this.active(pod)) return;
    // model: containerd's RunPodSandbox makes a network namespace and runs the CNI ADD only when
    // host networking was not requested (internal/cri/server/sandbox_run.go, `if
    // !hostNetwork(config)`); a hostNetwork pod's IP is the node's, none from the pod CIDR.
    if (this.podTemplates.of(pod).hostNetwork) this.sandboxUp(pod, 0);
    else this.cni.add(this.pods.node[pod]!, this.kCni, pod);
  }

  private onCni(pod: PodIdx, code: number): void {
    const node = this.pods.node[pod]!;
    this.cni.ended(node, code);
    if (!this.active(pod)) {
      // A pod killed while its ADD ran: the sandbox is torn down and the address returned.
      if (code === CniResult.ok && this.perNode.down[node] === 0) this.cni.del(node);
      return;
    }
    if (code !== CniResult.ok) {
      this.sandboxFailed(pod);
      return;
    }
    this.sandboxUp(pod, F_IP_HELD);
  }

  /** The pod's sandbox is up (holding a pod IP when `ipHeld` is F_IP_HELD): on to its containers. */
  private sandboxUp(pod: PodIdx, ipHeld: number): void {
    this.workers.flags[pod] = (this.workers.flags[pod]! & ~F_SANDBOX_PENDING) | F_SANDBOX_UP | ipHeld;
    this.workers.containers[pod]!++;
    this.runtime.addContainers(this.pods.node[pod]!, 1);
    this.pods.mark(pod, PodStage.sandboxReady, this.engine.now);
    this.advance(pod);
  }

  /** model: kuberuntime_manager.go SyncPod: createPodSandbox failed -> event FailedCreatePodSandBox, sync error. */
  private sandboxFailed(pod: PodIdx): void {
    this.workers.flags[pod] = this.workers.flags[pod]! & ~F_SANDBOX_PENDING;
    this.pods.sandboxFailures[pod]!++;
    this.totals.sandboxFailures++;
    this.retryLater(pod);
  }

  private runContainers(pod: PodIdx): void {
    const nt = this.podTemplates.of(pod);
    const i = this.workers.next[pod]!;
    if (i < nt.init.length) {
      this.ensureImage(pod, nt.init[i]!.spec);
      return;
    }
    const nApp = nt.app.length;
    const started = this.workers.started[pod]!;
    let c = this.workers.cursor[pod]!;
    while (c < nApp && (started & (1 << c)) !== 0) c++;
    this.workers.cursor[pod] = c;
    if (c < nApp) {
      this.ensureImage(pod, nt.app[c]!.spec);
      return;
    }
    if (started === (nApp === 32 ? -1 : (1 << nApp) - 1)) {
      this.allStarted(pod);
      return;
    }
    // Some container's image failed in this sync: the sync returns an error.
    this.workers.cursor[pod] = 0;
    this.retryLater(pod);
  }

  /** model: image_manager.go EnsureImageExists for the container about to be created. */
  private ensureImage(pod: PodIdx, c: ContainerSpec): void {
    this.workers.pullStartNs[pod] = this.engine.now;
    const r = this.puller.pullOrSettle(this.pods.node[pod]!, c.image, c.imagePullPolicy, this.kPulled, pod);
    this.workers.pullReq[pod] = r;
    // perf: a request settled at once (image present, Never, back-off) goes on in this event
    // (every caller of ensureImage ends with it).
    const code = this.puller.requests.result[r]!;
    if (code >= 0) this.onPulled(pod, code);
  }

  private onPulled(pod: PodIdx, code: number): void {
    if (!this.active(pod)) return;
    const now = this.engine.now;
    const pods = this.pods;
    pods.pullWaitNs[pod]! += now - this.workers.pullStartNs[pod]!;
    pods.bytesPulled[pod]! += this.puller.requests.bytes[this.workers.pullReq[pod]!]!;
    const nt = this.podTemplates.of(pod);
    const i = this.workers.next[pod]!;
    const isInit = i < nt.init.length;
    if (code !== PullResult.ok) {
      pods.pullFailures[pod]!++;
      this.totals.pullFailures++;
      if (isInit) {
        this.retryLater(pod);
      } else {
        this.workers.cursor[pod]!++;
        this.runContainers(pod);
      }
      return;
    }
    const c = isInit ? nt.init[i]!.spec : nt.app[this.workers.cursor[pod]!]!.spec;
    if (isInit) this.workers.initStartNs[pod] = now;
    this.nodes.addImage(pods.node[pod]!, c.image);
    // The last image to become present (app containers come last).
    pods.times[pod * POD_STAGE_COUNT + PodStage.imagesPulled] = now;
    const rt = this.runtime;
    const at = rt.operation(pods.node[pod]!, now, rt.costs.containerCpu, this.containerStart.sample());
    this.engine.scheduleAt(at, this.kStarted, pod);
  }

  private onStarted(pod: PodIdx): void {
    if (!this.active(pod)) return;
    this.workers.containers[pod]!++;
    this.runtime.addContainers(this.pods.node[pod]!, 1);
    const nt = this.podTemplates.of(pod);
    const i = this.workers.next[pod]!;
    if (i < nt.init.length) {
      const init = nt.init[i]!;
      if (init.sidecar === true) this.sidecarStarted(pod, init);
      else this.engine.schedule(this.initRuntime.sample(), this.kInitExited, pod);
      return;
    }
    const c = this.workers.cursor[pod]!;
    this.workers.started[pod] = this.workers.started[pod]! | (1 << c);
    if (nt.probed) this.probeStartsOf(pod)[c] = this.engine.now;
    this.workers.cursor[pod] = c + 1;
    this.runContainers(pod);
  }

  /**
   * model: kuberuntime_container.go computeInitContainerActions: the next init container starts
   * once a sidecar (restartPolicy Always) is started, not exited: at the PLEG relist that sees
   * it running, or, with a startupProbe, once the probe succeeded (the prober's result wakes
   * the pod worker). The sidecar keeps running beside the app containers until the pod is killed.
   */
  private sidecarStarted(pod: PodIdx, c: NodeContainer): void {
    // Its start time, for the pod's Ready (after the app containers' in the probe starts).
    if (c.readinessProbe !== undefined)
      this.probeStartsOf(pod)[this.podTemplates.of(pod).app.length + this.workers.next[pod]!] = this.engine.now;
    if (c.startupProbe === undefined) {
      this.atNextRelist(pod, PLEG_INIT_EXITED);
      return;
    }
    const now = this.engine.now;
    const node = this.pods.node[pod]!;
    const seen = nextTick(now, this.plegPeriod, this.perNode.plegPhase[node]!);
    const started = containerReadyNs(c.startupProbe, undefined, {
      workerStartNs: this.workers.workerStartNs[pod]!,
      observedRunningNs: seen,
      startedNs: now,
      appUpNs: now + this.appStartup.sample(),
      probeLatencyNs: this.probeLatency.sample(),
    });
    this.engine.scheduleAt(this.runtime.syncPod(node, started), this.kPleg, pod, PLEG_INIT_EXITED);
  }

  /** The probed containers' start times of `pod` (app containers by index, then sidecars after them). */
  private probeStartsOf(pod: PodIdx): number[] {
    let starts = this.probeStarts.get(pod);
    if (starts === undefined) {
      starts = [];
      this.probeStarts.set(pod, starts);
    }
    return starts;
  }

  private onInitExited(pod: PodIdx): void {
    if (!this.active(pod)) return;
    this.atNextRelist(pod, PLEG_INIT_EXITED);
  }

  private allStarted(pod: PodIdx): void {
    const now = this.engine.now;
    const node = this.pods.node[pod]!;
    this.pods.mark(pod, PodStage.containersStarted, now);
    this.d.events?.started(pod, node);
    const rt = this.runtime;
    if (!rt.costs.statusAtSyncEnd) {
      this.atNextRelist(pod, PLEG_APP_STARTED);
      return;
    }
    // model: kubelet 1.0 syncPod regenerated the status in a deferred call once it had started
    // the containers (generatePodStatus: a runtime listing); no relist to wait for.
    const at = rt.operation(node, now, rt.costs.podSyncCpu + rt.costs.podSyncCpuPerContainer * rt.containers[node]!, 0);
    this.engine.scheduleAt(at, this.kPleg, pod, PLEG_APP_STARTED);
  }

  /**
   * model: the generic PLEG relists every plegRelistPeriod; a change is seen at the next relist,
   * which wakes the pod worker: its SyncPod takes the kubelet's CPU.
   */
  private atNextRelist(pod: PodIdx, what: number): void {
    const now = this.engine.now;
    const node = this.pods.node[pod]!;
    const at = nextTick(now, this.plegPeriod, this.perNode.plegPhase[node]!);
    this.engine.scheduleAt(this.runtime.syncPod(node, at), this.kPleg, pod, what);
  }

  private onPleg(pod: PodIdx, what: number): void {
    if (!this.active(pod)) return;
    if (what === PLEG_INIT_EXITED) {
      this.pods.initNs[pod]! += this.engine.now - this.workers.initStartNs[pod]!;
      // model: completeWork with a phase transition re-queues the pod worker at once.
      this.workers.next[pod]!++;
      this.advance(pod);
      return;
    }
    const node = this.pods.node[pod]!;
    const now = this.engine.now;
    this.workers.state[pod] = W_RUNNING;
    this.workers.flags[pod] = this.workers.flags[pod]! | F_RUNNING;
    this.perNode.runningOn[node]!++;
    const nt = this.podTemplates.of(pod);
    const t = this.d.templates[this.pods.template[pod]!]!;
    if (t.runDuration !== undefined) this.engine.schedule(this.runDuration(t.id, t.runDuration), this.kCompleted!, pod);
    if (!nt.probed) {
      this.pods.mark(pod, PodStage.ready, now);
      this.status.set(pod, node, PodPhase.Running);
      return;
    }
    this.status.set(pod, node, PodPhase.Running);
    const starts = this.probeStarts.get(pod) ?? [];
    let ready = now;
    // model: the pod is Ready when every container is, sidecars included (status.go
    // PodReadyCondition over containerStatuses and the restartable init containers').
    const nApp = nt.app.length;
    for (let c = 0; c < nApp + nt.init.length; c++) {
      const ct = c < nApp ? nt.app[c]! : nt.init[c - nApp]!;
      if (c >= nApp && (ct.sidecar !== true || ct.readinessProbe === undefined)) continue;
      if (ct.startupProbe === undefined && ct.readinessProbe === undefined) continue;
      const startedNs = starts[c] ?? now;
      const t = containerReadyNs(ct.startupProbe, ct.readinessProbe, {
        workerStartNs: this.workers.workerStartNs[pod]!,
        observedRunningNs: now,
        startedNs,
        appUpNs: startedNs + this.appStartup.sample(),
        probeLatencyNs: this.probeLatency.sample(),
      });
      if (t > ready) ready = t;
    }
    this.probeStarts.delete(pod);
    this.engine.scheduleAt(ready, this.kReady, pod);
  }

  private onReady(pod: PodIdx): void {
    const node = this.pods.node[pod]!;
    if (this.workers.state[pod] !== W_RUNNING || this.perNode.down[node] === 1) return;
    this.pods.mark(pod, PodStage.ready, this.engine.now);
    // model: the readiness result triggers a sync whose status carries Ready=True.
    this.status.set(pod, node, PodPhase.Running);
  }

  /** model: pod_workers.go completeWork: Enqueue(uid, wait.Jitter(backOffPeriod, 0.5)); the 1 s sync ticker picks it up. */
  private retryLater(pod: PodIdx): void {
    this.workers.state[pod] = W_RETRY;
    const now = this.engine.now;
    const delay = POD_WORKER_BACKOFF_NS * (1 + POD_WORKER_BACKOFF_JITTER * this.jitter.next());
    const at = nextTick(now + Math.round(delay), SYNC_TICK_NS, this.perNode.syncPhase[this.pods.node[pod]!]!);
    this.engine.scheduleAt(at, this.kRetry, pod);
  }

  private onRetry(pod: PodIdx): void {
    if (this.workers.state[pod] !== W_RETRY || this.perNode.down[this.pods.node[pod]!] === 1) return;
    this.workers.state[pod] = W_SETUP;
    this.advance(pod);
  }

  // ---- termination ----

  /** The pod got a deletionTimestamp (or vanished): kill it if the kubelet runs it. */
  private terminate(pod: PodIdx, node: NodeIdx): void {
    const st = this.workers.state[pod]!;
    if (st === W_TERMINATED && this.pods.phase[pod] === PodPhase.Succeeded && Number.isNaN(this.pods.deletedNs[pod])) {
      // model: a deleted pod whose containers all exited is removed at once: the status
      // manager's syncPod deletes it with grace period 0 (canBeDeleted).
      this.workers.state[pod] = W_TERMINATING;
      this.status.set(pod, node, PodPhase.Succeeded, true);
      return;
    }
    if (st === W_TERMINATING || st === W_TERMINATED) return;
    if (st === W_NONE || st === W_REJECTED) {
      // Nothing runs: write the terminal status and remove the pod (status_manager canBeDeleted).
      this.workers.state[pod] = W_TERMINATED;
      if (Number.isNaN(this.pods.deletedNs[pod])) this.status.set(pod, node, PodPhase.Failed, true);
      return;
    }
    this.workers.state[pod] = W_TERMINATING;
    // model: killPodWithSyncResult stops the containers in parallel (SIGTERM, grace period).
    const anyStarted = this.workers.started[pod] !== 0 || this.workers.next[pod]! > 0;
    if (anyStarted) this.d.events?.killing(pod, node);
    // model: the containers stop when the application exits on SIGTERM (kubelet.containerStop),
    // at the latest when the pod's terminationGracePeriodSeconds runs out (then SIGKILL).
    const grace = this.d.templates[this.pods.template[pod]!]!.terminationGraceNs ?? DEFAULT_TERMINATION_GRACE_NS;
    this.engine.schedule(anyStarted ? Math.min(this.containerStop.sample(), grace) : 0, this.kKilled, pod);
  }

  /** A sample of template `t`'s run duration, from a stream of its own (so Jobs do not shift each other's draws). */
  private runDuration(t: number, spec: DistSpec): number {
    let s = this.runDurations[t];
    if (s === undefined) {
      s = new Sampler(spec, this.d.random.stream(`kubelet/run-duration/${t}`));
      this.runDurations[t] = s;
    }
    return s.sample();
  }

  /**
   * A Job's pod ran its time: its containers exited 0 (restartPolicy Never or OnFailure does not
   * restart them), so the kubelet stops the sandbox, releases the pod's admitted resources and IP,
   * and writes phase Succeeded (pkg/kubelet/kubelet_pods.go getPhase: all containers terminated,
   * none failed). The pod object stays (until the Job or its TTL deletes it; neither is modelled).
   */
  private onCompleted(pod: PodIdx): void {
    const node = this.pods.node[pod]!;
    if (this.workers.state[pod] !== W_RUNNING || this.perNode.down[node] === 1) return;
    this.release(pod, node);
    this.status.set(pod, node, PodPhase.Succeeded);
  }

  private onKilled(pod: PodIdx): void {
    const node = this.pods.node[pod]!;
    if (this.perNode.down[node] === 1) return;
    this.release(pod, node);
    if (Number.isNaN(this.pods.deletedNs[pod])) this.status.set(pod, node, PodPhase.Failed, true);
  }

  /** The pod's containers and sandbox are gone: its IP, admitted requests and runtime slot are freed. */
  private release(pod: PodIdx, node: NodeIdx): void {
    const f = this.workers.flags[pod]!;
    // model: StopPodSandbox runs CNI DEL, which returns the address to host-local IPAM.
    if ((f & F_IP_HELD) !== 0) this.cni.del(node);
    if ((f & F_ADMITTED) !== 0) {
      const R = this.nodes.resourceCount;
      const req = this.d.templates[this.pods.template[pod]!]!.requests;
      const adm = this.perNode.admitted;
      for (let r = 0; r < R; r++) adm[node * R + r]! -= req[r] ?? 0;
    }
    if ((f & F_RUNNING) !== 0) this.perNode.runningOn[node]!--;
    if ((f & F_ADMITTED) !== 0) this.runtime.removePod(node, this.workers.containers[pod]!);
    this.workers.containers[pod] = 0;
    this.workers.flags[pod] = 0;
    this.workers.state[pod] = W_TERMINATED;
    this.probeStarts.delete(pod);
    this.pods.mark(pod, PodStage.terminated, this.engine.now);
  }
}
