import { PodPhase, PodStage, POD_STAGE_COUNT } from "../cluster/pod-table.js";
import type { ResourceQuotas } from "../apiserver/resource-quotas.js";
import { JOB_CONDITION_NAMES } from "../cluster/workloads.js";
import { OWNER_KIND_DEPLOYMENT } from "./pods-arrow.js";
import { RESOURCE_NAMES, Status, Verb, VERB_NAMES } from "../apiserver/request-table.js";
import { NS_PER } from "../core/time.js";
import type { RunResult } from "../core/engine.js";
import type { PodGates } from "../cluster/pod-gates.js";
import type { Simulation } from "../sim/simulation.js";
import { nodeSideSummary, type NodeSideSummary } from "../node/node-summary.js";
import { autoscalerSummary, type AutoscalerSummary } from "../autoscaler/autoscaler-summary.js";
import { quantiles, weightedQuantiles } from "./quantiles.js";
import { densityTestPhases, type DensityTestInstants, type DensityTestRecorder } from "./density-test.js";
import type { ApiTimestamps } from "../scenario/sections/density-test.js";
import { DEFAULT_START_TIME_MS } from "../scenario/types.js";
import { cronJobSummaries, type CronJobSummary } from "./cronjob-summary.js";
import { progressDeadlineSummaries, type ProgressDeadlineSummary } from "./deployment-summary.js";

/** Quantiles of a latency, in simulated nanoseconds (null when there were no samples). */
export interface LatencySummary {
  count: number;
  p50Ns: number | null;
  p90Ns: number | null;
  p99Ns: number | null;
  maxNs: number | null;
}

/** The e2e density test's latencies (test/e2e/density.go runLatencyTest), in simulated ns. */
export interface DensityTestPhaseSummary {
  /** creationTimestamp -> Scheduled Event. */
  schedule: LatencySummary;
  /** Scheduled Event -> containers' startedAt. */
  runAfterSchedule: LatencySummary;
  /** startedAt -> the test's informer sees Running. */
  watch: LatencySummary;
  /** creationTimestamp -> the test's informer sees Running. */
  e2e: LatencySummary;
}

/** `densityTest:` the pods the test measured, exactly and as it read them through the API. */
export interface DensityTestSummary {
  /** The Deployment whose pods were measured (null: every pod). */
  pods: string | null;
  apiTimestamps: ApiTimestamps;
  /** From the same instants at full precision. */
  exact: DensityTestPhaseSummary;
  /** As the test reported them: API timestamps at their precision (a latency can be negative). */
  asMeasured: DensityTestPhaseSummary;
}

/** One place time was spent waiting, summed over every request or pod that waited there. */
export interface WaitSummary {
  component: string;
  totalNs: number;
  /** Mean over the requests or pods that went through the component (for a CPU queue, over its bursts). */
  meanNs: number;
}

/** The cores of one API server replica over the run. */
export interface CpuSummary {
  name: string;
  cores: number;
  /** CPU bursts run (request stages, watch encodes and sends, relists). */
  bursts: number;
  /** CPU time used, and time bursts waited for a core. */
  busyNs: number;
  waitNs: number;
  /** Share of the cores' time busy over the simulated run. */
  utilization: number;
}

/**
 * The simulated results of a run: deterministic for a scenario and seed (no wall-clock figure
 * is in here; those are in {@link RunStats}). This is what summary.json holds under `results`.
 */
export interface SimulatedSummary {
  scenario: string;
  seed: number;
  stopReason: string;
  simulatedNs: number;
  pods: { expected: number; created: number; scheduled: number; running: number; unschedulable: number };
  /** From the first workload step to the last pod Running; null if not all got there. */
  timeToAllRunningNs: number | null;
  /**
   * Pod startup latency, creation to Running as observed through the API, with and without
   * the time spent on image pulls (the upstream SLO excludes pulls: p99 <= 5 s).
   */
  podStartup: LatencySummary;
  podStartupExcludingPulls: LatencySummary & { sloP99Ns: number; sloMet: boolean };
  /** Pods created, Running at the end, and startup, per owner kind (pods.arrow owner_kind). */
  byOwnerKind: Record<string, { created: number; running: number; podStartup: LatencySummary }>;
  /** Each Job of the workload, in creation order (absent when it has none). */
  jobs?: JobSummary[];
  /** Each ResourceQuota: its limits, its highest usage, and the pod creates it refused (absent without quotas). */
  resourceQuotas?: ResourceQuotaSummary[];
  /** Each CronJob of the workload, in creation order (absent when it has none). */
  cronJobs?: CronJobSummary[];
  /** The Deployments whose rollout exceeded progressDeadlineSeconds (absent when none did). */
  progressDeadlineExceeded?: ProgressDeadlineSummary[];
  /**
   * Pods held by spec.schedulingGates (absent when no template has gates): how many the
   * scheduler's PreEnqueue kept aside, how many still are, and the wait from creation to the
   * removal of the last gate.
   */
  schedulingGates?: { gatedPods: number; stillGated: number; gatedWait: LatencySummary };
  /**
   * Pod startup in the phases of upstream's e2e density test (test/e2e/density.go "schedule",
   * "run after schedule", "watch" latencies): created -> scheduled, scheduled -> containers
   * started, containers started -> Running status committed.
   */
  podStartupPhases: { schedule: LatencySummary; runAfterSchedule: LatencySummary; watch: LatencySummary };
  /** Pod startup as upstream's e2e density test measured it (`densityTest:`; absent without). */
  densityTest?: DensityTestSummary;
  /**
   * Throughput as upstream's scheduler_perf counts it, pods bound (the Binding committed) per
   * second, from the first scheduling attempt to the last binding; scheduling cycles (every
   * attempt, retries of unschedulable pods included) per second over the cycles' own span.
   */
  scheduler: {
    cycles: number;
    cyclesPerSecond: number;
    nodesExamined: number;
    bindings: number;
    bindingsPerSecond: number;
  };
  /** What preemption did (absent when the scheduler never preempted). */
  preemption?: PreemptionSummary;
  /** API latency per verb and resource, client submit to response (limiter wait included). */
  api: Record<string, LatencySummary>;
  /** Requests answered 429 by API Priority and Fairness (each retry counts again), and 500 by a failing webhook. */
  apiRejections: { tooManyRequests: number; webhookFailures: number };
  /** Commit-to-receipt latency of watch events, over every delivery to every watcher. */
  watchDelivery: LatencySummary & { terminations: number; relists: number };
  /** Where time went: the largest waits first. */
  waits: WaitSummary[];
  /** Each API server replica's cores: bursts, busy time, waits, utilization. */
  apiServerCpu: CpuSummary[];
  /** Mean time pods spent between consecutive lifecycle stages. */
  stages: Record<string, LatencySummary>;
  /** Kubelets, registry, image pulls, sandboxes, evictions and time to recovery. */
  node: NodeSideSummary;
  /**
   * Writes answered 2xx per resource (pods, pods/status, leases, nodes/status, events, ...),
   * counting each request an aggregate row stands for.
   */
  writeMix: Record<string, number>;
  /** The background streams (controlPlane.background) and what the node lifecycle controller made of them. */
  background: BackgroundSummary;
  /** The Cluster Autoscaler's decisions, node-hours and cost (absent without autoscaled pools). */
  autoscaler?: AutoscalerSummary;
}

/**
 * Preemption: cycles that nominated a node; victims deleted (and of them the ones a
 * PodDisruptionBudget did not allow); attempts that were not eligible (preemptionPolicy Never, or
 * victims on the nominated node still terminating); the preemptors (pods given a
 * nominatedNodeName), how many are bound to their nominated node, and their startup (created to
 * Running, over those that ran).
 */
export interface PreemptionSummary {
  preemptions: number;
  victims: number;
  pdbViolatingVictims: number;
  notEligible: number;
  preemptors: number;
  boundToNominatedNode: number;
  preemptorStartup: LatencySummary;
}

/** What the background streams did. */
export interface BackgroundSummary {
  mode: "aggregate" | "perRequest";
  /** Node Lease renewals answered 200 (null: stream off), failed, and their latency (submit to answer). */
  nodeLeaseRenewals: number | null;
  nodeLeaseFailures: number;
  leaseRenewalLatency: LatencySummary;
  /** Node status: GETs answered and status PATCHes sent (null: stream off). */
  nodeStatusGets: number | null;
  nodeStatusPatches: number | null;
  /** Leader-election Lease renewals of kube-controller-manager and kube-scheduler (null: stream off). */
  leaderElectionRenewals: number | null;
  /** Pod lifecycle Events: recorded, dropped by the spam filter, written. */
  events: { recorded: number; spamFiltered: number; written: number };
  /** Nodes the node lifecycle controller marked NotReady (Ready Unknown), and back Ready. */
  notReadyTransitions: number;
  readyTransitions: number;
}

/** Wall-clock figures of a run (not deterministic: excluded from golden comparisons). */
export interface RunStats {
  wallMs: number;
  events: number;
  eventsPerSec: number;
  peakRssBytes: number;
}

/** model: sig-scalability SLO: pod startup p99 <= 5 s excluding image pulls. */
export const POD_STARTUP_SLO_P99_NS = 5 * NS_PER.s;

const STAGE_STEPS: readonly (readonly [string, number, number])[] = [
  ["created -> queued (watch)", PodStage.created, PodStage.queued],
  ["queued -> scheduled (scheduler)", PodStage.queued, PodStage.scheduled],
  ["scheduled -> bound (binding API)", PodStage.scheduled, PodStage.bound],
  ["bound -> kubelet seen (watch)", PodStage.bound, PodStage.kubeletSeen],
  ["kubelet seen -> sandbox ready (volumes + sandbox + CNI)", PodStage.kubeletSeen, PodStage.sandboxReady],
  ["sandbox ready -> images pulled", PodStage.sandboxReady, PodStage.imagesPulled],
  ["images pulled -> containers started", PodStage.imagesPulled, PodStage.containersStarted],
  ["containers started -> running (PLEG + status API)", PodStage.containersStarted, PodStage.running],
];

/** Latency between two lifecycle stages over the pods that passed both (NaN elsewhere is skipped by `latency`). */
function stageLatency(T: Float64Array, n: number, from: number, to: number): LatencySummary {
  const d = new Float64Array(n);
  for (let p = 0; p < n; p++) d[p] = T[p * POD_STAGE_COUNT + to]! - T[p * POD_STAGE_COUNT + from]!;
  return latency(d);
}

/** Computes the deterministic summary of a finished simulation. */
export function summarize(sim: Simulation, result: RunResult): SimulatedSummary {
  const pods = sim.pods;
  // The DaemonSets' pods are as many as they keep at the end (one per node that should run each, mostly).
  const expected = sim.expectedPods + (sim.daemonSetController?.wantedPods ?? 0);
  const n = pods.size;
  const T = pods.times;
  let scheduled = 0;
  const startup = new Float64Array(n);
  const startupNoPulls = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const b = p * POD_STAGE_COUNT;
    if (!Number.isNaN(T[b + PodStage.scheduled])) scheduled++;
    const run = T[b + PodStage.running]!;
    const created = T[b + PodStage.created]!;
    startup[p] = run - created;
    // model: the SLO excludes image pulls (the worker's pull waits, sandbox image included) and
    // init containers (their create, run and exit).
    startupNoPulls[p] = run - created - pods.pullWaitNs[p]! - pods.initNs[p]!;
  }
  const firstStep = sim.scenario.workload[0]?.atNs ?? 0;
  const stuck = progressDeadlineSummaries(sim);
  const noPulls = latency(startupNoPulls);
  const stages: Record<string, LatencySummary> = {};
  for (const [name, from, to] of STAGE_STEPS) stages[name] = stageLatency(T, n, from, to);
  let firstAttempt = Infinity;
  let lastBound = -Infinity;
  let bindings = 0;
  for (let p = 0; p < n; p++) {
    const a = T[p * POD_STAGE_COUNT + PodStage.firstAttempt]!;
    const b = T[p * POD_STAGE_COUNT + PodStage.bound]!;
    if (a < firstAttempt) firstAttempt = a;
    if (!Number.isNaN(b)) {
      bindings++;
      if (b > lastBound) lastBound = b;
    }
  }
  const bindSpan = (lastBound - firstAttempt) / NS_PER.s;
  const cycleLog = sim.scheduler.log;
  const cycleSpan = cycleLog.size > 1 ? (cycleLog.timeNs[cycleLog.size - 1]! - cycleLog.timeNs[0]!) / NS_PER.s : 0;
  return {
    scenario: sim.scenario.name,
    seed: sim.scenario.seed,
    stopReason: result.reason,
    simulatedNs: result.endNs,
    pods: {
      expected,
      created: countCreated(sim),
      scheduled,
      // Running at the end of the run (pods that ran and were replaced, evicted or ended are not counted).
      running: sim.store.runningPods,
      unschedulable: sim.scheduler.pendingUnschedulable,
    },
    timeToAllRunningNs: !Number.isNaN(sim.allRunning.atNs) ? sim.allRunning.atNs - firstStep : null,
    podStartup: latency(startup),
    byOwnerKind: byOwnerKind(sim, startup),
    ...(sim.store.jobs.length > 0 ? { jobs: jobSummaries(sim) } : {}),
    ...(sim.gates === undefined ? {} : { schedulingGates: gatesSummary(sim, sim.gates.gates) }),
    ...(sim.quotas === undefined ? {} : { resourceQuotas: quotaSummaries(sim.quotas) }),
    ...(sim.store.cronJobs.length > 0 ? { cronJobs: cronJobSummaries(sim) } : {}),
    ...(stuck.length > 0 ? { progressDeadlineExceeded: stuck } : {}),
    ...(sim.densityTest === undefined ? {} : { densityTest: densityTestSummary(sim, sim.densityTest) }),
    podStartupPhases: {
      schedule: stageLatency(T, n, PodStage.created, PodStage.scheduled),
      runAfterSchedule: stageLatency(T, n, PodStage.scheduled, PodStage.containersStarted),
      watch: stageLatency(T, n, PodStage.containersStarted, PodStage.running),
    },
    podStartupExcludingPulls: {
      ...noPulls,
      sloP99Ns: POD_STARTUP_SLO_P99_NS,
      sloMet: noPulls.p99Ns !== null && noPulls.p99Ns <= POD_STARTUP_SLO_P99_NS,
    },
    scheduler: {
      cycles: sim.scheduler.cycles,
      cyclesPerSecond: cycleSpan > 0 ? round3(sim.scheduler.cycles / cycleSpan) : 0,
      nodesExamined: sim.scheduler.nodesExamined,
      bindings,
      bindingsPerSecond: bindSpan > 0 ? round3(bindings / bindSpan) : 0,
    },
    ...(sim.scheduler.preemptions > 0 ? { preemption: preemptionSummary(sim) } : {}),
    api: apiLatency(sim),
    apiRejections: rejections(sim),
    watchDelivery: {
      ...latency(sim.watch.deliveries.values()),
      terminations: sim.watch.terminations,
      relists: sim.watch.relists,
    },
    waits: waits(sim),
    apiServerCpu: sim.api.cpus.map((c) => ({
      name: c.name,
      cores: c.cores,
      bursts: c.bursts,
      busyNs: c.busyNs,
      waitNs: c.waitNs,
      utilization: round3(c.utilization(result.endNs)),
    })),
    stages,
    node: nodeSideSummary(sim, sim.pods, expected, result.endNs),
    writeMix: writeMix(sim),
    background: backgroundSummary(sim),
    ...(sim.clusterAutoscaler === undefined
      ? {}
      : { autoscaler: autoscalerSummary(sim.clusterAutoscaler, sim.scenario, result.endNs) }),
  };
}

function densityTestSummary(sim: Simulation, rec: DensityTestRecorder): DensityTestSummary {
  const pods = sim.pods;
  const { deployment, apiTimestamps } = rec.spec;
  const measured: DensityTestInstants[] = [];
  for (let p = 0; p < pods.size; p++) {
    if (deployment !== null && deploymentOf(sim, p) !== deployment) continue;
    measured.push(rec.instants(p));
  }
  const startMs = sim.scenario.startTimeMs ?? DEFAULT_START_TIME_MS;
  const phases = (precision: ApiTimestamps | null): DensityTestPhaseSummary => {
    const ph = densityTestPhases(measured, precision, startMs);
    return {
      schedule: latency(ph.schedule),
      runAfterSchedule: latency(ph.runAfterSchedule),
      watch: latency(ph.watch),
      e2e: latency(ph.e2e),
    };
  };
  return { pods: deployment, apiTimestamps, exact: phases(null), asMeasured: phases(apiTimestamps) };
}

/** The name of the Deployment (or other workload object) pod `p` belongs to. */
function deploymentOf(sim: Simulation, p: number): string {
  return sim.store.deployments[sim.store.replicaSets[sim.pods.owner[p]!]!.deployment]!.spec.name;
}

function preemptionSummary(sim: Simulation): PreemptionSummary {
  const pods = sim.pods;
  const sch = sim.scheduler;
  let preemptors = 0;
  let kept = 0;
  const startup: number[] = [];
  for (let p = 0; p < pods.size; p++) {
    const nom = pods.nominatedNode[p]!;
    if (nom < 0) continue;
    preemptors++;
    if (pods.node[p] === nom) kept++;
    const run = pods.time(p, PodStage.running);
    if (!Number.isNaN(run)) startup.push(run - pods.time(p, PodStage.created));
  }
  return {
    preemptions: sch.preemptions,
    victims: sch.victimsDeleted,
    pdbViolatingVictims: sch.pdbViolatingVictims,
    notEligible: sch.preemptionsNotEligible,
    preemptors,
    boundToNominatedNode: kept,
    preemptorStartup: latency(Float64Array.from(startup)),
  };
}

function gatesSummary(sim: Simulation, gates: PodGates): NonNullable<SimulatedSummary["schedulingGates"]> {
  const pods = sim.pods;
  const waits: number[] = [];
  for (let p = 0; p < pods.size; p++) {
    const at = gates.ungatedNs(p);
    if (!Number.isNaN(at)) waits.push(at - pods.time(p, PodStage.created));
  }
  const plugin = sim.gates!.plugin;
  return { gatedPods: plugin.gatedPods, stillGated: plugin.waiting, gatedWait: latency(Float64Array.from(waits)) };
}

function writeMix(sim: Simulation): Record<string, number> {
  const r = sim.api.requests;
  const counts = new Float64Array(RESOURCE_NAMES.length);
  for (let i = 0; i < r.size; i++) {
    const v = r.verb[i]!;
    const st = r.status[i]!;
    if (v === Verb.get || v === Verb.list || st < 200 || st >= 300) continue;
    counts[r.resource[i]!]! += r.count[i]!;
  }
  const out: Record<string, number> = {};
  for (let k = 0; k < RESOURCE_NAMES.length; k++) if (counts[k]! > 0) out[RESOURCE_NAMES[k]!] = counts[k]!;
  return out;
}

function backgroundSummary(sim: Simulation): BackgroundSummary {
  const b = sim.background;
  const l = b.nodeLeases;
  const ev = b.events;
  return {
    mode: b.spec.mode,
    nodeLeaseRenewals: l === undefined ? null : l.renewals,
    nodeLeaseFailures: l === undefined ? 0 : l.failures,
    leaseRenewalLatency:
      l === undefined
        ? latency(new Float64Array(0))
        : weightedLatency(l.latencies.view("latencyNs"), l.latencies.view("renewals")),
    nodeStatusGets: b.nodeStatus === undefined ? null : b.nodeStatus.gets,
    nodeStatusPatches: b.nodeStatus === undefined ? null : b.nodeStatus.patches,
    leaderElectionRenewals: b.leaderElection === undefined ? null : b.leaderElection.renewals,
    events: { recorded: ev.recorded, spamFiltered: ev.spamFiltered, written: ev.written },
    notReadyTransitions: sim.nodeLifecycle.notReadyTransitions,
    readyTransitions: sim.nodeLifecycle.readyTransitions,
  };
}

/** A Job's outcome: its condition, pods, and when it started and finished (simulated ns; null: not reached). */
export interface JobSummary {
  name: string;
  namespace: string;
  completions: number;
  parallelism: number;
  completionMode: "NonIndexed" | "Indexed";
  /** "Complete", "Failed", or "" while it runs. */
  condition: string;
  /** Why it failed: BackoffLimitExceeded or DeadlineExceeded ("" otherwise). */
  reason: string;
  succeeded: number;
  failed: number;
  startNs: number | null;
  finishedNs: number | null;
  /** status.startTime to the terminal condition: the Job's completion time. */
  durationNs: number | null;
}

/** One ResourceQuota at the end of a run; quantities in base units (cores, bytes, counts). */
export interface ResourceQuotaSummary {
  name: string;
  namespace: string;
  hard: Record<string, number>;
  peakUsed: Record<string, number>;
  /** Pod creates refused with 403 (each retry of the controller counts again), and the first refusal's message. */
  rejections: number;
  firstRejection: string | null;
}

function quotaSummaries(quotas: ResourceQuotas): ResourceQuotaSummary[] {
  return quotas.quotas.map((q) => {
    const record = (values: Float64Array) =>
      Object.fromEntries(q.keys.map((k, i) => [k, k.endsWith("cpu") ? values[i]! / 1000 : values[i]!]));
    return {
      name: q.spec.name,
      namespace: q.spec.namespace,
      hard: record(q.hard),
      peakUsed: record(q.peak),
      rejections: q.rejections,
      firstRejection: q.firstRejection === "" ? null : q.firstRejection,
    };
  });
}

function jobSummaries(sim: Simulation): JobSummary[] {
  const orNull = (x: number) => (Number.isNaN(x) ? null : x);
  return sim.store.jobs.map((j) => ({
    name: j.name,
    namespace: j.namespace,
    completions: j.spec.completions,
    parallelism: j.spec.parallelism,
    completionMode: j.spec.indexed ? "Indexed" : "NonIndexed",
    condition: JOB_CONDITION_NAMES[j.condition],
    reason: j.reason,
    succeeded: j.succeeded,
    failed: j.failed,
    startNs: orNull(j.startNs),
    finishedNs: orNull(j.finishedNs),
    durationNs: orNull(j.finishedNs - j.startNs),
  }));
}

/** Per owner kind, in the order kinds first occur among pods: created, Running now, startup latency. */
function byOwnerKind(
  sim: Simulation,
  startup: Float64Array,
): Record<string, { created: number; running: number; podStartup: LatencySummary }> {
  const pods = sim.pods;
  const rs = sim.store.replicaSets;
  const deps = sim.store.deployments;
  const members = new Map<string, number[]>();
  for (let p = 0; p < pods.size; p++) {
    const kind = deps[rs[pods.owner[p]!]!.deployment]!.ownerKind ?? OWNER_KIND_DEPLOYMENT;
    const m = members.get(kind);
    if (m === undefined) members.set(kind, [p]);
    else m.push(p);
  }
  const out: Record<string, { created: number; running: number; podStartup: LatencySummary }> = {};
  for (const [kind, list] of members) {
    const d = new Float64Array(list.length);
    let running = 0;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      d[i] = startup[p]!;
      if (pods.phase[p] === PodPhase.Running && !pods.isTerminating(p)) running++;
    }
    out[kind] = { created: list.length, running, podStartup: latency(d) };
  }
  return out;
}

function rejections(sim: Simulation): { tooManyRequests: number; webhookFailures: number } {
  const r = sim.api.requests;
  let tooMany = 0;
  let webhook = 0;
  for (let i = 0; i < r.size; i++) {
    if (r.status[i] === Status.tooManyRequests) tooMany += r.count[i]!;
    else if (r.status[i] === Status.internalError) webhook += r.count[i]!;
  }
  return { tooManyRequests: tooMany, webhookFailures: webhook };
}

function countCreated(sim: Simulation): number {
  let c = 0;
  for (let p = 0; p < sim.pods.size; p++) if (!Number.isNaN(sim.pods.time(p, PodStage.created))) c++;
  return c;
}

function apiLatency(sim: Simulation): Record<string, LatencySummary> {
  const r = sim.api.requests;
  const R = RESOURCE_NAMES.length;
  // perf: one latency and one weight per row, in columns per verb and resource sized by a first
  // pass (no key string per request, no copy per request an aggregate row stands for).
  const rows = new Int32Array(VERB_NAMES.length * R);
  for (let i = 0; i < r.size; i++)
    if (!Number.isNaN(r.doneNs[i]! - r.submitNs[i]!)) rows[r.verb[i]! * R + r.resource[i]!]!++;
  const latencies = Array.from(rows, (n) => new Float64Array(n));
  const weights = Array.from(rows, (n) => new Int32Array(n));
  const filled = new Int32Array(rows.length);
  for (let i = 0; i < r.size; i++) {
    const d = r.doneNs[i]! - r.submitNs[i]!;
    if (Number.isNaN(d)) continue;
    const slot = r.verb[i]! * R + r.resource[i]!;
    const j = filled[slot]!++;
    latencies[slot]![j] = d;
    // An aggregate row stands for `count` requests that shared its latency.
    weights[slot]![j] = r.count[i]!;
  }
  const byKey = new Map<string, number>();
  for (let slot = 0; slot < rows.length; slot++) {
    if (rows[slot] === 0) continue;
    const verb = Math.floor(slot / R);
    byKey.set(`${VERB_NAMES[verb]} ${RESOURCE_NAMES[slot - verb * R]}`, slot);
  }
  const out: Record<string, LatencySummary> = {};
  for (const key of [...byKey.keys()].sort()) {
    const slot = byKey.get(key)!;
    out[key] = weightedLatency(latencies[slot]!, weights[slot]!);
  }
  return out;
}

/** Client kind of a client name, so 2,000 kubelets add up to one line. */
function clientGroup(name: string): string {
  return name.startsWith("system:node:") ? "kubelets" : name;
}

/**
 * "client rate limiter: WHO (SETTING.qps = Q, burst B)": the wait names the scenario key that
 * would change it, when one sets the client's limits.
 */
function limiterLabel(clients: Simulation["clients"], c: number): string {
  const setting = clients.settings[c];
  const l = clients.limiters[c]!;
  const limit = setting === undefined ? "" : ` (${setting}.qps = ${l.qps}, burst ${l.burst})`;
  return `client rate limiter: ${clientGroup(clients.names[c]!)}${limit}`;
}

function waits(sim: Simulation): WaitSummary[] {
  const r = sim.api.requests;
  const acc = new Map<string, [number, number]>();
  const add = (component: string, ns: number, n = 1) => {
    if (Number.isNaN(ns)) return;
    let a = acc.get(component);
    if (a === undefined) {
      a = [0, 0];
      acc.set(component, a);
    }
    a[0] += ns * n;
    a[1] += n;
  };
  // perf: each client's label once, not one string per request.
  const labels = sim.clients.names.map((_, c) => limiterLabel(sim.clients, c));
  for (let i = 0; i < r.size; i++) {
    const n = r.count[i]!;
    add(labels[r.client[i]!]!, r.limiterWaitNs[i]!, n);
    add("API Priority and Fairness queues", r.seatWaitNs[i]!, n);
    add("etcd commit", r.storageNs[i]!, n);
  }
  // Each replica's CPU queue: its bursts' waits for a core (a request makes two or more bursts).
  for (const cpu of sim.api.cpus) acc.set(`CPU queue: ${cpu.name} (mean per burst)`, [cpu.waitNs, cpu.bursts]);
  const T = sim.pods.times;
  for (let p = 0; p < sim.pods.size; p++) {
    const b = p * POD_STAGE_COUNT;
    add("scheduler queue + cycles", T[b + PodStage.scheduled]! - T[b + PodStage.queued]!);
    add("volumes + sandbox + CNI", T[b + PodStage.sandboxReady]! - T[b + PodStage.kubeletSeen]!);
    if (!Number.isNaN(T[b + PodStage.imagesPulled])) add("image pulls", sim.pods.pullWaitNs[p]!);
    add("container start", T[b + PodStage.containersStarted]! - T[b + PodStage.imagesPulled]!);
    add("PLEG relist + status update", T[b + PodStage.running]! - T[b + PodStage.containersStarted]!);
  }
  const list: WaitSummary[] = [];
  for (const [component, [total, count]] of acc)
    list.push({ component, totalNs: total, meanNs: count > 0 ? Math.round(total / count) : 0 });
  return list.sort((a, b) => b.totalNs - a.totalNs || (a.component < b.component ? -1 : 1));
}

function latency(values: ArrayLike<number>): LatencySummary {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
  return latencySummary(count, quantiles(values, [0.5, 0.9, 0.99, 1]));
}

/** {@link latency} of the samples where `values[i]` occurs `weights[i]` times. */
function weightedLatency(values: Float64Array, weights: Int32Array): LatencySummary {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && weights[i]! > 0) count += weights[i]!;
  return latencySummary(count, weightedQuantiles(values, weights, [0.5, 0.9, 0.99, 1]));
}

function latencySummary(count: number, [p50, p90, p99, max]: number[]): LatencySummary {
  const f = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : x);
  return { count, p50Ns: f(p50), p90Ns: f(p90), p99Ns: f(p99), maxNs: f(max) };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
