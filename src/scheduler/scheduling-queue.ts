import type { ValueOf } from "../core/names-of.js";
import FastPriorityQueue from "fastpriorityqueue";
import { NS_PER } from "../core/time.js";
import { columnTable } from "../core/column-table.js";

/** Where a pod is in the scheduling queue. */
export const QueueLoc = { none: 0, active: 1, backoff: 2, errorBackoff: 3, unschedulable: 4, inFlight: 5 } as const;
export type QueueLoc = ValueOf<typeof QueueLoc>;

/** model: backend/queue/scheduling_queue.go DefaultPodMaxInUnschedulablePodsDuration = 5 min. */
export const POD_MAX_IN_UNSCHEDULABLE_NS = 5 * 60 * NS_PER.s;
/** model: backoff_queue.go backoffQOrderingWindowDuration = 1 s (also the backoffQ flush period). */
export const BACKOFF_WINDOW_NS = NS_PER.s;
/** model: scheduling_queue.go Run: flushUnschedulablePodsLeftover every 30 s. */
export const UNSCHEDULABLE_FLUSH_NS = 30 * NS_PER.s;

/** How a requeue decision comes out (upstream queueingStrategy). */
export const Requeue = { skip: 0, afterBackoff: 1, immediately: 2 } as const;

/** What the queue needs to know about pods. */
export interface QueueHost {
  priority(pod: number): number;
  /** QueueSort less. */
  less(aPriority: number, aTimestampNs: number, bPriority: number, bTimestampNs: number): boolean;
}

/** Per pod queue state (QueuedPodInfo): where the pod is, and what the queue knows of it. */
const QueuedPods = columnTable({
  loc: "Uint8",
  /** QueuedPodInfo.Timestamp: when the pod was (re)added to the queue. */
  timestamp: "Float64",
  /** QueuedPodInfo.Attempts. */
  attempts: "Int32",
  /** Bitmask of the plugins that rejected the pod last (UnschedulablePlugins). */
  plugins: "Int32",
  unschedIndex: { type: "Int32", unset: -1 },
});

/**
 * kube-scheduler's PriorityQueue over pod indices: activeQ in QueueSort order; backoffQ (pods
 * rejected by plugins) and errorBackoffQ (pods that hit an error) ordered by backoff expiry;
 * unschedulable pods waiting for a cluster event or the 5-minute leftover flush; the in-flight
 * pod. Backoff is 1 s doubling per attempt up to 10 s, the expiry truncated to the 1-second
 * ordering window; when activeQ is empty Pop takes the head of backoffQ (SchedulerPopFromBackoffQ,
 * on by default since v1.33). model: pkg/scheduler/backend/queue (scheduling_queue.go,
 * active_queue.go, backoff_queue.go).
 */
export class SchedulingQueue {
  readonly initialBackoffNs: number;
  readonly maxBackoffNs: number;
  private readonly info = new QueuedPods(1024);
  private readonly active: FastPriorityQueue<number>;
  private readonly backoff: FastPriorityQueue<number>;
  private readonly errorBackoff: FastPriorityQueue<number>;
  /** Unschedulable pods in a dense list (swap-remove keeps it compact and deterministic). */
  private readonly unsched: number[] = [];
  /** Scheduling cycles so far (upstream SchedulingCycle). */
  cycle = 0;
  private unionCache = 0;
  private unionDirty = false;

  constructor(host: QueueHost, initialBackoffNs: number, maxBackoffNs: number) {
    this.initialBackoffNs = initialBackoffNs;
    this.maxBackoffNs = maxBackoffNs;
    const activeLess = (a: number, b: number) => {
      const pa = host.priority(a);
      const pb = host.priority(b);
      const ta = this.info.timestamp[a]!;
      const tb = this.info.timestamp[b]!;
      if (host.less(pa, ta, pb, tb)) return true;
      if (host.less(pb, tb, pa, ta)) return false;
      return a < b;
    };
    this.active = new FastPriorityQueue<number>(activeLess);
    // model: lessBackoffCompletedWithPriority: by expiry, then as activeQ within a window.
    this.backoff = new FastPriorityQueue<number>((a, b) => {
      const ea = this.backoffExpiry(a);
      const eb = this.backoffExpiry(b);
      return ea < eb || (ea === eb && activeLess(a, b));
    });
    this.errorBackoff = new FastPriorityQueue<number>((a, b) => {
      const ea = this.backoffExpiry(a);
      const eb = this.backoffExpiry(b);
      return ea < eb || (ea === eb && a < b);
    });
  }

  where(pod: number): QueueLoc {
    return pod < this.info.capacity ? (this.info.loc[pod]! as QueueLoc) : QueueLoc.none;
  }

  attemptsOf(pod: number): number {
    return this.info.attempts[pod]!;
  }

  rejectorsOf(pod: number): number {
    return this.info.plugins[pod]!;
  }

  get activeSize(): number {
    return this.active.size;
  }

  get backoffSize(): number {
    return this.backoff.size + this.errorBackoff.size;
  }

  get unschedulableSize(): number {
    return this.unsched.length;
  }

  /** A new pending pod enters activeQ. model: PriorityQueue.Add. */
  add(pod: number, nowNs: number): void {
    this.info.ensureRow(pod);
    if (this.info.loc[pod] !== QueueLoc.none) return;
    this.info.timestamp[pod] = nowNs;
    this.info.attempts[pod] = 0;
    this.info.plugins[pod] = 0;
    this.info.loc[pod] = QueueLoc.active;
    this.active.add(pod);
  }

  /** The next pod to schedule, or -1. Counts an attempt. model: activeQueue.pop with backoffQ fallback. */
  pop(): number {
    let pod = this.active.poll();
    if (pod === undefined) pod = this.backoff.poll();
    if (pod === undefined) return -1;
    this.info.loc[pod] = QueueLoc.inFlight;
    this.info.attempts[pod]!++;
    this.cycle++;
    return pod;
  }

  /**
   * model: backoff_queue.go calculateBackoffDuration: initial x 2^(attempts-1), capped at max;
   * the expiry Timestamp + duration truncated to the 1-second window.
   */
  backoffExpiry(pod: number): number {
    const a = this.info.attempts[pod]!;
    if (a === 0) return 0;
    let d = this.initialBackoffNs;
    for (let i = 1; i < a; i++) {
      if (d > this.maxBackoffNs - d) {
        d = this.maxBackoffNs;
        break;
      }
      d += d;
    }
    const t = this.info.timestamp[pod]! + d;
    return t - (t % BACKOFF_WINDOW_NS);
  }

  /** model: isPodBackingoff: the expiry is not before the current window. */
  isBackingOff(pod: number, nowNs: number): boolean {
    return this.backoffExpiry(pod) >= nowNs - (nowNs % BACKOFF_WINDOW_NS);
  }

  /**
   * Puts back a pod whose cycle failed. `rejectors` is the plugin bitmask (0 for an error);
   * `requeue` says whether an event during its cycle may have made it schedulable.
   * model: AddUnschedulableIfNotPresent with queueing hints (requeuePodViaQueueingHint).
   */
  addUnschedulable(pod: number, rejectors: number, requeue: number, nowNs: number): QueueLoc {
    this.info.timestamp[pod] = nowNs;
    this.info.plugins[pod] = rejectors;
    if (rejectors === 0) {
      this.info.loc[pod] = QueueLoc.errorBackoff;
      this.errorBackoff.add(pod);
      return QueueLoc.errorBackoff;
    }
    return this.requeue(pod, requeue, nowNs);
  }

  private requeue(pod: number, strategy: number, nowNs: number): QueueLoc {
    if (strategy === Requeue.skip) {
      this.toUnschedulable(pod);
      return QueueLoc.unschedulable;
    }
    if (strategy === Requeue.afterBackoff && this.isBackingOff(pod, nowNs)) {
      this.info.loc[pod] = QueueLoc.backoff;
      this.backoff.add(pod);
      return QueueLoc.backoff;
    }
    this.info.loc[pod] = QueueLoc.active;
    this.active.add(pod);
    return QueueLoc.active;
  }

  /** Union of the rejector bitmasks of all unschedulable pods (to skip events nobody waits for). */
  rejectorUnion(): number {
    if (this.unionDirty) {
      let u = 0;
      for (const pod of this.unsched) u |= this.info.plugins[pod]!;
      this.unionCache = u;
      this.unionDirty = false;
    }
    return this.unionCache;
  }

  private toUnschedulable(pod: number): void {
    this.unionDirty = true;
    this.info.loc[pod] = QueueLoc.unschedulable;
    this.info.unschedIndex[pod] = this.unsched.length;
    this.unsched.push(pod);
  }

  private removeUnschedulable(pod: number): void {
    this.unionDirty = true;
    const i = this.info.unschedIndex[pod]!;
    const last = this.unsched.pop()!;
    if (last !== pod) {
      this.unsched[i] = last;
      this.info.unschedIndex[last] = i;
    }
    this.info.unschedIndex[pod] = -1;
    this.info.loc[pod] = QueueLoc.none;
  }

  /**
   * Removes a deleted pod from whichever queue holds it; returns true when it was in flight (the
   * caller then drops it when its cycle ends). model: PriorityQueue.Delete.
   */
  delete(pod: number): boolean {
    if (pod >= this.info.capacity) return false;
    switch (this.info.loc[pod]) {
      case QueueLoc.active:
        this.active.remove(pod);
        break;
      case QueueLoc.backoff:
        this.backoff.remove(pod);
        break;
      case QueueLoc.errorBackoff:
        this.errorBackoff.remove(pod);
        break;
      case QueueLoc.unschedulable:
        this.removeUnschedulable(pod);
        break;
      case QueueLoc.inFlight:
        return true;
    }
    this.info.loc[pod] = QueueLoc.none;
    return false;
  }

  /** A pod bound or deleted leaves the queue for good. */
  done(pod: number): void {
    if (pod < this.info.capacity && this.info.loc[pod] === QueueLoc.inFlight) this.info.loc[pod] = QueueLoc.none;
  }

  /** Moves pods whose backoff completed to activeQ. model: flushBackoffQCompleted (every 1 s). */
  flushBackoffCompleted(nowNs: number): number {
    let moved = 0;
    for (const q of [this.backoff, this.errorBackoff]) {
      for (;;) {
        const pod = q.peek();
        if (pod === undefined || this.isBackingOff(pod, nowNs)) break;
        q.poll();
        this.info.loc[pod] = QueueLoc.active;
        this.active.add(pod);
        moved++;
      }
    }
    return moved;
  }

  /**
   * Moves pods unschedulable for longer than 5 minutes back (the UnschedulableTimeout event, a
   * wildcard: after backoff). model: flushUnschedulablePodsLeftover (every 30 s).
   */
  flushUnschedulableLeftover(nowNs: number): number {
    const move: number[] = [];
    for (const pod of this.unsched) if (nowNs - this.info.timestamp[pod]! > POD_MAX_IN_UNSCHEDULABLE_NS) move.push(pod);
    move.sort((a, b) => a - b);
    for (const pod of move) {
      this.removeUnschedulable(pod);
      this.requeue(pod, Requeue.afterBackoff, nowNs);
    }
    return move.length;
  }

  /**
   * Moves the unschedulable pods for which `worth(pod, rejectors)` says the event may help.
   * model: movePodsToActiveOrBackoffQueue with isPodWorthRequeuing.
   */
  moveOnEvent(nowNs: number, worth: (pod: number, rejectors: number) => boolean): number {
    if (this.unsched.length === 0) return 0;
    const move: number[] = [];
    for (const pod of this.unsched) if (worth(pod, this.info.plugins[pod]!)) move.push(pod);
    move.sort((a, b) => a - b);
    for (const pod of move) {
      this.removeUnschedulable(pod);
      this.requeue(pod, Requeue.afterBackoff, nowNs);
    }
    return move.length;
  }

  /** Unschedulable pods, for inspection. */
  unschedulablePods(): readonly number[] {
    return this.unsched;
  }

  /** Earliest backoff expiry among queued backoff pods, or Infinity. */
  nextBackoffExpiry(): number {
    let t = Infinity;
    const a = this.backoff.peek();
    if (a !== undefined) t = Math.min(t, this.backoffExpiry(a));
    const b = this.errorBackoff.peek();
    if (b !== undefined) t = Math.min(t, this.backoffExpiry(b));
    return t;
  }
}
