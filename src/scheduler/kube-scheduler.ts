import FastPriorityQueue from "fastpriorityqueue";
import { Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams, Rng } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import type { NodeTable } from "../cluster/node-table.js";
import { PodStage, type PodTable } from "../cluster/pod-table.js";
import type { PodTemplate } from "../cluster/pod-template.js";
import { Res } from "../cluster/resources.js";
import type { ApiServer } from "../apiserver/api-server.js";
import { Resource, Status, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType, type WatchCache } from "../apiserver/watch-cache.js";
import type { SchedulerSpec } from "../scenario/types.js";
import { numFeasibleNodesToFind } from "./num-feasible-nodes.js";

/** model: pkg/scheduler/framework/interface.go MaxNodeScore = 100. */
const MAX_NODE_SCORE = 100;
/** model: internal/queue/scheduling_queue.go DefaultPodMaxInUnschedulablePodsDuration = 5 min. */
const UNSCHEDULABLE_MAX_NS = 5 * 60 * NS_PER.s;
/** model: scheduling_queue.go flushUnschedulablePodsLeftover runs every 30 s. */
const FLUSH_PERIOD_NS = 30 * NS_PER.s;
const BINDING_BYTES = 5_000;

/**
 * kube-scheduler at first fidelity: an active queue in PrioritySort order, one pod per cycle,
 * filtering on cpu / memory / pods / extended resources over the NodeTable from a rotating start
 * until numFeasibleNodesToFind feasible nodes are found, LeastAllocated scoring, ties broken by
 * reservoir sampling, assume, then an asynchronous bind through the API.
 * A cycle costs simulated time: a fixed part plus a per-node part divided by parallelism.
 */
export class KubeScheduler {
  private readonly engine: Engine;
  private readonly nodes: NodeTable;
  private readonly pods: PodTable;
  private readonly templates: readonly PodTemplate[];
  private readonly api: ApiServer;
  private readonly client: number;
  private readonly spec: SchedulerSpec;
  private readonly rng: Rng;
  private readonly cycleCost: Sampler;
  private readonly perNodeCost: Sampler;
  private readonly kCycleDone: EventKind;
  private readonly kBound: EventKind;
  private readonly kFlush: EventKind;
  private readonly active: FastPriorityQueue<number>;
  /** Pods that found no node, with the time they became unschedulable. */
  private unschedulable: number[] = [];
  private unschedulableSinceNs: number[] = [];
  private queuedNs = new Float64Array(1024);
  private busy = false;
  private nextStartNodeIndex = 0;
  private flushArmed = false;
  /** Cycles run, nodes examined, pods bound: for the summary. */
  cycles = 0;
  nodesExamined = 0;
  bound = 0;

  constructor(engine: Engine, random: RandomStreams, spec: SchedulerSpec, nodes: NodeTable, pods: PodTable, templates: readonly PodTemplate[], api: ApiServer, watch: WatchCache, client: number) {
    this.engine = engine;
    this.nodes = nodes;
    this.pods = pods;
    this.templates = templates;
    this.api = api;
    this.client = client;
    this.spec = spec;
    this.rng = random.stream("scheduler");
    this.cycleCost = new Sampler(spec.cycleCost, random.stream("scheduler/cycle-cost"));
    this.perNodeCost = new Sampler(spec.perNodeCost, random.stream("scheduler/per-node-cost"));
    // model: PrioritySort: higher .spec.priority first, then earlier queue timestamp.
    this.active = new FastPriorityQueue<number>((a, b) => {
      const pa = this.templates[this.pods.template[a]!]!.priority;
      const pb = this.templates[this.pods.template[b]!]!.priority;
      return pa > pb || (pa === pb && (this.queuedNs[a]! < this.queuedNs[b]! || (this.queuedNs[a] === this.queuedNs[b] && a < b)));
    });
    this.kCycleDone = engine.register("scheduler.cycleDone", (pod, node) => this.onCycleDone(pod, node));
    this.kBound = engine.register("scheduler.bound", (pod, req) => this.onBound(pod, req));
    this.kFlush = engine.register("scheduler.flush", () => this.flushUnschedulable());
    watch.watch(WatchResource.pods, engine.register("scheduler.informer.pod", (_t, arg) => this.onPodEvent(arg)), 0);
  }

  private onPodEvent(arg: number): void {
    if (watchType(arg) !== WatchEvent.ADDED) return;
    const pod = watchObject(arg);
    if (this.pods.node[pod] !== -1) return;
    this.pods.mark(pod, PodStage.queued, this.engine.now);
    this.enqueue(pod);
  }

  private enqueue(pod: number): void {
    if (pod >= this.queuedNs.length) {
      const next = new Float64Array(Math.max(pod + 1, this.queuedNs.length * 2));
      next.set(this.queuedNs);
      this.queuedNs = next;
    }
    this.queuedNs[pod] = this.engine.now;
    this.active.add(pod);
    if (!this.busy) this.runCycle();
  }

  /** Runs one scheduling cycle for the head of the active queue, if any. */
  private runCycle(): void {
    const pod = this.active.poll();
    if (pod === undefined) {
      this.busy = false;
      return;
    }
    this.busy = true;
    this.cycles++;
    this.pods.attempts[pod]!++;
    this.pods.mark(pod, PodStage.firstAttempt, this.engine.now);
    const t = this.templates[this.pods.template[pod]!]!;
    const { node, examined } = this.findNode(t);
    this.nodesExamined += examined;
    if (node >= 0) this.nodes.account(node, t.requests, t.nonZeroCpuMilli, t.nonZeroMemBytes, 1); // assume
    const cost = this.cycleCost.sample() + Math.round((examined * this.perNodeCost.sample()) / this.spec.parallelism);
    this.engine.schedule(cost, this.kCycleDone, pod, node);
  }

  /** Filter then score; returns the chosen node (-1 if none fits) and how many nodes were examined. */
  private findNode(t: PodTemplate): { node: number; examined: number } {
    const nodes = this.nodes;
    const n = nodes.size;
    const R = nodes.resourceCount;
    const alloc = nodes.allocatable;
    const reqd = nodes.requested;
    const nz = nodes.nonZeroRequested;
    const req = t.requests;
    const want = numFeasibleNodesToFind(n, this.spec.percentageOfNodesToScore);
    let found = 0;
    let examined = 0;
    let best = -1;
    let bestScore = -1;
    let ties = 0;
    const start = this.nextStartNodeIndex;
    for (let k = 0; k < n && found < want; k++) {
      const i = (start + k) % n;
      examined++;
      if (nodes.unschedulable[i] || !nodes.ready[i]) continue;
      const base = i * R;
      let fits = true;
      for (let r = 0; r < R; r++) {
        const q = req[r]!;
        if (q > 0 && reqd[base + r]! + q > alloc[base + r]!) {
          fits = false;
          break;
        }
      }
      if (!fits) continue;
      found++;
      // model: noderesources/least_allocated.go: per resource ((alloc - requested) * 100 / alloc)
      // in integer division over non-zero requests, weighted mean with cpu and memory weight 1.
      const cpuScore = leastRequested(nz[i * 2]! + t.nonZeroCpuMilli, alloc[base + Res.cpu]!);
      const memScore = leastRequested(nz[i * 2 + 1]! + t.nonZeroMemBytes, alloc[base + Res.memory]!);
      const score = Math.trunc((cpuScore + memScore) / 2);
      if (score > bestScore) {
        bestScore = score;
        best = i;
        ties = 1;
      } else if (score === bestScore) {
        // model: schedule_one.go selectHost: reservoir sampling among the top scores.
        ties++;
        if (Math.floor(this.rng.next() * ties) === 0) best = i;
      }
    }
    this.nextStartNodeIndex = (start + examined) % n;
    return { node: best, examined };
  }

  private onCycleDone(pod: number, node: number): void {
    if (node >= 0) {
      this.pods.mark(pod, PodStage.scheduled, this.engine.now);
      this.api.submit(this.client, Verb.create, Resource.podsBinding, pod, node, BINDING_BYTES, this.kBound, pod);
    } else {
      this.unschedulable.push(pod);
      this.unschedulableSinceNs.push(this.engine.now);
      if (!this.flushArmed) {
        this.flushArmed = true;
        this.engine.schedule(FLUSH_PERIOD_NS, this.kFlush);
      }
    }
    this.runCycle();
  }

  private onBound(pod: number, req: number): void {
    if (this.api.requests.status[req] === Status.created) {
      this.bound++;
      return;
    }
    // model: a failed bind forgets the assumed pod and requeues it (schedule_one.go handleBindingCycleError).
    const t = this.templates[this.pods.template[pod]!]!;
    const node = this.api.requests.operand[req]!;
    this.nodes.account(node, t.requests, t.nonZeroCpuMilli, t.nonZeroMemBytes, -1);
    this.enqueue(pod);
  }

  /** Moves pods unschedulable for longer than 5 minutes back to the active queue. */
  private flushUnschedulable(): void {
    const now = this.engine.now;
    const keep: number[] = [];
    const keepSince: number[] = [];
    for (let i = 0; i < this.unschedulable.length; i++) {
      const pod = this.unschedulable[i]!;
      if (now - this.unschedulableSinceNs[i]! > UNSCHEDULABLE_MAX_NS) {
        this.enqueue(pod);
      } else {
        keep.push(pod);
        keepSince.push(this.unschedulableSinceNs[i]!);
      }
    }
    this.unschedulable = keep;
    this.unschedulableSinceNs = keepSince;
    this.flushArmed = keep.length > 0;
    if (this.flushArmed) this.engine.schedule(FLUSH_PERIOD_NS, this.kFlush);
  }

  /** Pods waiting as unschedulable now. */
  get pendingUnschedulable(): number {
    return this.unschedulable.length;
  }
}

/** model: noderesources/least_allocated.go leastRequestedScore. */
function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}
