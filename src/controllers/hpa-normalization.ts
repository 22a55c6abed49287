import { NS_PER } from "../core/time.js";
import type { HpaScalingRules, HpaSpec } from "../scenario/inputs/horizontal-pod-autoscalers.js";

/** model: horizontal.go scaleUpLimitFactor and scaleUpLimitMinimum (the normalization without spec.behavior). */
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

/**
 * What the HPA controller remembers of one HPA (horizontal.go's maps by key): its
 * timestampedRecommendations and its timestampedScaleEvents up and down. Order does not matter:
 * every use is a sum, a minimum or a maximum over a time window.
 */
export interface ScaleHistory {
  recAtNs: number[];
  recReplicas: number[];
  upAtNs: number[];
  upChange: number[];
  downAtNs: number[];
  downChange: number[];
}

/** An empty history. */
export function newScaleHistory(): ScaleHistory {
  return { recAtNs: [], recReplicas: [], upAtNs: [], upChange: [], downAtNs: [], downChange: [] };
}

/**
 * normalizeDesiredReplicas, for an HPA without spec.behavior: stabilizeRecommendation (the
 * highest recommendation of the downscale stabilization window) then
 * convertDesiredReplicasWithRules (min/max, and at most max(2 x current, 4) replicas).
 */
export function normalize(
  h: ScaleHistory,
  spec: Pick<HpaSpec, "minReplicas" | "maxReplicas">,
  current: number,
  proposal: number,
  now: number,
  downscaleWindowNs: number,
): number {
  return convertWithRules(current, stabilize(h, proposal, now, downscaleWindowNs), spec.minReplicas, spec.maxReplicas);
}

/** stabilizeRecommendation: the highest of `proposal` and the recommendations not older than the window; records `proposal`. */
export function stabilize(h: ScaleHistory, proposal: number, now: number, windowNs: number): number {
  const cutoff = now - windowNs;
  let stabilized = proposal;
  let old = -1;
  for (let i = 0; i < h.recAtNs.length; i++) {
    if (h.recAtNs[i]! < cutoff) old = i;
    else if (h.recReplicas[i]! > stabilized) stabilized = h.recReplicas[i]!;
  }
  record(h, old, proposal, now);
  return stabilized;
}

/** convertDesiredReplicasWithRules. */
export function convertWithRules(current: number, desired: number, min: number, max: number): number {
  const scaleUpLimit = Math.floor(Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM));
  const maximumAllowed = Math.min(max, scaleUpLimit);
  if (desired < min) return min;
  if (desired > maximumAllowed) return maximumAllowed;
  return desired;
}

/**
 * normalizeDesiredReplicasWithBehaviors: stabilizeRecommendationWithBehaviors (between the
 * lowest recommendation of the scale-up window and the highest of the scale-down window; the
 * scale-down window defaults to the controller's), then convertDesiredReplicasWithBehaviorRate.
 */
export function normalizeWithBehaviors(
  h: ScaleHistory,
  spec: Pick<HpaSpec, "minReplicas" | "maxReplicas" | "behavior">,
  current: number,
  proposal: number,
  now: number,
  downscaleWindowNs: number,
): number {
  const b = spec.behavior!;
  const downWindow = b.scaleDown.stabilizationWindowSeconds;
  const stabilized = stabilizeWithBehaviors(
    h,
    current,
    proposal,
    now,
    (b.scaleUp.stabilizationWindowSeconds ?? 0) * NS_PER.s,
    downWindow === undefined ? downscaleWindowNs : downWindow * NS_PER.s,
  );
  return convertWithBehaviorRate(h, spec, current, stabilized, now);
}

/**
 * stabilizeRecommendationWithBehaviors: the current count moved up to the lowest
 * recommendation of the scale-up window and down to the highest of the scale-down window;
 * records `proposal` (in the slot of a recommendation older than both windows, if any).
 */
export function stabilizeWithBehaviors(
  h: ScaleHistory,
  current: number,
  proposal: number,
  now: number,
  upWindowNs: number,
  downWindowNs: number,
): number {
  const upCutoff = now - upWindowNs;
  const downCutoff = now - downWindowNs;
  let up = proposal;
  let down = proposal;
  let old = -1;
  for (let i = 0; i < h.recAtNs.length; i++) {
    const t = h.recAtNs[i]!;
    const r = h.recReplicas[i]!;
    if (t > upCutoff) up = Math.min(up, r);
    if (t > downCutoff) down = Math.max(down, r);
    if (t < upCutoff && t < downCutoff) old = i;
  }
  let stabilized = current;
  if (stabilized < up) stabilized = up;
  if (stabilized > down) stabilized = down;
  record(h, old, proposal, now);
  return stabilized;
}

/**
 * convertDesiredReplicasWithBehaviorRate: a scale-up is held to the scale-up policies' limit
 * (and maxReplicas), a scale-down to the scale-down policies' limit (and minReplicas).
 */
export function convertWithBehaviorRate(
  h: ScaleHistory,
  spec: Pick<HpaSpec, "minReplicas" | "maxReplicas" | "behavior">,
  current: number,
  desired: number,
  now: number,
): number {
  const b = spec.behavior!;
  if (desired > current) {
    // A limit below the current count (after many recent scale-ups) holds the count.
    const limit = Math.max(current, policyLimit(h, current, b.scaleUp, now, true));
    return Math.min(desired, Math.min(spec.maxReplicas, limit));
  }
  if (desired < current) {
    const limit = Math.min(current, policyLimit(h, current, b.scaleDown, now, false));
    return Math.max(desired, Math.max(spec.minReplicas, limit));
  }
  return desired;
}

/**
 * storeScaleEvent (with spec.behavior only): the change goes in the slot of the last event older
 * than the direction's longest policy period (markScaleEventsOutdated), or is appended.
 */
export function storeScaleEvent(
  h: ScaleHistory,
  behavior: NonNullable<HpaSpec["behavior"]>,
  prev: number,
  next: number,
  now: number,
): void {
  const upward = next > prev;
  const rules = upward ? behavior.scaleUp : behavior.scaleDown;
  const at = upward ? h.upAtNs : h.downAtNs;
  const change = upward ? h.upChange : h.downChange;
  let longest = 0;
  for (const p of rules.policies) longest = Math.max(longest, p.periodSeconds);
  const cutoff = now - longest * NS_PER.s;
  let old = -1;
  for (let i = 0; i < at.length; i++) if (at[i]! < cutoff) old = i;
  if (old < 0) {
    at.push(now);
    change.push(Math.abs(next - prev));
  } else {
    at[old] = now;
    change[old] = Math.abs(next - prev);
  }
}

function record(h: ScaleHistory, old: number, replicas: number, now: number): void {
  if (old >= 0) {
    h.recAtNs[old] = now;
    h.recReplicas[old] = replicas;
  } else {
    h.recAtNs.push(now);
    h.recReplicas.push(replicas);
  }
}

/** getReplicasChangePerPeriod: the changes of the events within the last `periodSeconds`. */
function changeInPeriod(at: readonly number[], change: readonly number[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * NS_PER.s;
  let n = 0;
  for (let i = 0; i < at.length; i++) if (at[i]! > cutoff) n += change[i]!;
  return n;
}

/** The count at the start of a policy's period: now, less the scale-ups and plus the scale-downs within it. */
function periodStart(h: ScaleHistory, current: number, periodSeconds: number, now: number): number {
  return (
    current -
    changeInPeriod(h.upAtNs, h.upChange, periodSeconds, now) +
    changeInPeriod(h.downAtNs, h.downChange, periodSeconds, now)
  );
}

/**
 * calculateScaleUpLimitWithScalingRules (`up`) and calculateScaleDownLimitWithBehaviors: each
 * policy proposes its period's starting count plus (minus) its pods or percentage, rounded up
 * on the way up (or a small percentage would never add a pod) and truncated on the way down;
 * selectPolicy Max takes the largest change, Min the smallest, Disabled none.
 */
function policyLimit(h: ScaleHistory, current: number, rules: HpaScalingRules, now: number, up: boolean): number {
  if (rules.selectPolicy === "Disabled") return current;
  // The largest change is the highest limit up and the lowest down.
  const highest = (rules.selectPolicy === "Max") === up;
  let result = highest ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const p of rules.policies) {
    const start = periodStart(h, current, p.periodSeconds, now);
    const proposed = up
      ? p.type === "Pods"
        ? start + p.value
        : Math.ceil(start * (1 + p.value / 100))
      : p.type === "Pods"
        ? start - p.value
        : Math.trunc(start * (1 - p.value / 100));
    result = highest ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}
