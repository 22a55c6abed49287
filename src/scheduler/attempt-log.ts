import { growF64, growI32 } from "../core/grow.js";
import type { Column } from "../metrics/arrow-writer.js";

/** Attempt outcomes, the `result` dictionary of scheduler.arrow. */
export const AttemptResult = {
  Scheduled: 0,
  Unschedulable: 1,
  UnschedulableAndUnresolvable: 2,
  Error: 3,
  Nominated: 4,
} as const;
export type AttemptResult = (typeof AttemptResult)[keyof typeof AttemptResult];
export const ATTEMPT_RESULT_NAMES = [
  "Scheduled",
  "Unschedulable",
  "UnschedulableAndUnresolvable",
  "Error",
  "Nominated",
];

/**
 * One row per scheduling attempt, in typed columns that grow by doubling: the data of
 * scheduler.arrow. perf: appends are a few typed-array stores; strings only in dictionaries.
 */
export class AttemptLog {
  private cap = 1024;
  private n = 0;
  private timeNs = new Float64Array(this.cap);
  private pod = new Int32Array(this.cap);
  private attempt = new Int32Array(this.cap);
  private profile = new Int32Array(this.cap);
  private filtered = new Int32Array(this.cap);
  private feasible = new Int32Array(this.cap);
  private chosen = new Int32Array(this.cap);
  private score = new Float64Array(this.cap);
  private result = new Int32Array(this.cap);
  private costNs = new Float64Array(this.cap);

  get size(): number {
    return this.n;
  }

  /** Appends one attempt; `chosen` is a node index or -1, `score` NaN when scoring did not run. */
  append(
    timeNs: number,
    pod: number,
    attempt: number,
    profile: number,
    filtered: number,
    feasible: number,
    chosen: number,
    score: number,
    result: AttemptResult,
    costNs: number,
  ): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.timeNs[i] = timeNs;
    this.pod[i] = pod;
    this.attempt[i] = attempt;
    this.profile[i] = profile;
    this.filtered[i] = filtered;
    this.feasible[i] = feasible;
    this.chosen[i] = chosen;
    this.score[i] = score;
    this.result[i] = result;
    this.costNs[i] = costNs;
  }

  /** Row `i` as an object (tests and debugging). */
  row(i: number): {
    timeNs: number;
    pod: number;
    attempt: number;
    filtered: number;
    feasible: number;
    chosen: number;
    score: number;
    result: string;
    costNs: number;
  } {
    return {
      timeNs: this.timeNs[i]!,
      pod: this.pod[i]!,
      attempt: this.attempt[i]!,
      filtered: this.filtered[i]!,
      feasible: this.feasible[i]!,
      chosen: this.chosen[i]!,
      score: this.score[i]!,
      result: ATTEMPT_RESULT_NAMES[this.result[i]!]!,
      costNs: this.costNs[i]!,
    };
  }

  /**
   * The columns of scheduler.arrow: time_ns, pod_row (the pod's row in pods.arrow), attempt,
   * profile (dict), nodes_filtered, feasible, chosen_node (dict over node names; null when no
   * node was chosen), score (null when not scored), result (dict), cycle_cost_ns.
   */
  columns(nodeNames: readonly string[], profileNames: readonly string[]): { columns: Column[]; rows: number } {
    const n = this.n;
    const chosen = this.chosen.slice(0, n);
    return {
      rows: n,
      columns: [
        { name: "time_ns", type: "int64", values: this.timeNs.slice(0, n) },
        { name: "pod_row", type: "int32", values: this.pod.slice(0, n) },
        { name: "attempt", type: "int32", values: this.attempt.slice(0, n) },
        { name: "profile", type: "dict", values: this.profile.slice(0, n), dictionary: profileNames },
        { name: "nodes_filtered", type: "int32", values: this.filtered.slice(0, n) },
        { name: "feasible", type: "int32", values: this.feasible.slice(0, n) },
        { name: "chosen_node", type: "dict", values: chosen, dictionary: nodeNames },
        { name: "score", type: "float64", values: this.score.slice(0, n) },
        { name: "result", type: "dict", values: this.result.slice(0, n), dictionary: ATTEMPT_RESULT_NAMES },
        { name: "cycle_cost_ns", type: "int64", values: this.costNs.slice(0, n) },
      ],
    };
  }

  private grow(): void {
    const cap = this.cap * 2;
    const f = (a: Float64Array) => growF64(a, cap);
    const g = (a: Int32Array) => growI32(a, cap);
    this.timeNs = f(this.timeNs);
    this.pod = g(this.pod);
    this.attempt = g(this.attempt);
    this.profile = g(this.profile);
    this.filtered = g(this.filtered);
    this.feasible = g(this.feasible);
    this.chosen = g(this.chosen);
    this.score = f(this.score);
    this.result = g(this.result);
    this.costNs = f(this.costNs);
    this.cap = cap;
  }
}
