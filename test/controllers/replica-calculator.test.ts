import { describe, expect, test } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import {
  groupPod,
  PodGroup,
  type PodView,
  ReplicaCalculator,
  type ReplicaCalcConfig,
} from "../../src/controllers/replica-calculator.js";

// The vectors of upstream's pkg/controller/podautoscaler/replica_calculator_test.go, written
// as our own table. Its fixture: two containers per pod, each requesting the case's request and
// reporting the case's level (so a pod requests and uses twice the figures written upstream);
// the metric's timestamp and the Ready condition's lastTransitionTime are the zero time, the
// window is one minute; pods start at the zero time unless "now" or "3m ago"; the calculator
// runs with tolerance 0.1, cpu initialization period 2 min and initial readiness delay 10 s.
const CONFIG: ReplicaCalcConfig = {
  tolerance: 0.1,
  cpuInitializationPeriodNs: 2 * NS_PER.m,
  delayOfInitialReadinessStatusNs: 10 * NS_PER.s,
};
const NOW = 10 * 60 * NS_PER.m;

interface FixturePod {
  /** Per-container request in milli-CPU (the pod requests twice this). */
  req: number;
  /** Per-container usage in milli-CPU; undefined: the metrics API returned none for the pod. */
  level?: number;
  ready?: boolean;
  start?: "zero" | "now" | "3m ago";
  phase?: "Running" | "Pending" | "Failed";
  deleted?: boolean;
}

function pods(req: number, levels: readonly (number | undefined)[], n = levels.length): FixturePod[] {
  return Array.from({ length: n }, (_, i) => ({ req, level: levels[i] }));
}

function withField<K extends keyof FixturePod>(
  ps: FixturePod[],
  key: K,
  values: readonly FixturePod[K][],
): FixturePod[] {
  return ps.map((p, i) => ({ ...p, [key]: values[i] }));
}

const T = true;
const F = false;

/** Fills a calculator from the fixture the way the controller does: groupPod, then add. */
function calculator(ps: readonly FixturePod[], config = CONFIG): ReplicaCalculator {
  const calc = new ReplicaCalculator(config);
  const v: PodView = {
    terminating: false,
    pending: false,
    ready: 1,
    readyTransitionNs: 0,
    startNs: 0,
    metricNs: 0,
    metricWindowNs: NS_PER.m,
  };
  for (const p of ps) {
    v.terminating = p.deleted === true || p.phase === "Failed";
    v.pending = p.phase === "Pending";
    v.ready = p.ready === false ? 0 : 1;
    v.startNs = p.start === "now" ? NOW : p.start === "3m ago" ? NOW - 3 * NS_PER.m : 0;
    v.metricNs = p.level === undefined ? Number.NaN : 0;
    calc.add(groupPod(v, NOW, config), 2 * p.req, 2 * (p.level ?? 0));
  }
  return calc;
}

interface ResourceCase {
  name: string;
  current: number;
  pods: FixturePod[];
  target: number;
  replicas: number;
  utilization?: number;
  /** The average usage per pod, in milli-CPU (upstream's rawUtilization). */
  raw?: number;
}

const RESOURCE_CASES: ResourceCase[] = [
  // TestReplicaCalcResourceScale
  {
    name: "scale up",
    current: 3,
    pods: pods(1000, [300, 500, 700]),
    target: 30,
    replicas: 5,
    utilization: 50,
    raw: 1000,
  },
  {
    name: "scale up: unready pod scales less",
    current: 3,
    pods: withField(pods(1000, [300, 500, 700]), "ready", [F, T, T]),
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: 1200,
  },
  {
    name: "scale up: hot-CPU pod scales less",
    current: 3,
    pods: withField(pods(1000, [300, 500, 700]), "start", ["now", "3m ago", "3m ago"]),
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: 1200,
  },
  {
    name: "no scale: unready pods ignored",
    current: 3,
    pods: withField(pods(1000, [400, 500, 700]), "ready", [T, F, F]),
    target: 30,
    replicas: 3,
    utilization: 40,
  },
  {
    name: "no scale: hot-CPU pods ignored",
    current: 3,
    pods: withField(withField(pods(1000, [400, 500, 700]), "ready", [T, F, F]), "start", ["3m ago", "now", "now"]),
    target: 30,
    replicas: 3,
    utilization: 40,
  },
  {
    name: "scale up: failed pods ignored",
    current: 2,
    pods: withField(withField(pods(1000, [500, 700], 4), "ready", [T, T, F, F]), "phase", [
      "Running",
      "Running",
      "Failed",
      "Failed",
    ]),
    target: 30,
    replicas: 4,
    utilization: 60,
  },
  {
    name: "scale up: pods being deleted are ignored",
    current: 2,
    pods: withField(withField(pods(1000, [500, 700], 4), "ready", [T, T, F, F]), "deleted", [F, F, T, T]),
    target: 30,
    replicas: 4,
    utilization: 60,
  },
  {
    name: "scale down",
    current: 5,
    pods: pods(1000, [100, 300, 500, 250, 250]),
    target: 50,
    replicas: 3,
    utilization: 28,
    raw: 560,
  },
  {
    name: "scale down: exclude unready pods",
    current: 5,
    pods: withField(pods(1000, [100, 300, 500, 250, 250]), "ready", [T, T, T, F, F]),
    target: 50,
    replicas: 2,
    utilization: 30,
  },
  {
    name: "scale down: exclude unscheduled pods",
    current: 5,
    pods: withField(withField(pods(1000, [100], 5), "ready", [T, F, F, F, F]), "phase", [
      "Running",
      "Pending",
      "Pending",
      "Pending",
      "Pending",
    ]),
    target: 50,
    replicas: 1,
    utilization: 10,
  },
  {
    name: "scale down: ignore hot-CPU pods",
    current: 5,
    pods: withField(pods(1000, [100, 300, 500, 250, 250]), "start", ["3m ago", "3m ago", "3m ago", "now", "now"]),
    target: 50,
    replicas: 2,
    utilization: 30,
  },
  {
    name: "scale down: failed pods ignored",
    current: 5,
    pods: withField(withField(pods(1000, [100, 300, 500, 250, 250], 7), "ready", [T, T, T, T, T, F, F]), "phase", [
      "Running",
      "Running",
      "Running",
      "Running",
      "Running",
      "Failed",
      "Failed",
    ]),
    target: 50,
    replicas: 3,
    utilization: 28,
  },
  {
    name: "scale down: pods being deleted are ignored",
    current: 5,
    pods: withField(withField(pods(1000, [100, 300, 500, 250, 250], 7), "ready", [T, T, T, T, T, F, F]), "deleted", [
      F,
      F,
      F,
      F,
      F,
      T,
      T,
    ]),
    target: 50,
    replicas: 3,
    utilization: 28,
  },
  // TestReplicaCalcResourceTolerance
  {
    name: "within default tolerance",
    current: 3,
    pods: [
      { req: 900, level: 1010 },
      { req: 1000, level: 1030 },
      { req: 1100, level: 1020 },
    ],
    target: 100,
    replicas: 3,
    utilization: 102,
  },
  // TestReplicaCalcResourceMissingMetrics
  {
    name: "some pods missing metrics scales down",
    current: 4,
    pods: pods(1000, [400, 95], 4),
    target: 100,
    replicas: 3,
    utilization: 24,
    raw: 495,
  },
  {
    name: "no change: metric equal to target",
    current: 2,
    pods: pods(1000, [1000], 2),
    target: 100,
    replicas: 2,
    utilization: 100,
  },
  {
    name: "no change: metric above target",
    current: 2,
    pods: pods(1000, [1900], 2),
    target: 100,
    replicas: 2,
    utilization: 190,
  },
  {
    name: "no change: metric below target",
    current: 2,
    pods: pods(1000, [600], 2),
    target: 100,
    replicas: 2,
    utilization: 60,
  },
  {
    name: "no change: unready pod metric missing",
    current: 3,
    pods: withField(pods(1000, [100, 450], 3), "ready", [F, T, T]),
    target: 50,
    replicas: 3,
    utilization: 45,
  },
  {
    name: "no change: hot-CPU pod metric missing",
    current: 3,
    pods: withField(pods(1000, [100, 450], 3), "start", ["now", "3m ago", "3m ago"]),
    target: 50,
    replicas: 3,
    utilization: 45,
  },
  {
    name: "scale up: unready pod metric missing",
    current: 3,
    pods: withField(pods(1000, [100, 2000], 3), "ready", [F, T, T]),
    target: 50,
    replicas: 4,
    utilization: 200,
  },
  {
    name: "scale up: hot-CPU pod metric missing",
    current: 3,
    pods: withField(withField(pods(1000, [100, 2000], 3), "ready", [F, T, T]), "start", ["now", "3m ago", "3m ago"]),
    target: 50,
    replicas: 4,
    utilization: 200,
  },
  {
    name: "scale down: unready pod metric missing",
    current: 4,
    pods: withField(pods(1000, [100, 100, 100], 4), "ready", [F, T, T, T]),
    target: 50,
    replicas: 3,
    utilization: 10,
  },
  {
    name: "scale down: target over 100",
    current: 4,
    pods: [
      { req: 1000, level: 200, ready: false },
      { req: 1000, level: 100 },
      { req: 2000, level: 100 },
      { req: 2000 },
    ],
    target: 300,
    replicas: 2,
    utilization: 6,
    raw: 200,
  },
  {
    name: "rolling update with maxSurge: extra pod missing metric",
    current: 2,
    pods: pods(1000, [100, 100], 3),
    target: 50,
    replicas: 2,
    utilization: 10,
  },
  // TestReplicaCalcComputedToleranceAlgImplementation: 10 pods of 150m per container, requests
  // 300m +- jitter: a target just past the tolerance scales to 9, one just inside keeps 10.
  ...[
    { target: 56, replicas: 9 },
    { target: 55, replicas: 10 },
  ].map(({ target, replicas }) => ({
    name: `computed tolerance: target ${target}%`,
    current: 10,
    pods: [400, 200, 310, 290, 302, 298, 301, 299, 300, 300].map((req) => ({ req, level: 150 })),
    target,
    replicas,
    utilization: 50,
    raw: 300,
  })),
];

describe("GetResourceReplicas (upstream replica_calculator_test.go vectors)", () => {
  test.each(RESOURCE_CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const calc = calculator(c.pods);
    expect(calc.resourceReplicas(c.current, c.target)).toBe(c.replicas);
    if (c.utilization !== undefined) expect(calc.utilization).toBe(c.utilization);
    if (c.raw !== undefined) expect(calc.rawAverageMilli).toBe(c.raw);
  });

  test("no pods, and no usable metric, are errors: the HPA does not scale", () => {
    const none = calculator([]);
    expect(none.resourceReplicas(4, 100)).toBe(-1);
    expect(none.error).toBe("no pods returned by selector while calculating replica count");
    const unready = calculator(withField(pods(1000, [500, 500]), "ready", [F, F]));
    expect(unready.resourceReplicas(2, 50)).toBe(-1);
    expect(unready.error).toContain("did not receive metrics for targeted pods");
  });
});

// calcPlainMetricReplicas, through GetMetricReplicas' vectors (TestReplicaCalcPodMetric) with
// every pod ready: levels per pod, no request involved.
const RAW_CASES = [
  { name: "scale up", current: 3, levels: [20000, 10000, 30000], target: 15000, replicas: 4, usage: 20000 },
  {
    name: "scale down",
    current: 5,
    levels: [12000, 12000, 12000, 12000, 12000],
    target: 20000,
    replicas: 3,
    usage: 12000,
  },
  {
    name: "within default tolerance",
    current: 3,
    levels: [20000, 21000, 21000],
    target: 20000,
    replicas: 3,
    usage: 20666,
  },
  {
    name: "no change: missing metrics",
    current: 5,
    levels: [20000, 19000, 21000],
    target: 20000,
    replicas: 5,
    usage: 20000,
  },
  {
    name: "rolling update with maxSurge: extra pod missing metric",
    current: 2,
    levels: [10000, 10000, undefined],
    target: 17000,
    replicas: 2,
    usage: 10000,
  },
];

describe("calcPlainMetricReplicas (upstream GetMetricReplicas vectors, all pods ready)", () => {
  test.each(RAW_CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const calc = new ReplicaCalculator(CONFIG);
    for (let i = 0; i < c.current; i++) {
      const level = i < c.levels.length ? c.levels[i] : undefined;
      calc.add(level === undefined ? PodGroup.missing : PodGroup.ready, 1000, level ?? 0);
    }
    expect(calc.rawResourceReplicas(c.current, c.target)).toBe(c.replicas);
    expect(calc.utilization).toBe(c.usage);
  });
});

describe("groupPods (upstream TestGroupPods)", () => {
  const at = (ago: number) => NOW - ago;
  const view = (o: Partial<PodView>): PodView => ({
    terminating: false,
    pending: false,
    ready: 1,
    readyTransitionNs: 0,
    startNs: 0,
    metricNs: NOW,
    metricWindowNs: NS_PER.m,
    ...o,
  });
  const s = NS_PER.s;
  const m = NS_PER.m;
  test.each([
    ["unready a pod without ready condition", view({ ready: Number.NaN, startNs: NOW }), PodGroup.unready],
    [
      "count in a ready pod with fresh metrics during initialization period",
      view({ startNs: at(m), readyTransitionNs: at(30 * s), metricWindowNs: 30 * s }),
      PodGroup.ready,
    ],
    [
      "unready a ready pod without fresh metrics during initialization period",
      view({ startNs: at(m), readyTransitionNs: at(30 * s), metricWindowNs: 60 * s }),
      PodGroup.unready,
    ],
    [
      "unready an unready pod during initialization period",
      view({ startNs: at(10 * m), ready: 0, readyTransitionNs: at(9 * m + 54 * s) }),
      PodGroup.unready,
    ],
    [
      "count in a ready pod without fresh metrics after initialization period",
      view({ startNs: at(3 * m), readyTransitionNs: at(3 * m), metricNs: at(2 * m) }),
      PodGroup.ready,
    ],
    [
      "count in an unready pod that was ready after initialization period",
      view({ startNs: at(10 * m), ready: 0, readyTransitionNs: at(9 * m) }),
      PodGroup.ready,
    ],
    [
      "unready pod that has never been ready after initialization period (transition at start + delay)",
      view({ startNs: at(10 * m), ready: 0, readyTransitionNs: at(9 * m + 50 * s) }),
      PodGroup.ready,
    ],
    ["a missing pod", view({ startNs: at(3 * m), metricNs: Number.NaN }), PodGroup.missing],
    ["pending pods are unreadied", view({ pending: true, ready: Number.NaN }), PodGroup.unready],
    ["ignore pods with deletion timestamps, and failed pods", view({ terminating: true }), PodGroup.ignored],
  ] as const)("%s", (_, v, group) => {
    expect(groupPod(v, NOW, CONFIG)).toBe(group);
  });
});
