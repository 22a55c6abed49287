import type { PriorityLevelSpec } from "./bootstrap.js";

/** The concurrency bounds of each priority level, in seats, indexed like the level list. */
export interface ConcurrencyLimits {
  /** Sum of nominalConcurrencyShares over all levels (exempt included). */
  readonly shareSum: number;
  /** NominalCL = ceil(serverCL * shares / shareSum). */
  readonly nominal: Int32Array;
  /** LendableCL = round(NominalCL * lendablePercent / 100). */
  readonly lendable: Int32Array;
  /** MinCL = NominalCL - LendableCL. */
  readonly min: Int32Array;
  /** MaxCL = NominalCL + BorrowingCL (BorrowingCL = serverCL when borrowingLimitPercent is unset). */
  readonly max: Int32Array;
  /** Sum of the nominal limits; may exceed serverCL by the rounding up. */
  readonly nominalSum: number;
  /** The work estimator's seat cap per level (see {@link maxSeatsOf}). */
  readonly maxSeats: Int32Array;
}

/** model: apf_controller.go priorityLevelMaxSeatsPercent = 0.15. */
const MAX_SEATS_PERCENT = 0.15;
/** model: request/config.go maximumSeatsLimit = 10. */
export const MAXIMUM_SEATS_LIMIT = 10;

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Divides the server concurrency limit among the levels exactly as the APF config controller
 * does. Contract: the returned arrays have one entry per level, in the given order.
 *
 * model: staging/src/k8s.io/apiserver/pkg/util/flowcontrol/apf_controller.go
 * `finishQueueSetReconfigsLocked`: `concurrencyLimit = int(math.Ceil(float64(serverCL) *
 * float64(nominalConcurrencyShares) / shareSum))` where `shareSum` adds the shares of every
 * priority level, exempt included (its shares default to 0 since v1.29); `lendableCL =
 * math.Round(CL * lendablePercent / 100)`; `borrowingCL = math.Round(CL * borrowingLimitPercent
 * / 100)` or serverCL when unset; minCL = CL - lendableCL, maxCL = CL + borrowingCL.
 */
export function computeConcurrencyLimits(
  serverConcurrencyLimit: number,
  levels: readonly PriorityLevelSpec[],
): ConcurrencyLimits {
  const n = levels.length;
  let shareSum = 0;
  for (let i = 0; i < n; i++) shareSum += levels[i]!.nominalConcurrencyShares;
  const nominal = new Int32Array(n);
  const lendable = new Int32Array(n);
  const min = new Int32Array(n);
  const max = new Int32Array(n);
  const maxSeats = new Int32Array(n);
  let nominalSum = 0;
  for (let i = 0; i < n; i++) {
    const pl = levels[i]!;
    const cl = shareSum > 0 ? Math.ceil((serverConcurrencyLimit * pl.nominalConcurrencyShares) / shareSum) : 0;
    const lend = goRound((cl * pl.lendablePercent) / 100);
    // model: plSpecCommons returns a nil borrowingLimitPercent for the exempt level.
    const borrowPct = pl.exempt ? undefined : pl.borrowingLimitPercent;
    const borrow = borrowPct === undefined ? serverConcurrencyLimit : goRound((cl * borrowPct) / 100);
    nominal[i] = cl;
    lendable[i] = lend;
    min[i] = cl - lend;
    max[i] = cl + borrow;
    nominalSum += cl;
    maxSeats[i] = maxSeatsOf(pl, cl);
  }
  return { shareSum, nominal, lendable, min, max, nominalSum, maxSeats };
}

/**
 * The most seats the work estimator may give one request of this level.
 * model: apf_controller.go: for a queuing level `max(1, min(ceil(0.15 * nominalCL),
 * nominalCL / handSize))` (integer division), recorded in the MaxSeatsTracker; levels without
 * queuing have no entry, and request/list_work_estimator.go then caps at maximumSeatsLimit (10),
 * which also caps the tracked value.
 */
export function maxSeatsOf(pl: PriorityLevelSpec, nominalCL: number): number {
  if (pl.exempt || pl.queuing === undefined) return MAXIMUM_SEATS_LIMIT;
  const tracked = Math.max(
    1,
    Math.min(Math.ceil(nominalCL * MAX_SEATS_PERCENT), Math.trunc(nominalCL / pl.queuing.handSize)),
  );
  return Math.min(tracked, MAXIMUM_SEATS_LIMIT);
}
