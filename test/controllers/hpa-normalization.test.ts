import { describe, expect, test } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import {
  convertWithBehaviorRate,
  newScaleHistory,
  type ScaleHistory,
  stabilize,
  stabilizeWithBehaviors,
  storeScaleEvent,
} from "../../src/controllers/hpa-normalization.js";
import {
  DEFAULT_SCALE_DOWN,
  DEFAULT_SCALE_UP,
  type HpaScalingPolicy,
  type HpaScalingRules,
  type HpaSpec,
} from "../../src/scenario/inputs/horizontal-pod-autoscalers.js";

// Upstream horizontal_test.go's TestScalingWithRules, TestNormalizeDesiredReplicas and
// TestStoreScaleEvents, as our own tables.
const NOW = 60 * NS_PER.m;

/** generateScalingRules(pods, podsPeriod, percent, percentPeriod, window), then the API defaults for what is left nil. */
function rules(
  defaults: HpaScalingRules,
  pods: number,
  podsPeriod: number,
  percent: number,
  percentPeriod: number,
  window: number,
): HpaScalingRules {
  const policies: HpaScalingPolicy[] = [];
  if (pods !== 0) policies.push({ type: "Pods", value: pods, periodSeconds: podsPeriod });
  if (percent !== 0) policies.push({ type: "Percent", value: percent, periodSeconds: percentPeriod });
  return {
    stabilizationWindowSeconds: window,
    selectPolicy: "Max",
    policies: policies.length > 0 ? policies : defaults.policies,
  };
}
const UP = DEFAULT_SCALE_UP;
const DOWN = DEFAULT_SCALE_DOWN;
const up = (...a: [number, number, number, number, number]) => rules(UP, ...a);
const down = (...a: [number, number, number, number, number]) => rules(DOWN, ...a);

/** generateEventsUniformDistribution: the changes spread over the period, each in the middle of its segment. */
function events(changes: readonly number[], periodSeconds: number): { at: number[]; change: number[] } {
  const seg = periodSeconds / changes.length;
  return {
    at: changes.map((_, i) => NOW - (periodSeconds - seg * (i + 1) + seg / 2) * NS_PER.s),
    change: [...changes],
  };
}

interface RulesCase {
  name: string;
  min: number;
  max: number;
  current: number;
  desired: number;
  up?: HpaScalingRules;
  down?: HpaScalingRules;
  upEvents?: { at: number[]; change: number[] };
  downEvents?: { at: number[]; change: number[] };
  expected: number;
}

const RULES_CASES: RulesCase[] = [
  { name: "prenormalized desired replicas within range", min: 3, max: 8, current: 5, desired: 7, expected: 7 },
  { name: "prenormalized desired replicas < minReplicas", min: 2, max: 8, current: 3, desired: 1, expected: 2 },
  {
    name: "maxReplicas is the limit because maxReplicas < scaleUpLimit",
    min: 1,
    max: 10,
    current: 20,
    desired: 1000,
    expected: 10,
  },
  {
    name: "desired replica count is more than the maximum replica count",
    min: 100,
    max: 150,
    current: 100,
    desired: 1000,
    expected: 150,
  },
  {
    name: "scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies",
    min: 1,
    max: 2000,
    current: 3,
    desired: 1000,
    up: up(0, 0, 1, 60, 0),
    expected: 4,
  },
  { name: "scaleUp with default behavior", min: 1, max: 1000, current: 10, desired: 50, expected: 20 },
  {
    name: "scaleUp with pods policy larger than percent policy",
    min: 1,
    max: 1000,
    current: 10,
    desired: 500,
    up: up(100, 60, 100, 60, 0),
    expected: 110,
  },
  {
    name: "scaleUp with percent policy larger than pods policy",
    min: 1,
    max: 1000,
    current: 10,
    desired: 500,
    up: up(2, 60, 100, 60, 0),
    expected: 20,
  },
  {
    name: "scaleUp with spec MaxReplicas limitation with large pod policy",
    min: 1,
    max: 1000,
    current: 10,
    desired: 50,
    up: up(100, 60, 0, 0, 0),
    expected: 50,
  },
  {
    name: "scaleUp with pod policy limitation",
    min: 1,
    max: 1000,
    current: 10,
    desired: 50,
    up: up(30, 60, 0, 0, 0),
    expected: 40,
  },
  {
    name: "scaleUp with percent policy limitation",
    min: 1,
    max: 1000,
    current: 10,
    desired: 50,
    up: up(0, 0, 200, 60, 0),
    expected: 30,
  },
  {
    name: "scaleDown with percent policy larger than pod policy",
    min: 1,
    max: 1000,
    current: 100,
    desired: 2,
    down: down(20, 60, 1, 60, 300),
    expected: 80,
  },
  {
    name: "scaleDown with pod policy larger than percent policy",
    min: 1,
    max: 1000,
    current: 100,
    desired: 2,
    down: down(2, 60, 1, 60, 300),
    expected: 98,
  },
  {
    name: "scaleDown with spec MinReplicas=nil limitation with large pod policy",
    min: 1,
    max: 1000,
    current: 10,
    desired: 0,
    down: down(100, 60, 0, 0, 300),
    expected: 1,
  },
  {
    name: "scaleDown with spec MinReplicas limitation with large percent policy",
    min: 5,
    max: 1000,
    current: 10,
    desired: 2,
    down: down(0, 0, 100, 60, 300),
    expected: 5,
  },
  {
    name: "scaleDown with pod policy limitation",
    min: 1,
    max: 1000,
    current: 10,
    desired: 2,
    down: down(5, 60, 0, 0, 300),
    expected: 5,
  },
  {
    name: "scaleDown with percent policy limitation",
    min: 1,
    max: 1000,
    current: 10,
    desired: 5,
    down: down(0, 0, 50, 60, 300),
    expected: 5,
  },
  {
    name: "scaleUp with spec MaxReplicas limitation with large pod policy and events",
    min: 1,
    max: 200,
    current: 100,
    desired: 500,
    up: up(300, 60, 0, 0, 0),
    upEvents: events([1, 5, 9], 120),
    expected: 200,
  },
  {
    name: "scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events",
    min: 1,
    max: 1000,
    current: 100,
    desired: 500,
    up: up(5, 120, 0, 0, 0),
    upEvents: events([1, 5, 9], 120),
    expected: 100,
  },
  {
    name: "scaleUp with pod policy and previous scale up events",
    min: 1,
    max: 1000,
    current: 100,
    desired: 500,
    up: up(150, 120, 0, 0, 0),
    upEvents: events([1, 5, 9], 120),
    expected: 235,
  },
  {
    name: "scaleUp with percent policy and previous scale up events",
    min: 1,
    max: 1000,
    current: 100,
    desired: 500,
    up: up(0, 0, 200, 120, 0),
    upEvents: events([1, 5, 9], 120),
    expected: 255,
  },
  {
    name: "scaleUp with percent policy and previous scale up and down events",
    min: 1,
    max: 1000,
    current: 6,
    desired: 24,
    up: up(0, 0, 300, 300, 0),
    upEvents: events([4], 120),
    downEvents: events([2], 120),
    expected: 16,
  },
  {
    name: "scaleDown with default policy and previous events",
    min: 1,
    max: 1000,
    current: 10,
    desired: 5,
    downEvents: events([1, 5, 9], 120),
    expected: 5,
  },
  {
    name: "scaleDown with spec MinReplicas limitation with large pod policy and previous events",
    min: 5,
    max: 1000,
    current: 100,
    desired: 0,
    down: down(130, 120, 0, 0, 300),
    downEvents: events([1, 5, 9], 120),
    expected: 5,
  },
  {
    name: "scaleDown with pod policy limitation and previous events",
    min: 1,
    max: 1000,
    current: 100,
    desired: 2,
    down: down(5, 120, 0, 0, 300),
    downEvents: events([1, 5, 9], 120),
    expected: 100,
  },
  {
    name: "scaleDown with percent policy limitation and previous events",
    min: 1,
    max: 1000,
    current: 100,
    desired: 0,
    down: down(0, 0, 50, 120, 300),
    downEvents: events([2, 4, 6], 120),
    expected: 56,
  },
  {
    name: "scaleDown with percent policy and previous scale up and down events",
    min: 1,
    max: 1000,
    current: 10,
    desired: 1,
    down: down(0, 0, 50, 180, 0),
    upEvents: events([2], 120),
    downEvents: events([4], 120),
    expected: 6,
  },
  {
    name: "scaleDown with previous events preventing further scale down",
    min: 1,
    max: 1000,
    current: 100,
    desired: 0,
    down: down(0, 0, 10, 120, 300),
    downEvents: events([10, 10, 10], 120),
    expected: 100,
  },
  {
    name: "scaleDown with with previous events still allowing more scale down",
    min: 1,
    max: 1000,
    current: 10,
    desired: 5,
    down: down(0, 0, 1000, 120, 300),
    downEvents: events([10, 10, 10], 120),
    expected: 5,
  },
  {
    name: "check 'outdated' flag for events for one behavior for up",
    min: 1,
    max: 1000,
    current: 100,
    desired: 200,
    up: up(1000, 60, 0, 0, 0),
    upEvents: events([8, 12, 9, 11], 120),
    expected: 200,
  },
  {
    name: "check that events were marked 'outdated' for two different policies in the behavior for down",
    min: 1,
    max: 1000,
    current: 100,
    desired: 5,
    down: down(1000, 30, 100, 60, 300),
    downEvents: events([8, 12, 9, 11], 120),
    expected: 5,
  },
];

function history(c: Pick<RulesCase, "upEvents" | "downEvents">): ScaleHistory {
  const h = newScaleHistory();
  if (c.upEvents) {
    h.upAtNs.push(...c.upEvents.at);
    h.upChange.push(...c.upEvents.change);
  }
  if (c.downEvents) {
    h.downAtNs.push(...c.downEvents.at);
    h.downChange.push(...c.downEvents.change);
  }
  return h;
}

describe("convertDesiredReplicasWithBehaviorRate (upstream TestScalingWithRules)", () => {
  test.each(RULES_CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const spec: Pick<HpaSpec, "minReplicas" | "maxReplicas" | "behavior"> = {
      minReplicas: c.min,
      maxReplicas: c.max,
      behavior: { scaleUp: c.up ?? UP, scaleDown: c.down ?? DOWN },
    };
    expect(convertWithBehaviorRate(history(c), spec, c.current, c.desired, NOW)).toBe(c.expected);
  });
});

describe("stabilizeRecommendation (upstream TestNormalizeDesiredReplicas, window 5 min)", () => {
  const m = NS_PER.m;
  test.each([
    ["empty log", [], 5, 5, 1],
    [
      "stabilize",
      [
        [4, 2 * m],
        [5, 1 * m],
      ],
      3,
      5,
      3,
    ],
    [
      "no stabilize",
      [
        [1, 2 * m],
        [2, 1 * m],
      ],
      3,
      3,
      3,
    ],
    [
      "no stabilize - old recommendations",
      [
        [10, 10 * m],
        [9, 9 * m],
      ],
      3,
      3,
      2,
    ],
    [
      "stabilize - old recommendations",
      [
        [10, 10 * m],
        [4, 1 * m],
        [5, 2 * m],
        [9, 9 * m],
      ],
      3,
      5,
      4,
    ],
  ] as const)("%s", (_, recs, proposal, stabilized, logLength) => {
    const h = newScaleHistory();
    for (const [r, ago] of recs) {
      h.recReplicas.push(r);
      h.recAtNs.push(NOW - ago);
    }
    expect(stabilize(h, proposal, NOW, 5 * m)).toBe(stabilized);
    expect(h.recAtNs.length).toBe(logLength);
  });
});

describe("storeScaleEvent (upstream TestStoreScaleEvents)", () => {
  const s = NS_PER.s;
  test.each([
    ["empty entries with two-policy-behavior", [], up(10, 60, 100, 60, 0), [5]],
    ["one outdated entry to be replaced with behavior", [[7, 61 * s]], up(10, 60, 100, 60, 0), [5]],
    ["one actual entry to be not touched with behavior", [[7, 58 * s]], up(10, 60, 100, 60, 0), [7, 5]],
    [
      "two entries, one of them to be replaced",
      [
        [7, 61 * s],
        [6, 59 * s],
      ],
      up(10, 60, 0, 0, 0),
      [5, 6],
    ],
    [
      "replace one entry, use policies with different periods",
      [
        [8, 29 * s],
        [6, 59 * s],
        [7, 61 * s],
        [9, 61 * s],
      ],
      up(10, 60, 100, 30, 0),
      [8, 6, 7, 5],
    ],
    [
      "two entries, both actual",
      [
        [7, 58 * s],
        [6, 59 * s],
      ],
      up(10, 120, 100, 30, 0),
      [7, 6, 5],
    ],
  ] as const)("%s", (_, prev, scaleUp, changes) => {
    const h = newScaleHistory();
    for (const [c, ago] of prev) {
      h.upChange.push(c);
      h.upAtNs.push(NOW - ago);
    }
    storeScaleEvent(h, { scaleUp, scaleDown: DOWN }, 10, 15, NOW);
    expect(h.upChange).toEqual(changes);
  });
});

describe("stabilizeRecommendationWithBehaviors (upstream TestNormalizeDesiredReplicasWithBehavior)", () => {
  const m = NS_PER.m;
  const s = NS_PER.s;
  test.each([
    ["empty recommendations for scaling down", [], 100, 5, 0, 0, 5, [5]],
    [
      "simple scale down stabilization",
      [
        [4, 2 * m],
        [5, 1 * m],
      ],
      100,
      3,
      0,
      180 * s,
      5,
      [4, 5, 3],
    ],
    [
      "simple scale up stabilization",
      [
        [4, 2 * m],
        [5, 1 * m],
      ],
      1,
      7,
      300 * s,
      0,
      4,
      [4, 5, 7],
    ],
    [
      "no scale down stabilization",
      [
        [1, 2 * m],
        [2, 1 * m],
      ],
      100,
      3,
      300 * s,
      0,
      3,
      [1, 2, 3],
    ],
    [
      "no scale up stabilization",
      [
        [4, 2 * m],
        [5, 1 * m],
      ],
      1,
      3,
      0,
      300 * s,
      3,
      [4, 5, 3],
    ],
    [
      "no scale down stabilization, reuse recommendation element",
      [
        [10, 10 * m],
        [9, 9 * m],
      ],
      100,
      3,
      0,
      0,
      3,
      [10, 3],
    ],
    [
      "no scale up stabilization, reuse recommendation element",
      [
        [10, 10 * m],
        [9, 9 * m],
      ],
      1,
      100,
      0,
      0,
      100,
      [10, 100],
    ],
    [
      "scale down stabilization, reuse one of obsolete recommendation element",
      [
        [10, 10 * m],
        [4, 1 * m],
        [5, 2 * m],
        [9, 9 * m],
      ],
      100,
      3,
      0,
      180 * s,
      5,
      [10, 4, 5, 3],
    ],
    [
      "scale up stabilization, reuse one of obsolete recommendation element",
      [
        [10, 100 * m],
        [6, 1 * m],
        [5, 2 * m],
        [9, 3 * m],
      ],
      1,
      100,
      300 * s,
      0,
      5,
      [100, 6, 5, 9],
    ],
    [
      "scale up and down stabilization, do not scale up when prenormalized rec goes down",
      [
        [2, 100 * m],
        [3, 3 * m],
      ],
      2,
      1,
      300 * s,
      300 * s,
      2,
      undefined,
    ],
    [
      "scale up and down stabilization, do not scale down when prenormalized rec goes up",
      [
        [2, 100 * m],
        [1, 3 * m],
      ],
      2,
      3,
      300 * s,
      300 * s,
      2,
      undefined,
    ],
  ] as const)("%s", (_, recs, current, proposal, upWindow, downWindow, stabilized, stored) => {
    const h = newScaleHistory();
    for (const [r, ago] of recs) {
      h.recReplicas.push(r);
      h.recAtNs.push(NOW - ago);
    }
    expect(stabilizeWithBehaviors(h, current, proposal, NOW, upWindow, downWindow)).toBe(stabilized);
    if (stored !== undefined) expect(h.recReplicas).toEqual(stored);
  });
});
