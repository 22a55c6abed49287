import type { ValueOf } from "../core/names-of.js";
/**
 * How the HorizontalPodAutoscaler counts a pod (replica_calculator.go groupPods): with a usable
 * metric (`ready`), left out of the ratio but counted as 0 on a scale-up (`unready`), without a
 * metric (`missing`: assumed at the request or target on a scale-down, 0 on a scale-up), or not
 * at all (`ignored`: terminating or Failed).
 */
export const PodGroup = { ready: 0, unready: 1, missing: 2, ignored: 3 } as const;
export type PodGroup = ValueOf<typeof PodGroup>;

/** The HPA controller's flags that the replica calculation reads. */
export interface ReplicaCalcConfig {
  /** --horizontal-pod-autoscaler-tolerance: ratios within 1 ± tolerance keep the count. */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period. */
  cpuInitializationPeriodNs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay. */
  delayOfInitialReadinessStatusNs: number;
}

/**
 * What groupPods reads of one pod and its metric, as numbers (NaN: absent). One object is
 * reused for every pod of a sync.
 */
export interface PodView {
  /** deletionTimestamp set, or phase Failed. */
  terminating: boolean;
  /** phase Pending (not yet Running). */
  pending: boolean;
  /** The Ready condition: NaN when the pod has none, else 1 (True) or 0 (False). */
  ready: number;
  /** The Ready condition's lastTransitionTime. */
  readyTransitionNs: number;
  /** status.startTime (NaN: nil). */
  startNs: number;
  /** The metric's timestamp (NaN: no metric for the pod) and window. */
  metricNs: number;
  metricWindowNs: number;
}

/** The group of one pod at `nowNs`, for the cpu resource (replica_calculator.go groupPods). */
export function groupPod(p: PodView, nowNs: number, c: ReplicaCalcConfig): PodGroup {
  if (p.terminating) return PodGroup.ignored;
  if (p.pending) return PodGroup.unready;
  if (Number.isNaN(p.metricNs)) return PodGroup.missing;
  let unready: boolean;
  if (Number.isNaN(p.ready) || Number.isNaN(p.startNs)) unready = true;
  else if (p.startNs + c.cpuInitializationPeriodNs > nowNs) {
    // Within the initialisation period: unready, or no full metric window since it turned Ready.
    unready = p.ready === 0 || p.metricNs < p.readyTransitionNs + p.metricWindowNs;
  } else {
    // After it: left out only if unready and never Ready since its start.
    unready = p.ready === 0 && p.startNs + c.delayOfInitialReadinessStatusNs > p.readyTransitionNs;
  }
  return unready ? PodGroup.unready : PodGroup.ready;
}

/**
 * The replica calculation of pkg/controller/podautoscaler/replica_calculator.go for one
 * Resource metric: fill it with the target's pods (their group, cpu request and usage in milli-
 * CPU, as the pod lister and the metrics API give them), then ask for
 * {@link resourceReplicas} (a Utilization target) or {@link rawResourceReplicas} (an
 * AverageValue target). Integer arithmetic follows upstream's int64 milli-values: the
 * utilization percentage and the average are truncated before the ratio is taken.
 *
 * perf: the columns are reused from sync to sync; a sync allocates nothing.
 */
export class ReplicaCalculator {
  readonly config: ReplicaCalcConfig;
  /** After a calculation: the current utilization (percent of requests) or average usage (milli), as upstream reports it. */
  utilization = 0;
  rawAverageMilli = 0;
  /** After a failed calculation (-1): why, in upstream's words. */
  error = "";
  private group = new Uint8Array(64);
  private request = new Float64Array(64);
  private usage = new Float64Array(64);
  private size = 0;

  constructor(config: ReplicaCalcConfig) {
    this.config = config;
  }

  /** Empties the pod list for the next calculation. */
  reset(): void {
    this.size = 0;
  }

  /** Adds one listed pod: its group, its cpu request and (for a pod with a metric) its usage. */
  add(group: PodGroup, requestMilli: number, usageMilli: number): void {
    if (this.size === this.group.length) {
      const n = this.size * 2;
      const g = new Uint8Array(n);
      g.set(this.group);
      this.group = g;
      const r = new Float64Array(n);
      r.set(this.request);
      this.request = r;
      const u = new Float64Array(n);
      u.set(this.usage);
      this.usage = u;
    }
    this.group[this.size] = group;
    this.request[this.size] = requestMilli;
    this.usage[this.size] = usageMilli;
    this.size++;
  }

  /**
   * GetResourceReplicas: the replicas for `targetUtilization` percent of the pods' requests, or
   * -1 with {@link error} set (no pods, no usable metric).
   */
  resourceReplicas(currentReplicas: number, targetUtilization: number): number {
    return this.calculate(currentReplicas, targetUtilization, true);
  }

  /** GetRawResourceReplicas (calcPlainMetricReplicas): the replicas for an average usage of `targetMilli` per pod, or -1. */
  rawResourceReplicas(currentReplicas: number, targetMilli: number): number {
    return this.calculate(currentReplicas, targetMilli, false);
  }

  private calculate(currentReplicas: number, target: number, utilization: boolean): number {
    const n = this.size;
    const g = this.group;
    this.error = "";
    if (n === 0) return this.fail("no pods returned by selector while calculating replica count");
    let ready = 0;
    let unready = 0;
    let missing = 0;
    let usage = 0;
    let request = 0;
    for (let i = 0; i < n; i++) {
      const k = g[i]!;
      if (k === PodGroup.ready) {
        ready++;
        usage += this.usage[i]!;
        request += this.request[i]!;
      } else if (k === PodGroup.unready) unready++;
      else if (k === PodGroup.missing) missing++;
    }
    // Ignored and unready pods' metrics are removed before the ratio (removeMetricsForPods).
    if (ready === 0) return this.fail("did not receive metrics for targeted pods (pods might be unready)");
    const ratio = this.ratio(usage, request, ready, target, utilization);
    if (Number.isNaN(ratio)) return -1;
    this.utilization = utilization ? Math.floor((usage * 100) / request) : Math.floor(usage / ready);
    this.rawAverageMilli = Math.floor(usage / ready);
    const tol = this.config.tolerance;
    const scaleUpWithUnready = unready > 0 && ratio > 1;
    if (!scaleUpWithUnready && missing === 0) {
      if (Math.abs(1 - ratio) <= tol) return currentReplicas;
      return Math.ceil(ratio * ready);
    }
    // Missing pods: on a scale-down as using their request (or the target, if above 100%) for
    // a utilization, the target for an average; on a scale-up as using nothing. Unready pods
    // count as using nothing on a scale-up.
    let entries = ready;
    for (let i = 0; i < n; i++) {
      const k = g[i]!;
      if (k === PodGroup.missing && ratio !== 1) {
        entries++;
        request += this.request[i]!;
        if (ratio < 1) usage += utilization ? Math.floor((this.request[i]! * Math.max(100, target)) / 100) : target;
      } else if (k === PodGroup.unready && scaleUpWithUnready) {
        entries++;
        request += this.request[i]!;
      }
    }
    const newRatio = this.ratio(usage, request, entries, target, utilization);
    if (
      Math.abs(1 - newRatio) <= tol ||
      (ratio < 1 && newRatio > 1) ||
      (ratio > 1 && newRatio < 1) ||
      Number.isNaN(newRatio)
    )
      return currentReplicas;
    const replicas = Math.ceil(newRatio * entries);
    // A change of the pod count that would reverse the direction keeps the count.
    if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas))
      return currentReplicas;
    return replicas;
  }

  /**
   * metricsclient GetResourceUtilizationRatio (the truncated utilization over the target) or
   * GetMetricUsageRatio (the truncated average over the target); NaN with {@link error} when
   * the pods request nothing.
   */
  private ratio(usage: number, request: number, entries: number, target: number, utilization: boolean): number {
    if (!utilization) return Math.floor(usage / entries) / target;
    if (request === 0) {
      this.fail("no metrics returned matched known pods");
      return Number.NaN;
    }
    return Math.floor((usage * 100) / request) / target;
  }

  private fail(why: string): number {
    this.error = why;
    return -1;
  }
}
