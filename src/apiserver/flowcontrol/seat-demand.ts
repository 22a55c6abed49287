import { columnTable } from "../../core/column-table.js";

/**
 * model: apf_controller.go seatDemandSmoothingCoefficient = 0.977 (a 5-minute half-life at one
 * adjustment per 10 s).
 */
export const SEAT_DEMAND_SMOOTHING = 0.977;

/**
 * Seat demand of every priority level (seats executing + seats waiting), integrated over time
 * between borrowing adjustments, and the smoothed statistics the adjustment reads.
 *
 * model: staging/src/k8s.io/apiserver/pkg/util/flowcontrol/fairqueuing/integrator.go (time
 * integrals of x and x^2, running min/max; `Reset` returns them and restarts with min = max =
 * current x) and apf_controller.go `seatDemandStats.update` (highWatermark = max; when the
 * period is non-empty: avg, stdDev (NaN -> 0), envelope = avg + stdDev, smoothed =
 * max(envelope, A * smoothed + (1 - A) * envelope)).
 */
export class SeatDemand extends columnTable({
  /** The integrator: when it last advanced, the demand since, and the period's integrals. */
  lastNs: "Float64",
  x: "Float64",
  elapsed: "Float64",
  ix: "Float64",
  ixx: "Float64",
  max: "Float64",
  /** Smoothed statistics, read by the borrowing adjustment. */
  avg: "Float64",
  stdDev: "Float64",
  highWatermark: "Float64",
  smoothed: "Float64",
}) {
  /** One row per level, each period starting at `nowNs` with zero demand. */
  constructor(levels: number, nowNs: number) {
    super(levels);
    this.addRows(levels);
    this.lastNs.fill(nowNs);
  }

  /** Current demand of a level. */
  current(level: number): number {
    return this.x[level]!;
  }

  /** Records that the level's demand is `x` from `nowNs` on. */
  set(level: number, x: number, nowNs: number): void {
    this.advance(level, nowNs);
    this.x[level] = x;
    if (x > this.max[level]!) this.max[level] = x;
  }

  /** Closes the integration period at `nowNs`, folds it into the smoothed stats, starts a new one. */
  resetAndUpdate(level: number, nowNs: number): void {
    this.advance(level, nowNs);
    const t = this.elapsed[level]!;
    this.highWatermark[level] = this.max[level]!;
    if (t > 0) {
      const avg = this.ix[level]! / t;
      const variance = this.ixx[level]! / t - avg * avg;
      const dev = variance >= 0 ? Math.sqrt(variance) : 0;
      this.avg[level] = avg;
      this.stdDev[level] = dev;
      const envelope = avg + dev;
      this.smoothed[level] = Math.max(
        envelope,
        SEAT_DEMAND_SMOOTHING * this.smoothed[level]! + (1 - SEAT_DEMAND_SMOOTHING) * envelope,
      );
    }
    this.elapsed[level] = 0;
    this.ix[level] = 0;
    this.ixx[level] = 0;
    this.max[level] = this.x[level]!;
  }

  /**
   * Applies `k` adjustment periods during which the level's demand was zero throughout and that
   * ended at `endNs` (the last one): each leaves avg = stdDev = highWatermark = 0 and multiplies
   * smoothed by A. Contract: the current demand is 0.
   */
  skipIdlePeriods(level: number, k: number, endNs: number): void {
    this.highWatermark[level] = 0;
    this.avg[level] = 0;
    this.stdDev[level] = 0;
    this.smoothed[level] = this.smoothed[level]! * SEAT_DEMAND_SMOOTHING ** k;
    this.lastNs[level] = endNs;
    this.elapsed[level] = 0;
    this.ix[level] = 0;
    this.ixx[level] = 0;
    this.max[level] = 0;
  }

  private advance(level: number, nowNs: number): void {
    const dt = nowNs - this.lastNs[level]!;
    if (dt <= 0) return;
    const x = this.x[level]!;
    this.lastNs[level] = nowNs;
    this.elapsed[level]! += dt;
    this.ix[level]! += x * dt;
    this.ixx[level]! += x * x * dt;
  }
}
