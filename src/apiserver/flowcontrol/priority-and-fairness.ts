import { columnTable } from "../../core/column-table.js";
import type { Engine, EventHandle, EventKind } from "../../core/engine.js";
import { SimulationError } from "../../core/errors.js";
import { NS_PER } from "../../core/time.js";
import {
  DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT,
  DEFAULT_MAX_REQUESTS_INFLIGHT,
  DEFAULT_PRIORITY_LEVELS,
  DEFAULT_REQUEST_TIMEOUT_NS,
  type PriorityLevelSpec,
} from "./bootstrap.js";
import { computeConcurrencyAllocation } from "./conc-alloc.js";
import { computeConcurrencyLimits, type ConcurrencyLimits } from "./concurrency-limits.js";
import { IdRings } from "./id-rings.js";
import { ReqState, RequestTable } from "./request-table.js";
import { SeatDemand } from "./seat-demand.js";
import { Dealer, MAX_HAND_SIZE } from "./shuffle-sharding.js";

/** Per priority level: its configuration (fixed for the run) and its queueSet's state. */
const Levels = columnTable({
  exempt: "Uint8",
  /** Has queues (limitResponse Queue); 0 for exempt and Reject levels. */
  queued: "Uint8",
  /** Global index of the level's first queue, its queue count and queue length limit. */
  queueBase: "Int32",
  numQueues: "Int32",
  queueLengthLimit: "Int32",
  /** The concurrency limit in force now. */
  currentCL: "Int32",
  seatsInUse: "Int32",
  seatsWaiting: "Int32",
  /** Requests waiting in the level's queues, and executing. */
  waiting: "Int32",
  executing: "Int32",
  /** Queues with waiting or executing requests. */
  activeQueues: "Int32",
  /** The level's queue index the last dispatch took from (the round-robin start). */
  robin: "Int32",
  enqueues: "Float64",
  /** Virtual time R, in seat-ns, and when it was last advanced. */
  currentR: "Float64",
  lastSyncNs: "Float64",
  dispatchedCount: "Float64",
  rejectedCount: "Float64",
  timedOutCount: "Float64",
  /** The level's queue wait timer is pending (1), and its handle. */
  timerArmed: "Uint8",
  timerHandle: "Float64",
});

/** Per queue of every level: its queueSet queue state. */
const Queues = columnTable({
  /** Waiting requests (those that timed out excluded). */
  live: "Int32",
  seatsInUse: "Int32",
  executing: "Int32",
  maxSeatsSum: "Int32",
  /** Has waiting or executing requests (counted in its level's activeQueues). */
  active: "Uint8",
  /** The R at which the queue's next request may be dispatched. */
  nextR: "Float64",
  /** Work (seats * G) of its waiting requests. */
  workSum: "Float64",
});

/** Options of {@link PriorityAndFairness}; every field defaults to upstream's value. */
export interface ApfConfig {
  /** --max-requests-inflight (400). */
  readonly maxRequestsInflight?: number;
  /** --max-mutating-requests-inflight (200). */
  readonly maxMutatingRequestsInflight?: number;
  /** Overrides the server concurrency limit (otherwise the sum of the two flags above). */
  readonly serverConcurrencyLimit?: number;
  /** Priority levels; level ids are positions in this list. Default DEFAULT_PRIORITY_LEVELS. */
  readonly levels?: readonly PriorityLevelSpec[];
  /** --request-timeout (60 s); a queued request waits at most a quarter of it, at most 1 min. */
  readonly requestTimeoutNs?: number;
  /** Overrides the queue wait limit derived from requestTimeoutNs. */
  readonly queueWaitLimitNs?: number;
  /** The G of fair queuing: a request's assumed service time (3 ms). */
  readonly estimatedServiceNs?: number;
  /** Borrowing between levels (on since v1.26); when false every level keeps its nominal limit. */
  readonly borrowing?: boolean;
  /** Period of the borrowing adjustment (10 s). */
  readonly borrowingPeriodNs?: number;
}

/** Outcome of {@link PriorityAndFairness.admit}. */
export type AdmitResult = "dispatched" | "queued" | "rejected";

/** A snapshot of one level, for reports and tests (not for hot paths). */
export interface ApfLevelStats {
  readonly name: string;
  readonly nominalCL: number;
  readonly minCL: number;
  readonly maxCL: number;
  /** The limit in force now (nominal without borrowing). */
  readonly currentCL: number;
  readonly executingRequests: number;
  readonly executingSeats: number;
  readonly waitingRequests: number;
  readonly waitingSeats: number;
  readonly dispatched: number;
  /** Rejected requests (429): queue full, concurrency limit (Reject levels) and queue timeouts. */
  readonly rejected: number;
  /** Of the rejected, those that timed out in their queue. */
  readonly timedOut: number;
}

const COMPONENT = "apiserver/apf";
/** model: apf_filter priority-and-fairness.go getRequestWaitContext caps the wait at 1 minute. */
const MAX_QUEUE_WAIT_NS = NS_PER.m;
/** model: fairqueuing/queueset/queueset.go `estimatedServiceDuration: 3 * time.Millisecond`. */
const DEFAULT_ESTIMATED_SERVICE_NS = 3 * NS_PER.ms;
/** model: apf_controller.go borrowingAdjustmentPeriod = 10 * time.Second. */
const DEFAULT_BORROWING_PERIOD_NS = 10 * NS_PER.s;

/**
 * kube-apiserver API Priority and Fairness: priority levels with concurrency limits in seats,
 * shuffle-sharded fair queues per level, 429 on overflow, queue wait timeouts, and periodic
 * borrowing of seats between levels.
 *
 * Use: classify a client once (`classify`), then for each request `admit(id, level, flowHash,
 * seats, onDispatch)`; when it returns "dispatched" the request runs now; "queued" means
 * `onDispatch(id, 0)` fires when it gets its seats or `onDispatch(id, -1)` when it waited longer
 * than `queueWaitLimitNs` (a 429); "rejected" is an immediate 429. Call `finish(id)` exactly once
 * when a dispatched request completes. Request ids are dense, increasing, never reused, < 2^31.
 *
 * model: staging/src/k8s.io/apiserver/pkg/util/flowcontrol/fairqueuing/queueset/queueset.go
 * (StartRequest, shuffleShardLocked, rejectOrEnqueueToBoundLocked, dispatchLocked,
 * findDispatchQueueToBoundLocked, finishRequestLocked, boundNextDispatchLocked,
 * getVirtualTimeRatioLocked) for one queueSet per level, and apf_controller.go for limits and
 * borrowing. Simplifications, each marked `model:` below: R is a float64 in seat-nanoseconds
 * (upstream: fixed point, 1e-8 seat-seconds, with epoch advance); requests have no final seats
 * (no AdditionalLatency); the configuration is fixed for the run (no queue set reconfiguration).
 */
export class PriorityAndFairness {
  /** Level names; a level id is an index here. */
  readonly levelNames: readonly string[];
  readonly levels: readonly PriorityLevelSpec[];
  /** Seats shared by the non-exempt levels: max-requests-inflight + max-mutating-requests-inflight. */
  readonly serverConcurrencyLimit: number;
  /** Nominal, min, max limits and seat caps per level. */
  readonly limits: ConcurrencyLimits;
  readonly queueWaitLimitNs: number;
  readonly estimatedServiceNs: number;
  readonly borrowing: boolean;
  readonly borrowingPeriodNs: number;

  private readonly engine: Engine;
  private readonly kTimeout: EventKind;
  private readonly kTick: EventKind;
  private readonly nLevels: number;

  private readonly dealers: (Dealer | undefined)[];
  /** Queued request ids per level in arrival order, for the queue wait timeouts. */
  private readonly levelFifo: IdRings;
  /** The queues' request ids (global queue index = level's base + queue index). */
  private readonly queues: IdRings;
  /** The levels' configuration and state (a level id is its row). */
  private readonly lv = new Levels(8);
  /** The queues' state (a global queue index is its row). */
  private readonly qs = new Queues(64);

  private readonly req: RequestTable;
  private readonly demand: SeatDemand;
  private readonly hand = new Int32Array(MAX_HAND_SIZE);
  private tickArmed = false;
  private lastTickNs: number;
  private admittingId = -1;
  private admittedNow = false;

  constructor(engine: Engine, config: ApfConfig = {}) {
    this.engine = engine;
    const levels = config.levels ?? DEFAULT_PRIORITY_LEVELS;
    if (levels.length === 0) throw new RangeError("APF needs at least one priority level");
    const names = new Set<string>();
    for (const l of levels) {
      if (names.has(l.name)) throw new RangeError(`duplicate priority level ${l.name}`);
      names.add(l.name);
    }
    this.levels = levels;
    this.levelNames = levels.map((l) => l.name);
    this.nLevels = levels.length;
    // model: staging/src/k8s.io/apiserver/pkg/server/options/recommended.go passes
    // MaxRequestsInFlight + MaxMutatingRequestsInFlight as the server concurrency limit.
    this.serverConcurrencyLimit =
      config.serverConcurrencyLimit ??
      (config.maxRequestsInflight ?? DEFAULT_MAX_REQUESTS_INFLIGHT) +
        (config.maxMutatingRequestsInflight ?? DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT);
    if (!(this.serverConcurrencyLimit > 0)) throw new RangeError("server concurrency limit must be positive");
    this.limits = computeConcurrencyLimits(this.serverConcurrencyLimit, levels);
    // model: server/config.go passes RequestTimeout/4 as the default wait limit, and
    // priority-and-fairness.go getRequestWaitContext lets a request with a deadline (the
    // request timeout, 60 s by default) wait a quarter of it, never more than 1 minute: 15 s.
    this.queueWaitLimitNs =
      config.queueWaitLimitNs ??
      Math.min(Math.floor((config.requestTimeoutNs ?? DEFAULT_REQUEST_TIMEOUT_NS) / 4), MAX_QUEUE_WAIT_NS);
    this.estimatedServiceNs = config.estimatedServiceNs ?? DEFAULT_ESTIMATED_SERVICE_NS;
    this.borrowing = config.borrowing ?? true;
    this.borrowingPeriodNs = config.borrowingPeriodNs ?? DEFAULT_BORROWING_PERIOD_NS;

    const n = this.nLevels;
    const lv = this.lv;
    lv.addRows(n);
    this.dealers = [];
    let totalQueues = 0;
    for (let i = 0; i < n; i++) {
      const l = levels[i]!;
      lv.exempt[i] = l.exempt ? 1 : 0;
      lv.queueBase[i] = totalQueues;
      if (!l.exempt && l.queuing !== undefined) {
        lv.queued[i] = 1;
        lv.numQueues[i] = l.queuing.queues;
        lv.queueLengthLimit[i] = l.queuing.queueLengthLimit;
        this.dealers.push(new Dealer(l.queuing.queues, l.queuing.handSize));
        totalQueues += l.queuing.queues;
      } else {
        this.dealers.push(undefined);
      }
    }
    lv.currentCL.set(this.limits.nominal);
    lv.lastSyncNs.fill(engine.now);
    this.levelFifo = new IdRings(n, 64);
    this.queues = new IdRings(totalQueues, 8);
    this.qs.addRows(totalQueues);
    this.req = new RequestTable(1024);
    this.demand = new SeatDemand(n, engine.now);
    this.lastTickNs = engine.now;
    this.kTimeout = engine.register("apf.queueTimeout", (level) => this.onTimeout(level));
    this.kTick = engine.register("apf.borrowingAdjustment", () => this.onTick());
    // model: apf_controller.go finishQueueSetReconfigsLocked ends with updateBorrowingLocked, so
    // the first limits in force already come from the allocation (with zero demand every level
    // gets its minCL scaled up to share all the nominal seats).
    if (this.borrowing) this.adjustBorrowing(engine.now);
  }

  /** The id of a level by name, or -1. */
  levelIndex(name: string): number {
    return this.levelNames.indexOf(name);
  }

  /** The most seats one request of this level may take (the work estimator's cap). */
  maxSeats(level: number): number {
    return this.limits.maxSeats[level]!;
  }

  /** The concurrency limit in force now. */
  concurrencyLimit(level: number): number {
    return this.lv.currentCL[level]!;
  }

  /** Seats held by executing requests. */
  executingSeats(level: number): number {
    return this.lv.seatsInUse[level]!;
  }

  /** Requests waiting in the level's queues. */
  waitingRequests(level: number): number {
    return this.lv.waiting[level]!;
  }

  /** A snapshot of one level. */
  stats(level: number): ApfLevelStats {
    const lv = this.lv;
    return {
      name: this.levelNames[level]!,
      nominalCL: this.limits.nominal[level]!,
      minCL: this.limits.min[level]!,
      maxCL: this.limits.max[level]!,
      currentCL: lv.currentCL[level]!,
      executingRequests: lv.executing[level]!,
      executingSeats: lv.seatsInUse[level]!,
      waitingRequests: lv.waiting[level]!,
      waitingSeats: lv.seatsWaiting[level]!,
      dispatched: lv.dispatchedCount[level]!,
      rejected: lv.rejectedCount[level]!,
      timedOut: lv.timedOutCount[level]!,
    };
  }

  /** True when no request is executing or waiting at any level. */
  isIdle(): boolean {
    const lv = this.lv;
    for (let l = 0; l < this.nLevels; l++) {
      if (lv.executing[l]! > 0 || lv.waiting[l]! > 0) return false;
    }
    return true;
  }

  /**
   * Admits a request of `seats` seats (its width; 1 for most requests, more for big LISTs) on a
   * level, for the flow with hash `flowHash` (from `classify`, any integer in [0, 2^53)).
   * Returns "dispatched" (holds its seats now; call `finish`), "queued" (`onDispatch(id, 0)` or
   * `onDispatch(id, -1)` fires later), or "rejected" (429 now).
   */
  admit(requestId: number, level: number, flowHash: number, seats: number, onDispatch: EventKind): AdmitResult {
    const lv = this.lv;
    if (!(level >= 0 && level < this.nLevels)) throw new RangeError(`bad priority level ${level}`);
    if (!(seats >= 1) || !Number.isInteger(seats)) throw new RangeError(`bad seat count ${seats}`);
    const now = this.engine.now;
    if (this.borrowing && !this.tickArmed) this.rearmTick(now);
    const req = this.req;
    if (lv.exempt[level] === 1) {
      this.startSansQueue(req.claim(requestId), level, seats, onDispatch, now);
      return "dispatched";
    }
    if (lv.queued[level] === 0) {
      // model: queueset.go StartRequest step 0 (no queues, limitResponse Reject): reject unless
      // the seats fit now.
      if (!this.canAccommodate(level, seats)) {
        lv.rejectedCount[level]!++;
        return "rejected";
      }
      this.startSansQueue(req.claim(requestId), level, seats, onDispatch, now);
      return "dispatched";
    }
    this.syncTime(level, now);
    const g = lv.queueBase[level]! + this.shuffleShard(level, flowHash);
    // model: queueset.go rejectOrEnqueueToBoundLocked: reject only when the level is out of
    // seats AND the chosen queue is at its length limit.
    if (lv.seatsInUse[level]! >= lv.currentCL[level]! && this.qs.live[g]! >= lv.queueLengthLimit[level]!) {
      lv.rejectedCount[level]!++;
      return "rejected";
    }
    const s = req.claim(requestId);
    req.level[s] = level;
    req.seats[s] = seats;
    req.kind[s] = onDispatch;
    req.arrivalNs[s] = now;
    req.startNs[s] = 0;
    this.enqueue(g, s, requestId);
    this.boundNextDispatch(g);
    this.setDemand(level, now);
    this.admittingId = requestId;
    this.admittedNow = false;
    // perf: when this request is the level's only waiter its queue is the only non-empty one,
    // which is what the round-robin scan would find; skip the scan.
    if (lv.waiting[level] === 1) {
      if (lv.seatsInUse[level]! < lv.currentCL[level]!)
        this.dispatchFrom(level, g - lv.queueBase[level]!, this.liveHead(g));
    } else {
      this.dispatchAll(level);
    }
    this.admittingId = -1;
    if (this.admittedNow) return "dispatched";
    this.levelFifo.push(level, requestId);
    if (lv.timerArmed[level] === 0) {
      lv.timerArmed[level] = 1;
      lv.timerHandle[level] = this.engine.scheduleAt(now + this.queueWaitLimitNs, this.kTimeout, level, 0);
    }
    return "queued";
  }

  /**
   * Ends a dispatched request: frees its seats and dispatches waiters (their `onDispatch` fires
   * at the current time). Throws if the request is not executing.
   */
  finish(requestId: number): void {
    const lv = this.lv;
    const qs = this.qs;
    const req = this.req;
    const s = req.find(requestId);
    if (s < 0 || req.state[s] !== ReqState.executing) {
      throw new SimulationError(COMPONENT, this.engine.now, `finish of request ${requestId}, which is not executing`);
    }
    const now = this.engine.now;
    const level = req.level[s]!;
    const seats = req.seats[s]!;
    const g = req.queue[s]!;
    if (g >= 0) this.syncTime(level, now);
    lv.executing[level]!--;
    lv.seatsInUse[level]! -= seats;
    req.state[s] = ReqState.free;
    if (g >= 0) {
      qs.executing[g]!--;
      qs.seatsInUse[g]! -= seats;
      // model: queueset.go finishRequestLocked: the queue's next dispatch R moves back by
      // (G - actual service time) * seats, so a queue is charged for the real service it got.
      qs.nextR[g]! -= seats * (this.estimatedServiceNs - (now - req.startNs[s]!));
      this.boundNextDispatch(g);
      this.touch(g, level);
    }
    this.setDemand(level, now);
    if (g >= 0) this.dispatchAll(level);
  }

  // ---- queueSet mechanics -------------------------------------------------------------------

  /**
   * Advances the level's virtual time R to now.
   * model: queueset.go syncTimeLocked / getVirtualTimeRatioLocked: R grows at
   * min(seats requested, concurrency limit) / active queues, where seats requested = seats in
   * use + seats waiting and a queue is active while it has waiting or executing requests.
   * perf: both sums are kept incrementally instead of looping over the queues.
   * model: R is a float64 in seat-ns with no epoch advance (upstream: fixed-point uint64).
   */
  private syncTime(level: number, now: number): void {
    const lv = this.lv;
    const dt = now - lv.lastSyncNs[level]!;
    if (dt <= 0) return;
    lv.lastSyncNs[level] = now;
    const aq = lv.activeQueues[level]!;
    if (aq === 0) return;
    const requested = lv.seatsInUse[level]! + lv.seatsWaiting[level]!;
    const cl = lv.currentCL[level]!;
    lv.currentR[level]! += ((requested < cl ? requested : cl) / aq) * dt;
  }

  /** model: queueset.go canAccommodateSeatsLocked. */
  private canAccommodate(level: number, seats: number): boolean {
    const lv = this.lv;
    if (lv.exempt[level] === 1) return true;
    const cl = lv.currentCL[level]!;
    if (seats > cl) return lv.executing[level] === 0;
    return lv.seatsInUse[level]! + seats <= cl;
  }

  /** Starts a request of an exempt or Reject level at once. model: queueset.go dispatchSansQueueLocked. */
  private startSansQueue(s: number, level: number, seats: number, kind: EventKind, now: number): void {
    const lv = this.lv;
    const req = this.req;
    req.state[s] = ReqState.executing;
    req.level[s] = level;
    req.queue[s] = -1;
    req.seats[s] = seats;
    req.kind[s] = kind;
    req.arrivalNs[s] = now;
    req.startNs[s] = now;
    lv.executing[level]!++;
    lv.seatsInUse[level]! += seats;
    lv.dispatchedCount[level]!++;
    this.setDemand(level, now);
  }

  /**
   * Picks the request's queue within its level.
   * model: queueset.go shuffleShardLocked: deal the flow's hand, then visit it starting at
   * offset (enqueues mod handSize) and take the first queue with the least waiting work
   * (sum over its waiting requests of seats * G). Note: upstream v1.30 compares waiting work
   * only, not executing seats.
   */
  private shuffleShard(level: number, flowHash: number): number {
    const lv = this.lv;
    const dealer = this.dealers[level]!;
    const hand = dealer.dealIntoHand(flowHash, this.hand);
    const h = dealer.handSize;
    const offset = lv.enqueues[level]! % h;
    lv.enqueues[level]!++;
    const base = lv.queueBase[level]!;
    const work = this.qs.workSum;
    let best = -1;
    let bestWork = Infinity;
    for (let i = 0; i < h; i++) {
      let k = offset + i;
      if (k >= h) k -= h;
      const q = hand[k]!;
      const w = work[base + q]!;
      if (w < bestWork) {
        bestWork = w;
        best = q;
      }
    }
    return best;
  }

  /** model: queueset.go enqueueToBoundLocked: an idle queue starts at the current R. */
  private enqueue(g: number, s: number, id: number): void {
    const lv = this.lv;
    const qs = this.qs;
    const req = this.req;
    const level = req.level[s]!;
    const seats = req.seats[s]!;
    if (qs.live[g] === 0 && qs.executing[g] === 0) qs.nextR[g] = lv.currentR[level]!;
    req.state[s] = ReqState.waiting;
    req.queue[s] = g;
    req.arrivalR[s] = lv.currentR[level]!;
    this.queues.push(g, id);
    qs.live[g]!++;
    qs.workSum[g]! += seats * this.estimatedServiceNs;
    qs.maxSeatsSum[g]! += seats;
    lv.waiting[level]!++;
    lv.seatsWaiting[level]! += seats;
    this.touch(g, level);
  }

  /**
   * Slot of the oldest waiting request of queue `g`, or -1.
   * perf: requests that left a queue by timing out stay in its ring and are dropped here lazily.
   */
  private liveHead(g: number): number {
    const rings = this.queues;
    const req = this.req;
    for (;;) {
      const id = rings.peek(g);
      if (id < 0) return -1;
      const s = req.find(id);
      if (s >= 0 && req.state[s] === ReqState.waiting) return s;
      rings.shift(g);
    }
  }

  /**
   * model: queueset.go boundNextDispatchLocked (anti-windup): a queue's next dispatch R is never
   * before the arrival R of its oldest waiting request.
   */
  private boundNextDispatch(g: number): void {
    const qs = this.qs;
    if (qs.live[g] === 0) return;
    const s = this.liveHead(g);
    const bound = this.req.arrivalR[s]!;
    if (qs.nextR[g]! < bound) qs.nextR[g] = bound;
  }

  /** Keeps the level's count of active queues in step with queue `g`. */
  private touch(g: number, level: number): void {
    const qs = this.qs;
    const active = qs.live[g]! > 0 || qs.executing[g]! > 0 ? 1 : 0;
    if (active !== qs.active[g]) {
      qs.active[g] = active;
      this.lv.activeQueues[level]! += active === 1 ? 1 : -1;
    }
  }

  /** model: queueset.go dispatchAsMuchAsPossibleLocked. */
  private dispatchAll(level: number): void {
    const lv = this.lv;
    while (lv.waiting[level]! > 0 && lv.seatsInUse[level]! < lv.currentCL[level]! && this.dispatchOne(level)) {
      // keep dispatching
    }
  }

  /**
   * Dispatches the head of the queue with the smallest virtual finish time, if its seats fit.
   * model: queueset.go findDispatchQueueToBoundLocked + dispatchLocked: scan queues round-robin
   * from the one after the last dispatched, finish R = nextDispatchR + head's work (seats * G),
   * strict minimum; if the head does not fit, dispatch nothing; else the queue's nextDispatchR
   * advances by the head's work and the round-robin index moves to it.
   */
  private dispatchOne(level: number): boolean {
    const lv = this.lv;
    const qs = this.qs;
    const base = lv.queueBase[level]!;
    const nq = lv.numQueues[level]!;
    const qLive = qs.live;
    const qNextR = qs.nextR;
    const req = this.req;
    const G = this.estimatedServiceNs;
    let r = lv.robin[level]!;
    let minFinish = Infinity;
    let minIdx = -1;
    let minSlot = -1;
    for (let k = 0; k < nq; k++) {
      r = r + 1 === nq ? 0 : r + 1;
      const g = base + r;
      if (qLive[g] === 0) continue;
      const s = this.liveHead(g);
      const finish = qNextR[g]! + req.seats[s]! * G;
      if (finish < minFinish) {
        minFinish = finish;
        minIdx = r;
        minSlot = s;
      }
    }
    if (minIdx < 0) return false;
    return this.dispatchFrom(level, minIdx, minSlot);
  }

  /**
   * Dispatches request slot `s`, which must be the live head of the level's queue `qi` (as
   * liveHead returns it), if its seats fit; the second half of dispatchOne.
   */
  private dispatchFrom(level: number, qi: number, s: number): boolean {
    const lv = this.lv;
    const qs = this.qs;
    const req = this.req;
    const seats = req.seats[s]!;
    if (!this.canAccommodate(level, seats)) return false;
    const g = lv.queueBase[level]! + qi;
    const qNextR = qs.nextR;
    const G = this.estimatedServiceNs;
    this.queues.shift(g);
    lv.robin[level] = qi;
    const now = this.engine.now;
    const work = seats * G;
    qs.live[g]!--;
    qs.workSum[g]! -= work;
    qs.maxSeatsSum[g]! -= seats;
    lv.waiting[level]!--;
    lv.seatsWaiting[level]! -= seats;
    if (lv.waiting[level] === 0) this.dropTimeoutTimer(level);
    req.state[s] = ReqState.executing;
    req.startNs[s] = now;
    lv.executing[level]!++;
    lv.seatsInUse[level]! += seats;
    qs.executing[g]!++;
    qs.seatsInUse[g]! += seats;
    lv.dispatchedCount[level]!++;
    qNextR[g]! += work;
    this.boundNextDispatch(g);
    this.touch(g, level);
    this.setDemand(level, now);
    const id = req.id[s]!;
    if (id === this.admittingId) this.admittedNow = true;
    else this.engine.schedule(0, req.kind[s]! as EventKind, id, 0);
    return true;
  }

  /**
   * Cancels the level's timeout timer once nothing waits (its FIFO then holds only requests
   * that left their queues), so an idle engine can drain.
   */
  private dropTimeoutTimer(level: number): void {
    const lv = this.lv;
    if (lv.timerArmed[level] === 1) {
      this.engine.cancel(lv.timerHandle[level]! as EventHandle);
      lv.timerArmed[level] = 0;
    }
    this.levelFifo.clear(level);
  }

  private setDemand(level: number, now: number): void {
    const lv = this.lv;
    this.demand.set(level, lv.seatsInUse[level]! + lv.seatsWaiting[level]!, now);
  }

  // ---- queue wait timeouts ------------------------------------------------------------------

  /**
   * perf: one pending timer per level, for its oldest waiting request: every request of a level
   * has the same wait limit, so deadlines come in arrival order.
   */
  private onTimeout(level: number): void {
    const lv = this.lv;
    lv.timerArmed[level] = 0;
    const now = this.engine.now;
    const fifo = this.levelFifo;
    const req = this.req;
    for (;;) {
      const id = fifo.peek(level);
      if (id < 0) return;
      const s = req.find(id);
      if (s < 0 || req.state[s] !== ReqState.waiting) {
        fifo.shift(level);
        continue;
      }
      const deadline = req.arrivalNs[s]! + this.queueWaitLimitNs;
      if (deadline > now) {
        lv.timerArmed[level] = 1;
        lv.timerHandle[level] = this.engine.scheduleAt(deadline, this.kTimeout, level, 0);
        return;
      }
      fifo.shift(level);
      this.timeOut(level, s, id, now);
    }
  }

  /**
   * model: queueset.go request.wait on decisionCancel: the request leaves its queue, counts as
   * rejected (reason "time-out"), and the queue's next dispatch R is re-bounded.
   */
  private timeOut(level: number, s: number, id: number, now: number): void {
    const lv = this.lv;
    const qs = this.qs;
    this.syncTime(level, now);
    const req = this.req;
    const g = req.queue[s]!;
    const seats = req.seats[s]!;
    const kind = req.kind[s]! as EventKind;
    req.state[s] = ReqState.free;
    qs.live[g]!--;
    qs.workSum[g]! -= seats * this.estimatedServiceNs;
    qs.maxSeatsSum[g]! -= seats;
    // Entries of requests that timed out stay in the ring (dropped lazily by liveHead) unless the
    // queue has no live request left, in which case all of them go now.
    if (qs.live[g] === 0) this.queues.clear(g);
    lv.waiting[level]!--;
    lv.seatsWaiting[level]! -= seats;
    lv.rejectedCount[level]!++;
    lv.timedOutCount[level]!++;
    this.boundNextDispatch(g);
    this.touch(g, level);
    this.setDemand(level, now);
    this.engine.schedule(0, kind, id, -1);
  }

  // ---- borrowing ----------------------------------------------------------------------------

  private onTick(): void {
    const now = this.engine.now;
    this.lastTickNs = now;
    this.adjustBorrowing(now);
    if (this.isIdle()) this.tickArmed = false;
    else this.engine.scheduleAt(now + this.borrowingPeriodNs, this.kTick, 0, 0);
  }

  /**
   * perf: the adjustment timer stops while APF is idle (so an idle engine can drain); the next
   * admit replays the missed adjustments at once: with zero demand throughout, k periods only
   * scale each smoothed demand by 0.977^k (model: equal to k separate adjustments up to float
   * rounding), and only the last allocation matters.
   */
  private rearmTick(now: number): void {
    const period = this.borrowingPeriodNs;
    const k = Math.floor((now - this.lastTickNs) / period);
    if (k > 0) {
      const end = this.lastTickNs + k * period;
      for (let l = 0; l < this.nLevels; l++) this.demand.skipIdlePeriods(l, k, end);
      this.allocate(now);
      this.lastTickNs = end;
    }
    this.tickArmed = true;
    this.engine.scheduleAt(this.lastTickNs + period, this.kTick, 0, 0);
  }

  /** model: apf_controller.go updateBorrowingLocked: close the demand period, then allocate. */
  private adjustBorrowing(now: number): void {
    for (let l = 0; l < this.nLevels; l++) this.demand.resetAndUpdate(l, now);
    this.allocate(now);
  }

  /**
   * model: apf_controller.go updateBorrowingLocked: per level lowerBound = max(minCL,
   * min(nominalCL, seat demand high watermark)), upperBound = maxCL, target = max(lowerBound,
   * smoothed demand); the sum of nominal limits is divided by computeConcurrencyAllocation and
   * each level's limit becomes round(alloc); on failure the limits stay. Each level then
   * dispatches what its new limit allows (queueSet setConfiguration).
   */
  private allocate(now: number): void {
    const lv = this.lv;
    const n = this.nLevels;
    const lim = this.limits;
    const lower = new Float64Array(n);
    const upper = new Float64Array(n);
    const target = new Float64Array(n);
    for (let l = 0; l < n; l++) {
      const lo = Math.max(lim.min[l]!, Math.min(lim.nominal[l]!, this.demand.highWatermark[l]!));
      lower[l] = lo;
      upper[l] = lim.max[l]!;
      target[l] = Math.max(lo, this.demand.smoothed[l]!);
    }
    const res = computeConcurrencyAllocation(lim.nominalSum, target, lower, upper);
    if (!res.ok) return;
    for (let l = 0; l < n; l++) {
      const cl = Math.round(res.allocs[l]!);
      if (lv.queued[l] === 1) this.syncTime(l, now);
      lv.currentCL[l] = cl;
      if (lv.queued[l] === 1) this.dispatchAll(l);
    }
  }
}
