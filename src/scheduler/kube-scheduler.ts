import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import { Interner } from "../cluster/interner.js";
import type { NodeTable } from "../cluster/node-table.js";
import { PodPhase, PodReason, PodStage, type PodTable } from "../cluster/pod-table.js";
import type { PodTemplate } from "../cluster/pod-template.js";
import { BUILTIN_RESOURCE_NAMES } from "../cluster/resources.js";
import type { ApiServer } from "../apiserver/api-server.js";
import { PodDelete, PodStatusPatch } from "../apiserver/object-store.js";
import { DELETE_BYTES, Resource, Status as ApiStatus, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType, type WatchCache } from "../apiserver/watch-cache.js";
import type { DeploymentSpec } from "../scenario/manifests.js";
import type { SchedulerSpec } from "../scenario/types.js";
import { AttemptLog, AttemptResult } from "./attempt-log.js";
import type { Column } from "../metrics/arrow-writer.js";
import { defaultSchedulerConfig, type SchedulerConfig } from "./config.js";
import { CycleCostModel } from "./cost-model.js";
import { Framework, type Rotation } from "./framework.js";
import { ClusterEvent, KEEP_NOMINATION, type Binder, type NodeEventRef, type PodRef } from "./plugin.js";
import { NodeChangeTracker } from "./node-change-tracker.js";
import { compilePodSpec, readerFor, type PodSpec } from "./pod-spec.js";
import { REGISTRY } from "./registry.js";
import type { SchedulingGates } from "./plugins/scheduling-gates.js";
import { SchedulerCache, type PreemptionBudgets } from "./scheduler-cache.js";
import { QueueLoc, Requeue, SchedulingQueue, BACKOFF_WINDOW_NS, UNSCHEDULABLE_FLUSH_NS } from "./scheduling-queue.js";
import { Code } from "./status.js";
import { columnTable } from "../core/column-table.js";

/** model: (assumed) size of a pods/binding request body. */
const BINDING_BYTES = 5_000;
/** model: (assumed) size of a pods/status merge patch (a condition, or nominatedNodeName). */
const STATUS_PATCH_BYTES = 500;
/** Label the ReplicaSet controller adds to its pods. model: apps/v1 DefaultDeploymentUniqueLabelKey. */
const POD_TEMPLATE_HASH = "pod-template-hash";

/** The interned vocabularies of a run (what src/sim/build-cluster.ts builds). */
export interface SchedulerVocabulary {
  resources: Interner;
  labels: Interner;
  images: Interner;
}

/** Optional inputs of {@link KubeScheduler}; without them pods schedule on resources alone. */
export interface KubeSchedulerOptions {
  /** The run's vocabularies, so that node labels, taints and images can be read. */
  vocabulary?: SchedulerVocabulary;
  /** The Deployment of each template id (the scenario's workload deployments in order). */
  deployments?: readonly DeploymentSpec[];
  /** Image sizes in bytes by image id (ImageLocality). */
  imageSizes?: readonly number[];
  /** A parsed KubeSchedulerConfiguration; defaults to upstream's default profile. */
  config?: SchedulerConfig;
  /**
   * Called when DefaultPreemption nominates `node` for `pod` and picks `victims`; by default the
   * scheduler deletes the victims through the API (graceful delete), as upstream's
   * prepareCandidate does.
   */
  onPreempt?: (pod: number, node: number, victims: readonly number[]) => void;
  /** The scheduler's event recorder (src/background/pod-events.ts): told of each pod bound. */
  events?: { scheduled(pod: number): void };
  /** The SchedulingGates PreEnqueue plugin (only for runs whose pods have schedulingGates). */
  schedulingGates?: SchedulingGates;
  /**
   * VolumeBinding's PreBind: when the binding of a pod just placed may go out (its claims bound;
   * src/controllers/volume-provisioner.ts). Absent: at once.
   */
  volumeBinding?: { preBindAt(pod: number): number };
}

/** Told of each pod a scheduling cycle found unschedulable. */
export interface UnschedulableListener {
  onPodUnschedulable(pod: number): void;
}

/** What {@link KubeScheduler} is built from. */
export interface KubeSchedulerDeps {
  engine: Engine;
  random: RandomStreams;
  spec: SchedulerSpec;
  nodes: NodeTable;
  pods: PodTable;
  /** The run's pod templates (filled by kubectl at initialize, shared with the kubelets). */
  templates: readonly PodTemplate[];
  api: ApiServer;
  /** The pod informer's source. */
  watch: WatchCache;
  /** The scheduler's API client id. */
  client: number;
}

const ConfirmedPods = columnTable({ flag: "Uint8" });

/**
 * kube-scheduler: a scheduling queue (activeQ in QueueSort order, backoffQ, unschedulable pods
 * moved back on cluster events through the plugins' queueing hints and by the periodic flush), one
 * profile per schedulerName built from a KubeSchedulerConfiguration, and one cycle at a time: the
 * profile's framework picks a node, the pod is assumed into the scheduler cache, and the binding
 * cycle creates the pods/binding through the API asynchronously. Each cycle costs simulated time
 * from {@link CycleCostModel}; each attempt is a row of {@link AttemptLog} (scheduler.arrow).
 */
export class KubeScheduler implements Binder {
  private readonly engine: Engine;
  private readonly nodes: NodeTable;
  private readonly pods: PodTable;
  private readonly templates: readonly PodTemplate[];
  private readonly api: ApiServer;
  private readonly client: number;
  private readonly random: RandomStreams;
  private readonly spec: SchedulerSpec;
  private options: KubeSchedulerOptions = {};
  config!: SchedulerConfig;
  cache!: SchedulerCache;
  queue!: SchedulingQueue;
  frameworks!: Framework[];
  readonly log = new AttemptLog();
  /**
   * Hears of each pod a scheduling cycle left unschedulable, when its PodScheduled=False status
   * goes out (Karpenter's provisioner watches for such pods).
   */
  unschedulableListener: UnschedulableListener | undefined;
  private readonly byName = new Map<string, number>();
  private costModel!: CycleCostModel;
  private percentage = 0;
  private readonly rotation: Rotation = { next: 0 };
  private readonly kCycleDone: EventKind;
  private readonly kBound: EventKind;
  private readonly events: { scheduled(pod: number): void } | undefined;
  private readonly kBackoffFlush: EventKind;
  private readonly kUnschedFlush: EventKind;
  private readonly kVictimPatched: EventKind;
  private readonly kVictimDeleted: EventKind;
  private readonly kNominationPatched: EventKind;
  private readonly kPatched: EventKind;
  /** PreBind's wait for the pod's volumes ended (registered only with volumeBinding). */
  private readonly kPreBound: EventKind | undefined;
  /**
   * Nominated pods of lower priority than the pod in its cycle, taken off their nominated nodes
   * for the cycle. model: framework.RunFilterPluginsWithNominatedPods / addGENominatedPods: the
   * filters count nominated pods of equal or higher priority only (the nominator is
   * cache.nominated; a nominated pod is assumed on its node in the cache between its cycles).
   * (approximation) upstream's second filter pass, without the nominated pods, is not run: it
   * can only reject where a plugin is not monotone in the pods added (inter-pod affinity to a
   * nominated pod); and PreFilter state counts every counted nominated pod, not only those of
   * the node filtered.
   */
  private readonly hidden: number[] = [];
  /**
   * The in-flight cycle's preemption, carried out when its cycle time has passed: the nominated
   * node (-1: none) and the victims. model: preemption.go prepareCandidate (synchronous) or
   * prepareCandidateAsync (SchedulerAsyncPreemption).
   */
  private preemptNode = -1;
  private preemptVictims: number[] = [];
  /** The cycle that waits for its preemption's API calls: pod, node, and calls left. */
  private waitPod = -1;
  private waitNode = -1;
  private waitNominee = -1;
  private waitCalls = 0;
  /** Async preemption: calls still running per preemptor (upstream Evaluator.preempting). */
  private readonly preempting = new Map<number, number>();
  /** The preemptor of each victim whose calls are in flight. */
  private readonly victimOf = new Map<number, number>();
  /** SchedulerAsyncPreemption (controlPlane.scheduler.asyncPreemption). */
  private readonly asyncPreemption: boolean;
  /** Group of each template (-1 until its first pod), and profile of each group (-1: not ours). */
  private templateGroup: number[] = [];
  private groupProfile: number[] = [];
  /** Per pod: 1 once the scheduler saw its binding confirmed by a watch update. */
  private readonly confirmed = new ConfirmedPods(1024);
  private busy = false;
  private inFlight = -1;
  private inFlightRejectors = 0;
  private inFlightError = false;
  /** Events seen while a pod was in flight: [event, group of the other pod (-1 none), node (-1 none), its NodeChange bits]. */
  private readonly inFlightEvents: [number, number, number, number][] = [];
  /** The scheduler's last view of each node, to tell what a Node event changed. */
  private nodeChanges!: NodeChangeTracker;
  private backoffArmed = false;
  /** A pod deleted while in flight: dropped when its cycle ends. */
  private droppedInFlight = -1;
  private unschedArmed = false;
  private readonly ref: PodRef;
  /** Plugins whose hints react to assigned pods (PodTopologySpread, InterPodAffinity), as a mask. */
  private crossTopologyMask = 0;
  /** Cycles run, nodes examined, pods bound, pods of schedulerNames no profile serves. */
  cycles = 0;
  nodesExamined = 0;
  bound = 0;
  bindFailures = 0;
  ignoredPods = 0;
  /** Preemptions nominated, victims deleted for them, and of those victims the ones a PDB protected. */
  preemptions = 0;
  victimsDeleted = 0;
  pdbViolatingVictims = 0;
  /** Preemption attempts that were not eligible (preemptionPolicy Never, victims still terminating). */
  preemptionsNotEligible = 0;

  constructor(d: KubeSchedulerDeps, options: KubeSchedulerOptions = {}) {
    const engine = d.engine;
    this.engine = engine;
    this.nodes = d.nodes;
    this.pods = d.pods;
    this.templates = d.templates;
    this.api = d.api;
    this.client = d.client;
    this.random = d.random;
    this.spec = d.spec;
    this.ref = { pod: -1, group: -1, spec: undefined as unknown as PodSpec };
    this.asyncPreemption = d.spec.asyncPreemption;
    this.configure(options);
    this.events = options.events;
    this.kCycleDone = engine.register("scheduler.cycleDone", (pod, node) => this.onCycleDone(pod, node));
    this.kBound = engine.register("scheduler.bound", (pod, req) => this.onBound(pod, req));
    this.kBackoffFlush = engine.register("scheduler.flushBackoffQ", () => this.onBackoffFlush());
    this.kUnschedFlush = engine.register("scheduler.flushUnschedulable", () => this.onUnschedulableFlush());
    this.kVictimPatched = engine.register("scheduler.victimPatched", (v) => this.onVictimPatched(v));
    this.kVictimDeleted = engine.register("scheduler.victimDeleted", (v) => this.onVictimDeleted(v));
    this.kNominationPatched = engine.register("scheduler.nominationPatched", () => this.onCallDone());
    this.kPatched = engine.register("scheduler.patched", () => {});
    this.kPreBound =
      options.volumeBinding === undefined
        ? undefined
        : engine.register("scheduler.preBound", (pod, node) => this.onPreBound(pod, node));
    d.watch.watch(
      WatchResource.pods,
      engine.register("scheduler.informer.pod", (_t, arg) => this.onPodEvent(arg)),
      0,
      d.client,
    );
  }

  /** Builds the cache, the profiles and the queue from `options` (once, from the constructor). */
  private configure(options: KubeSchedulerOptions): void {
    this.options = options;
    this.config = options.config ?? defaultSchedulerConfig();
    const v = options.vocabulary ?? fallbackVocabulary(this.nodes.resourceCount);
    this.cache = new SchedulerCache(this.nodes, v.labels, v.resources, v.images, options.imageSizes ?? []);
    this.nodeChanges = new NodeChangeTracker(this.nodes);
    // model: KubeSchedulerConfiguration percentageOfNodesToScore and parallelism, when a file gives them.
    this.percentage =
      options.config !== undefined ? this.config.percentageOfNodesToScore : this.spec.percentageOfNodesToScore;
    this.costModel = new CycleCostModel(
      {
        cycleCost: this.spec.cycleCost,
        perNodeCost: this.spec.perNodeCost,
        parallelism: options.config !== undefined ? this.config.parallelism : this.spec.parallelism,
      },
      this.random,
    );
    const rng = this.random.stream("scheduler");
    this.byName.clear();
    this.frameworks = this.config.profiles.map((p, i) => {
      this.byName.set(p.resolved.schedulerName, i);
      return new Framework(p.resolved, this.cache, rng, REGISTRY, p.args);
    });
    const sort = this.frameworks[0]?.queueSort ?? null;
    this.queue = new SchedulingQueue(
      {
        priority: (pod) => this.cache.groups[this.groupOfPod(pod)]!.priority,
        less:
          sort === null
            ? (pa, ta, pb, tb) => pa > pb || (pa === pb && ta < tb)
            : (pa, ta, pb, tb) => sort.less(pa, ta, pb, tb),
      },
      this.config.podInitialBackoffSeconds * NS_PER.s,
      this.config.podMaxBackoffSeconds * NS_PER.s,
    );
    let mask = 0;
    for (const fw of this.frameworks)
      for (const p of fw.plugins)
        if (p.name === "PodTopologySpread" || p.name === "InterPodAffinity") mask |= 1 << p.index;
    this.crossTopologyMask = mask;
    this.templateGroup = [];
    this.groupProfile = [];
  }

  /** The pod group of a template, compiled on first use. */
  groupOfTemplate(t: number): number {
    const g = this.templateGroup[t];
    if (g !== undefined && g >= 0) return g;
    const spec = this.compileTemplate(t);
    const id = this.cache.addGroup(spec);
    this.templateGroup[t] = id;
    this.groupProfile[id] = this.byName.get(spec.schedulerName) ?? -1;
    return id;
  }

  private groupOfPod(pod: number): number {
    return this.groupOfTemplate(this.pods.template[pod]!);
  }

  private compileTemplate(t: number): PodSpec {
    const tpl = this.templates[t]!;
    const d = this.options.deployments?.[t];
    const v = this.options.vocabulary;
    const labels = new Map<string, string>();
    if (v !== undefined) {
      for (const [k, val] of tpl.labels) labels.set(v.labels.name(k), v.labels.name(val));
      // model: the ReplicaSet stamps pod-template-hash on its pods and selects on it; the pods of
      // one template are exactly the pods its ReplicaSet selects (PodTopologySpread system defaults).
      labels.set(POD_TEMPLATE_HASH, `t${t}`);
    }
    const images = v === undefined ? [] : [...tpl.initContainers, ...tpl.containers].map((c) => v.images.name(c.image));
    const file = "deployment";
    const spec = compilePodSpec(
      {
        name: d?.name ?? `template-${t}`,
        namespace: d?.namespace ?? "default",
        labels,
        priority: tpl.priority,
        preemptionPolicy: tpl.preemptNever === true ? "Never" : "PreemptLowerPriority",
        schedulerName: tpl.schedulerName,
        nodeName: "",
        requests: tpl.requests,
        nonZeroCpuMilli: tpl.nonZeroCpuMilli,
        nonZeroMemBytes: tpl.nonZeroMemBytes,
        images,
        // model: nodeports/node_ports.go getContainerPorts: the app containers' host ports and,
        // since kubernetes#132040 (1.34, back-ported to 1.33), the sidecars' (restartable init
        // containers), which run beside them; a regular init container's port is freed before.
        hostPorts:
          d === undefined
            ? []
            : [...d.pod.initContainers.filter((c) => c.sidecar === true), ...d.pod.containers].flatMap(
                (c) => c.hostPorts,
              ),
        nodeSelector: v === undefined ? new Map() : (d?.pod.nodeSelector ?? new Map()),
        tolerations: readerFor(
          v === undefined ? undefined : d?.pod.tolerations,
          file,
          `${d?.name ?? t}.spec.template.spec.tolerations`,
        ),
        affinity: readerFor(
          v === undefined ? undefined : d?.pod.affinity,
          file,
          `${d?.name ?? t}.spec.template.spec.affinity`,
        ),
        topologySpreadConstraints: readerFor(
          v === undefined ? undefined : d?.pod.topologySpreadConstraints,
          file,
          `${d?.name ?? t}.spec.template.spec.topologySpreadConstraints`,
        ),
        // Without the vocabulary node labels are unreadable: no label-based constraint applies.
        ownerSelector: v === undefined ? null : labels,
      },
      this.cache.labels,
    );
    return spec;
  }

  private onPodEvent(arg: number): void {
    const pod = watchObject(arg);
    const type = watchType(arg);
    const gates = this.options.schedulingGates;
    const ungated = gates !== undefined && type === WatchEvent.MODIFIED && gates.released(pod);
    if ((type === WatchEvent.ADDED || ungated) && this.pods.node[pod] === -1) {
      const g = this.groupOfPod(pod);
      if (this.groupProfile[g]! < 0) {
        // model: the scheduler's informer only queues pods whose schedulerName it serves.
        this.ignoredPods++;
        return;
      }
      if (gates !== undefined && !gates.preEnqueue(pod)) return;
      this.pods.mark(pod, PodStage.queued, this.engine.now);
      this.queue.add(pod, this.engine.now);
      this.kick();
      return;
    }
    if (type === WatchEvent.DELETED) {
      gates?.forget(pod);
      // model: deleting a pending pod removes it from the queue; deleting an assigned one frees
      // its node in the cache (AssignedPodDelete, which moves pods waiting for room).
      if (this.queue.delete(pod)) this.droppedInFlight = pod;
      this.cache.nominated.delete(pod);
      if (this.cache.nodeOf(pod) >= 0) this.onPodDeleted(pod);
      return;
    }
    // model: scheduler.go newPodInformer selects status.phase!=Succeeded,status.phase!=Failed, so a
    // pod that Succeeds (a Job's) leaves the informer as a delete and frees its node in the cache.
    // (approximation) a Failed pod still stays in the cache until it is deleted.
    if (this.pods.phase[pod] === PodPhase.Succeeded) {
      this.onPodDeleted(pod);
      return;
    }
    // model: an assigned pod's add or update goes to the cache (eventhandlers.go addPodToCache /
    // updatePodInCache); a pod created already bound (cluster.pods) arrives as an add.
    if (this.pods.node[pod] !== -1) {
      this.confirmed.ensureRow(pod);
      // A status change on a node may follow an image pull there (ImageLocality counts).
      this.cache.markImagesDirty(this.pods.node[pod]!);
      if (this.confirmed.flag[pod] !== 1) {
        this.confirmed.flag[pod] = 1;
        const g = this.groupOfPod(pod);
        if (this.cache.nodeOf(pod) < 0) this.cache.addPod(pod, g, this.pods.node[pod]!, this.engine.now);
        // model: AssignedPodAdded moves pods rejected by cross-topology plugins (spread, inter-pod affinity).
        this.clusterEvent(ClusterEvent.AssignedPodAdd, g);
      }
      // model: a graceful delete reaches the informer as an update setting deletionTimestamp; the
      // pod keeps its node in the cache until it is gone, but PodTopologySpread stops counting it.
      if (this.pods.isTerminating(pod))
        this.cache.markTerminating(pod, this.pods.reason[pod] === PodReason.PreemptionByScheduler);
    }
  }

  /** The PodDisruptionBudgets preemption respects (the run's, read as the scheduler's PDB lister would). */
  useBudgets(budgets: PreemptionBudgets): void {
    this.cache.budgets = budgets;
  }

  /** Delivers a cluster event: recorded for the in-flight pod, and unschedulable pods it may help move. */
  private clusterEvent(event: ClusterEvent, otherGroup: number, node = -1, change = 0): void {
    if (this.inFlight >= 0) this.inFlightEvents.push([event, otherGroup, node, change]);
    if (this.queue.unschedulableSize === 0) return;
    const union = this.queue.rejectorUnion();
    // model: AssignedPodAdded only looks at pods rejected by cross-topology plugins
    // (getUnschedulablePodsWithCrossTopologyTerm).
    if (union === 0 || (event === ClusterEvent.AssignedPodAdd && (union & this.crossTopologyMask) === 0)) return;
    const other = otherGroup >= 0 ? this.cache.groups[otherGroup]! : null;
    const ref = node < 0 ? null : { node, change };
    const moved = this.queue.moveOnEvent(this.engine.now, (pod, rejectors) =>
      this.worth(pod, rejectors, event, other, ref),
    );
    if (moved > 0) {
      this.armBackoff();
      this.kick();
    }
  }

  /** Whether any rejecting plugin's queueing hint says `event` may make `pod` schedulable. */
  private worth(
    pod: number,
    rejectors: number,
    event: ClusterEvent,
    other: PodSpec | null,
    node: NodeEventRef | null,
  ): boolean {
    const g = this.groupOfPod(pod);
    const fw = this.frameworks[this.groupProfile[g]!]!;
    const ref: PodRef = { pod, group: g, spec: this.cache.groups[g]! };
    for (const p of fw.plugins) {
      if ((rejectors & (1 << p.index)) === 0) continue;
      // model: a plugin without EnqueueExtensions is interested in every event.
      if (p.isSchedulableAfter === undefined || p.isSchedulableAfter(event, ref, other, node)) return true;
    }
    return false;
  }

  private kick(): void {
    if (!this.busy) this.runCycle();
  }

  /** Runs one scheduling cycle for the head of the queue, if any. */
  private runCycle(): void {
    const pod = this.queue.pop();
    if (pod < 0) {
      this.busy = false;
      return;
    }
    if (this.preempting.has(pod)) {
      // model: DefaultPreemption PreEnqueue (async preemption): a pod whose preemption calls still
      // run waits as unschedulable for its rejectors' events. (approximation) the pop counted an attempt.
      this.queue.addUnschedulable(pod, this.queue.rejectorsOf(pod), Requeue.skip, this.engine.now);
      this.armUnschedulable();
      this.runCycle();
      return;
    }
    this.busy = true;
    this.inFlight = pod;
    this.inFlightEvents.length = 0;
    this.cycles++;
    this.pods.attempts[pod]!++;
    const now = this.engine.now;
    this.pods.mark(pod, PodStage.firstAttempt, now);
    const g = this.groupOfPod(pod);
    this.hideNominated(pod, this.cache.groups[g]!.priority);
    const profile = this.groupProfile[g]!;
    const fw = this.frameworks[profile]!;
    const ref = this.ref;
    ref.pod = pod;
    ref.group = g;
    ref.spec = this.cache.groups[g]!;
    const r = fw.schedule(ref, this.rotation, this.percentage);
    this.nodesExamined += r.examined;
    let node = r.node;
    let result: AttemptResult = AttemptResult.Scheduled;
    this.inFlightError = false;
    this.inFlightRejectors = 0;
    if (r.code === Code.Success) {
      // model: assume deletes the pod's nomination (DeleteNominatedPodIfExists).
      this.cache.nominated.delete(pod);
      this.cache.addPod(pod, g, node, now); // assume
      const rs = fw.runReserve(ref, node);
      const ps = rs.code === Code.Success ? fw.runPermit(ref, node) : rs;
      if (ps.code !== Code.Success) {
        this.cache.removePod(pod);
        node = -1;
        this.inFlightError = ps.code === Code.Error;
        this.inFlightRejectors =
          ps.code === Code.Error ? 0 : 1 << (fw.plugins.find((p) => p.name === ps.plugin)?.index ?? 0);
        result = ps.code === Code.Error ? AttemptResult.Error : AttemptResult.Unschedulable;
      }
    } else {
      this.inFlightError = r.code === Code.Error;
      this.inFlightRejectors = r.unschedulablePlugins;
      result =
        r.code === Code.Error
          ? AttemptResult.Error
          : r.code === Code.UnschedulableAndUnresolvable
            ? AttemptResult.UnschedulableAndUnresolvable
            : AttemptResult.Unschedulable;
      const pf = r.postFilter;
      if (pf !== null && pf.nominatedNode >= 0) {
        result = AttemptResult.Nominated;
        this.preemptions++;
        this.pdbViolatingVictims += pf.pdbViolations;
        if (this.options.onPreempt !== undefined) this.options.onPreempt(pod, pf.nominatedNode, pf.victims);
        else {
          this.preemptNode = pf.nominatedNode;
          this.preemptVictims = pf.victims;
        }
        this.clearLowerNominations(pf.nominatedNode);
        this.nominate(pod, pf.nominatedNode);
      } else if (pf === null ? r.code === Code.Error : pf.nominatedNode === -1) {
        // model: an error, or a PostFilter that found no candidate, clears the nomination.
        this.nominate(pod, -1);
      } else if (pf !== null && pf.nominatedNode === KEEP_NOMINATION) this.preemptionsNotEligible++;
      const keep = this.cache.nominated.get(pod);
      if (keep !== undefined && this.cache.nodeOf(pod) < 0) this.cache.addPod(pod, g, keep, now);
    }
    this.restoreNominated();
    const cost = this.costModel.cost(r, this.nodes.size);
    this.log.append({
      timeNs: now,
      pod,
      attempt: this.queue.attemptsOf(pod),
      profile,
      filtered: r.examined,
      feasible: r.feasible,
      chosen: node,
      score: r.score,
      result,
      costNs: cost,
    });
    this.engine.schedule(cost, this.kCycleDone, pod, node);
  }

  private onCycleDone(pod: number, node: number): void {
    if (this.preemptNode >= 0) {
      this.startPreemption(pod, node);
      return;
    }
    this.finishCycle(pod, node);
  }

  /**
   * The cycle's preemption through the API: per victim not already terminating, the
   * DisruptionTarget condition (pods/status patch), then a graceful delete. model:
   * preemption.go prepareCandidate / PreemptPod, victims in parallel. Synchronous preemption
   * holds the scheduling loop until every call is answered; asynchronous preemption
   * (SchedulerAsyncPreemption, beta and on by default since v1.33, KEP-4832) runs them beside
   * it while the preemptor is kept out of the scheduling cycle (preempting). Either way the
   * preemptor's nominatedNodeName patch that follows holds the loop (schedule_one.go
   * handleSchedulingFailure updatePod).
   */
  private startPreemption(pod: number, node: number): void {
    const nominee = this.preemptNode;
    this.preemptNode = -1;
    let calls = 0;
    for (const v of this.preemptVictims) {
      if (this.pods.isTerminating(v)) continue;
      this.victimsDeleted++;
      this.victimOf.set(v, pod);
      calls++;
      this.api.submit(
        this.client,
        Verb.patch,
        Resource.podsStatus,
        v,
        PodStatusPatch.preemptedCondition,
        STATUS_PATCH_BYTES,
        this.kVictimPatched,
        v,
      );
    }
    this.preemptVictims = [];
    this.waitPod = pod;
    this.waitNode = node;
    this.waitNominee = nominee;
    if (this.asyncPreemption) {
      if (calls > 0) this.preempting.set(pod, calls);
      calls = 0;
    }
    this.waitCalls = calls + 1;
    if (calls === 0) this.patchNomination();
  }

  private patchNomination(): void {
    this.api.submit(
      this.client,
      Verb.patch,
      Resource.podsStatus,
      this.waitPod,
      PodStatusPatch.nominatedBase - this.waitNominee,
      STATUS_PATCH_BYTES,
      this.kNominationPatched,
      this.waitPod,
    );
  }

  private onVictimPatched(v: number): void {
    this.api.submit(
      this.client,
      Verb.delete,
      Resource.pods,
      v,
      PodDelete.graceful,
      DELETE_BYTES,
      this.kVictimDeleted,
      v,
    );
  }

  private onVictimDeleted(v: number): void {
    const pre = this.victimOf.get(v);
    if (pre === undefined) return;
    this.victimOf.delete(v);
    const left = this.preempting.get(pre);
    if (left !== undefined) {
      if (left > 1) this.preempting.set(pre, left - 1);
      else this.preempting.delete(pre);
      return;
    }
    if (pre === this.waitPod) {
      this.onCallDone();
      if (this.waitCalls === 1) this.patchNomination();
    }
  }

  /** One of the waiting cycle's calls was answered; the last ends the cycle. */
  private onCallDone(): void {
    if (--this.waitCalls > 0) return;
    const pod = this.waitPod;
    this.waitPod = -1;
    this.finishCycle(pod, this.waitNode);
  }

  /**
   * model: the nominator (AddNominatedPod / DeleteNominatedPodIfExists): sets the pod's nominated
   * node (-1 removes it) and, when it changes, patches status.nominatedNodeName through the API
   * (the preemptor's own patch is sent when its preemption's calls are done).
   */
  private nominate(pod: number, node: number): void {
    const had = this.cache.nominated.get(pod);
    if (had === node || (had === undefined && node < 0)) return;
    if (this.cache.nodeOf(pod) >= 0 && this.inFlight !== pod) this.cache.removePod(pod);
    if (node < 0) {
      this.cache.nominated.delete(pod);
      this.api.submit(
        this.client,
        Verb.patch,
        Resource.podsStatus,
        pod,
        PodStatusPatch.clearNominated,
        STATUS_PATCH_BYTES,
        this.kPatched,
        pod,
      );
      return;
    }
    this.cache.nominated.set(pod, node);
  }

  /** Takes nominated pods of priority below `priority` (and the pod itself) off their nominated nodes. */
  private hideNominated(pod: number, priority: number): void {
    const cache = this.cache;
    for (const [q] of cache.nominated) {
      if (cache.nodeOf(q) < 0) continue;
      if (q === pod || cache.priorityOf(q) < priority) {
        cache.removePod(q);
        if (q !== pod) this.hidden.push(q);
      }
    }
  }

  /** Puts the hidden nominated pods back on their nominated nodes (those still nominated). */
  private restoreNominated(): void {
    const now = this.engine.now;
    for (const q of this.hidden) {
      const n = this.cache.nominated.get(q);
      if (n !== undefined && this.cache.nodeOf(q) < 0) this.cache.addPod(q, this.groupOfPod(q), n, now);
    }
    this.hidden.length = 0;
  }

  /**
   * model: prepareCandidate getLowerPriorityNominatedPods / clearNominatedNodeName: pods of lower
   * priority nominated to the preemption's node lose their nomination (they are hidden now).
   * (approximation) upstream's update event moves them to activeQ; here they wait for their
   * rejectors' events.
   */
  private clearLowerNominations(node: number): void {
    for (const q of this.hidden) if (this.cache.nominated.get(q) === node) this.nominate(q, -1);
  }

  private finishCycle(pod: number, node: number): void {
    this.inFlight = -1;
    const now = this.engine.now;
    if (this.droppedInFlight === pod) {
      // Deleted during its cycle: forget the assumption, do not bind or requeue.
      this.droppedInFlight = -1;
      if (node >= 0 && this.cache.nodeOf(pod) >= 0) this.cache.removePod(pod);
      this.queue.done(pod);
      this.inFlightEvents.length = 0;
      this.busy = false;
      this.runCycle();
      return;
    }
    if (node >= 0) {
      this.pods.mark(pod, PodStage.scheduled, now);
      this.queue.done(pod);
      const at = this.options.volumeBinding?.preBindAt(pod) ?? now;
      if (at > now) this.engine.scheduleAt(at, this.kPreBound!, pod, node);
      else this.bind(pod, node);
    } else {
      const rejectors = this.inFlightError ? 0 : this.inFlightRejectors;
      // model: determineSchedulingHintForInFlightPod: an event during the cycle that a rejecting
      // plugin cares about sends the pod to backoffQ instead of the unschedulable pool.
      let requeue: number = Requeue.skip;
      for (const [ev, og, nd, ch] of this.inFlightEvents) {
        const other = og >= 0 ? this.cache.groups[og]! : null;
        if (this.worth(pod, rejectors, ev as ClusterEvent, other, nd < 0 ? null : { node: nd, change: ch })) {
          requeue = Requeue.afterBackoff;
          break;
        }
      }
      const loc = this.queue.addUnschedulable(pod, rejectors, requeue, now);
      if (loc === QueueLoc.unschedulable) this.armUnschedulable();
      else this.armBackoff();
      this.unschedulableListener?.onPodUnschedulable(pod);
    }
    this.inFlightEvents.length = 0;
    this.busy = false;
    this.runCycle();
  }

  /** The binding cycle's Bind plugins for `pod`, placed on `node`. */
  private bind(pod: number, node: number): void {
    const g = this.groupOfPod(pod);
    const fw = this.frameworks[this.groupProfile[g]!]!;
    fw.runBind({ pod, group: g, spec: this.cache.groups[g]! }, node, this);
  }

  /** The pod's volumes are bound: its binding goes out, unless it was deleted meanwhile (the cache then forgot it). */
  private onPreBound(pod: number, node: number): void {
    if (this.pods.isTerminating(pod) || this.cache.nodeOf(pod) !== node) return;
    this.bind(pod, node);
  }

  /** Binder: the binding cycle's API call (DefaultBinder). */
  bindThroughApi(pod: PodRef, node: number): void {
    this.api.submit(this.client, Verb.create, Resource.podsBinding, pod.pod, node, BINDING_BYTES, this.kBound, pod.pod);
  }

  private onBound(pod: number, req: number): void {
    if (this.api.requests.status[req] === ApiStatus.created) {
      this.bound++;
      this.events?.scheduled(pod);
      return;
    }
    // model: handleBindingCycleError: forget the assumed pod, move pods an AssignedPodDelete may
    // help, and requeue the pod with error backoff.
    this.bindFailures++;
    const g = this.groupOfPod(pod);
    if (this.cache.nodeOf(pod) >= 0) this.cache.removePod(pod);
    this.clusterEvent(ClusterEvent.AssignedPodDelete, g);
    if (this.pods.isTerminating(pod)) return;
    this.queue.addUnschedulable(pod, 0, Requeue.afterBackoff, this.engine.now);
    this.armBackoff();
    this.kick();
  }

  /**
   * A pod was deleted (preemption victim, scale-down): frees its node in the cache and moves pods
   * that the deletion may help. For the integrator's pod deletion path.
   */
  onPodDeleted(pod: number): void {
    this.cache.nominated.delete(pod);
    if (this.cache.nodeOf(pod) < 0) return;
    const g = this.cache.groupOf(pod);
    this.cache.removePod(pod);
    this.clusterEvent(ClusterEvent.AssignedPodDelete, g);
  }

  /** A node changed (joined, left, Ready or not, cordoned or not): moves the pods its changes may help. */
  onNodeChanged(node: number): void {
    this.cache.refreshPresence();
    const change = this.nodeChanges.changeOf(node);
    if (change !== 0) this.clusterEvent(ClusterEvent.NodeChange, -1, node, change);
  }

  private armBackoff(): void {
    if (this.backoffArmed || this.queue.backoffSize === 0) return;
    this.backoffArmed = true;
    const now = this.engine.now;
    // model: the backoffQ flush ticks on whole seconds (waitUntilAlignedWithOrderingWindow).
    this.engine.schedule(now - (now % BACKOFF_WINDOW_NS) + BACKOFF_WINDOW_NS - now, this.kBackoffFlush);
    // model: with SchedulerPopFromBackoffQ an idle scheduler pops backoffQ at once.
    this.kick();
  }

  private onBackoffFlush(): void {
    this.backoffArmed = false;
    if (this.queue.flushBackoffCompleted(this.engine.now) > 0) this.kick();
    this.armBackoff();
  }

  private armUnschedulable(): void {
    if (this.unschedArmed || this.queue.unschedulableSize === 0) return;
    this.unschedArmed = true;
    const now = this.engine.now;
    this.engine.schedule(now - (now % UNSCHEDULABLE_FLUSH_NS) + UNSCHEDULABLE_FLUSH_NS - now, this.kUnschedFlush);
  }

  private onUnschedulableFlush(): void {
    this.unschedArmed = false;
    if (this.queue.flushUnschedulableLeftover(this.engine.now) > 0) {
      this.armBackoff();
      this.kick();
    }
    this.armUnschedulable();
  }

  /** Pods waiting as unschedulable now. */
  get pendingUnschedulable(): number {
    return this.queue.unschedulableSize;
  }

  /** scheduler.arrow: one row per attempt, as columns for the Arrow writer. */
  attemptColumns(): { columns: Column[]; rows: number } {
    return this.log.columns(
      this.nodes.names,
      this.config.profiles.map((p) => p.resolved.schedulerName),
    );
  }
}

/** Vocabularies good enough to schedule on resources alone (no labels known). */
function fallbackVocabulary(resourceCount: number): SchedulerVocabulary {
  const resources = new Interner();
  for (const r of BUILTIN_RESOURCE_NAMES) resources.intern(r);
  for (let r = resources.size; r < resourceCount; r++) resources.intern(`extended-resource-${r}`);
  return { resources, labels: new Interner(), images: new Interner() };
}
