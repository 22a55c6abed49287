import { NS_PER } from "../core/time.js";
import { columnTable } from "../core/column-table.js";

/** model: pkg/kubelet/kubelet.go `imageBackOffPeriod = time.Second * 10` (was `backOffPeriod`). */
export const IMAGE_BACKOFF_PERIOD_NS = 10 * NS_PER.s;
/** model: pkg/kubelet/kubelet.go `MaxImageBackOff = 300 * time.Second`. */
export const MAX_IMAGE_BACKOFF_NS = 300 * NS_PER.s;

/**
 * Per-key exponential back-off with the semantics of client-go `flowcontrol.Backoff`, which the
 * kubelet's image manager keys by `<pod UID>_<image>` (pkg/kubelet/images/image_manager.go
 * `backOffKey`); here the key is any integer the caller derives from (pod, image).
 *
 * model: staging/src/k8s.io/client-go/util/flowcontrol/backoff.go:
 * - `Next(id, t)`: a new or expired entry starts at the initial period; otherwise the period
 *   doubles, capped at the max; `lastUpdate = t`. The kubelet builds it with `NewBackOff`, i.e.
 *   no jitter, so the sequence is exactly 10, 20, 40, 80, 160, 300, 300, ... s.
 * - `IsInBackOffSinceUpdate(id, t)`: `t - lastUpdate < period`, unless expired.
 * - an entry expires (`hasExpired`) when `t - lastUpdate > 2 * max`, i.e. after 600 s of quiet
 *   the next failure starts again at 10 s (the kubelet's `backOff.GC()` drops such entries,
 *   which is the same from the outside).
 * perf: entries are rows of two Float64Array columns; a Map is used only to look keys up,
 * never iterated.
 */
export class ImageBackOff extends columnTable({
  periodNs: "Float64",
  lastUpdateNs: { type: "Float64", unset: NaN },
}) {
  readonly initialNs: number;
  readonly maxNs: number;
  private readonly index = new Map<number, number>();

  constructor(initialNs = IMAGE_BACKOFF_PERIOD_NS, maxNs = MAX_IMAGE_BACKOFF_NS) {
    super(64);
    if (!(initialNs > 0) || !(maxNs >= initialNs)) throw new RangeError(`bad back-off ${initialNs}/${maxNs}`);
    this.initialNs = initialNs;
    this.maxNs = maxNs;
  }

  /** Records a failure of `key` at `nowNs` and returns the back-off period now in force. */
  next(key: number, nowNs: number): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.addRow();
      this.index.set(key, i);
      this.periodNs[i] = this.initialNs;
    } else if (nowNs - this.lastUpdateNs[i]! > 2 * this.maxNs) {
      this.periodNs[i] = this.initialNs;
    } else {
      this.periodNs[i] = Math.min(this.periodNs[i]! * 2, this.maxNs);
    }
    this.lastUpdateNs[i] = nowNs;
    return this.periodNs[i]!;
  }

  /** True while `key` is backing off at `nowNs` (a pull now would be refused). */
  isInBackOff(key: number, nowNs: number): boolean {
    const i = this.index.get(key);
    if (i === undefined) return false;
    const since = nowNs - this.lastUpdateNs[i]!;
    if (since > 2 * this.maxNs) return false;
    return since < this.periodNs[i]!;
  }

  /** The current period of `key` (0 when it never failed), as `Backoff.Get`. */
  periodOf(key: number): number {
    const i = this.index.get(key);
    return i === undefined ? 0 : this.periodNs[i]!;
  }

  /** First instant at which `key` is no longer backing off (0 when it never failed). */
  until(key: number): number {
    const i = this.index.get(key);
    return i === undefined ? 0 : this.lastUpdateNs[i]! + this.periodNs[i]!;
  }
}
