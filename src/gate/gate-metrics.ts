import type { LatencySummary, SimulatedSummary } from "../metrics/summary.js";

/** A figure of a run's summary that a gate compares, and which way is worse. */
export interface GateMetric {
  /** The name used in `--tolerance` and `--fail-if` (camelCase, no spaces). */
  name: string;
  /** What it is, for tables and the README. */
  label: string;
  unit: "ns" | "count" | "rate";
  /** Which way is a regression: "higher" (latencies, counts of failures) or "lower" (throughput). */
  worse: "higher" | "lower";
  /** Its definition in summary.json's `results` terms, for the README. */
  definition: string;
  /** The value, or null when the run has none (no samples; not all pods Running). */
  get: (s: SimulatedSummary) => number | null;
}

const api = (key: string) => (s: SimulatedSummary) => s.api[key]?.p99Ns ?? null;

/**
 * The metrics of `simctl gate` and `simctl compare --fail-if`, defined once. Each reads
 * summary.json's `results` (see {@link SimulatedSummary}).
 */
export const GATE_METRICS: readonly GateMetric[] = [
  {
    name: "timeToAllRunning",
    label: "time to all Running",
    unit: "ns",
    worse: "higher",
    definition: "`timeToAllRunningNs`: first workload step to the last pod Running (none: not all got there)",
    get: (s) => s.timeToAllRunningNs,
  },
  {
    name: "startupP50",
    label: "pod startup p50",
    unit: "ns",
    worse: "higher",
    definition: "`podStartup.p50Ns`: pod creation to Running",
    get: (s) => s.podStartup.p50Ns,
  },
  {
    name: "startupP90",
    label: "pod startup p90",
    unit: "ns",
    worse: "higher",
    definition: "`podStartup.p90Ns`",
    get: (s) => s.podStartup.p90Ns,
  },
  {
    name: "startupP99",
    label: "pod startup p99",
    unit: "ns",
    worse: "higher",
    definition: "`podStartup.p99Ns`",
    get: (s) => s.podStartup.p99Ns,
  },
  {
    name: "startupP99ExclPulls",
    label: "startup p99 excl. pulls (SLO)",
    unit: "ns",
    worse: "higher",
    definition: "`podStartupExcludingPulls.p99Ns`: the upstream SLO's measure (p99 <= 5 s)",
    get: (s) => s.podStartupExcludingPulls.p99Ns,
  },
  {
    name: "schedulerThroughput",
    label: "scheduler bindings/s",
    unit: "rate",
    worse: "lower",
    definition: "`scheduler.bindingsPerSecond`: pods bound per second of simulated time",
    get: (s) => s.scheduler.bindingsPerSecond,
  },
  {
    name: "apiP99",
    label: "API latency p99 (worst verb)",
    unit: "ns",
    worse: "higher",
    definition: "the largest `api[VERB RESOURCE].p99Ns`: client submit to response, limiter wait included",
    get: (s) => maxP99(Object.values(s.api)),
  },
  {
    name: "apiCreatePodsP99",
    label: "API create pods p99",
    unit: "ns",
    worse: "higher",
    definition: '`api["create pods"].p99Ns`',
    get: api("create pods"),
  },
  {
    name: "apiBindingP99",
    label: "API create pods/binding p99",
    unit: "ns",
    worse: "higher",
    definition: '`api["create pods/binding"].p99Ns`',
    get: api("create pods/binding"),
  },
  {
    name: "apiPodStatusP99",
    label: "API patch pods/status p99",
    unit: "ns",
    worse: "higher",
    definition: '`api["patch pods/status"].p99Ns`',
    get: api("patch pods/status"),
  },
  {
    name: "watchDeliveryP99",
    label: "watch delivery p99",
    unit: "ns",
    worse: "higher",
    definition: "`watchDelivery.p99Ns`: commit to receipt, over every delivery to every watcher",
    get: (s) => s.watchDelivery.p99Ns,
  },
  {
    name: "apiRejections",
    label: "API rejections (429 + webhook 500)",
    unit: "count",
    worse: "higher",
    definition: "`apiRejections.tooManyRequests + apiRejections.webhookFailures`",
    get: (s) => s.apiRejections.tooManyRequests + s.apiRejections.webhookFailures,
  },
  {
    name: "unschedulable",
    label: "unschedulable pods",
    unit: "count",
    worse: "higher",
    definition: "`pods.unschedulable`: pods left in the scheduler's unschedulable queue",
    get: (s) => s.pods.unschedulable,
  },
];

/** The metric called `name`, or undefined. */
export function gateMetric(name: string): GateMetric | undefined {
  return GATE_METRICS.find((m) => m.name === name);
}

function maxP99(xs: readonly LatencySummary[]): number | null {
  let m: number | null = null;
  for (const x of xs) if (x.p99Ns !== null && (m === null || x.p99Ns > m)) m = x.p99Ns;
  return m;
}
