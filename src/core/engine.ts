import { SimulationError } from "./errors.js";
import { EventQueue, type EventHandle } from "./event-queue.js";
import type { EventTrace } from "./trace.js";

export type { EventHandle } from "./event-queue.js";

/**
 * An event handler. Events carry two numbers, a target (usually a table index: a pod, a node,
 * a request) and an argument, so that no closure or object is made per event.
 */
export type Handler = (target: number, arg: number) => void;

/** A registered handler's id, returned by {@link Engine.register}. */
export type EventKind = number & { readonly __brand: "EventKind" };

/** Why {@link Engine.run} returned. */
export type StopReason = "empty" | "until" | "stopped";

export interface RunOptions {
  /** Stop before the first event later than this time (the clock is left at `untilNs`). */
  untilNs?: number;
  /** Called every `progressEvery` events with the clock, for progress bars. */
  onProgress?: (nowNs: number, events: number) => void;
  progressEvery?: number;
}

export interface RunResult {
  reason: StopReason;
  endNs: number;
  events: number;
}

/**
 * The discrete-event core: a virtual clock in integer nanoseconds and a queue of pending events.
 *
 * Its verbs are SimPy-sized — `now`, `schedule`, `scheduleAt`, `cancel`, `step`, `peek`, `run` —
 * and all Kubernetes behaviour lives in components that register handlers. Events at the same
 * instant fire in the order they were scheduled.
 */
export class Engine {
  private clock = 0;
  private dispatched = 0;
  private stopRequested = false;
  private readonly queue: EventQueue;
  /** The dispatch table: the registered handlers, or while tracing, wrappers that record then call them. */
  private readonly handlers: Handler[] = [];
  /** The registered handlers. */
  private readonly plain: Handler[] = [];
  private readonly kindNames: string[] = [];
  private trace: EventTrace | undefined = undefined;

  constructor(initialCapacity = 4096) {
    this.queue = new EventQueue(initialCapacity);
  }

  /** Current simulated time in nanoseconds. */
  get now(): number {
    return this.clock;
  }

  /** Events dispatched so far. */
  get events(): number {
    return this.dispatched;
  }

  /** Pending events. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Registers a handler under a name (for error messages) and returns the kind to schedule it by.
   * Components register once, at construction; the handler table is fixed while running.
   */
  register(name: string, handler: Handler): EventKind {
    const kind = this.plain.length as EventKind;
    this.plain.push(handler);
    this.handlers.push(this.trace === undefined ? handler : this.traced(kind, handler, this.trace));
    this.kindNames.push(name);
    return kind;
  }

  /** The registered kinds' names, by kind. */
  get kinds(): readonly string[] {
    return this.kindNames;
  }

  /**
   * Records every event dispatched from now on into `trace`, until {@link stopTrace}.
   * perf: the dispatch table is swapped, once, for wrappers that record and then call the
   * handler; an untraced run dispatches through the plain handlers, with no extra branch or call.
   */
  startTrace(trace: EventTrace): void {
    if (this.trace !== undefined) throw new SimulationError("engine", this.clock, "already tracing");
    this.trace = trace;
    for (let k = 0; k < this.plain.length; k++) this.handlers[k] = this.traced(k as EventKind, this.plain[k]!, trace);
  }

  /** Stops recording: the dispatch table is the plain handlers again. */
  stopTrace(): void {
    this.trace = undefined;
    for (let k = 0; k < this.plain.length; k++) this.handlers[k] = this.plain[k]!;
  }

  private traced(kind: EventKind, handler: Handler, trace: EventTrace): Handler {
    return (target, arg) => {
      trace.record(this.clock, kind, target, arg);
      handler(target, arg);
    };
  }

  /** Schedules `kind(target, arg)` after `delayNs` (a non-negative integer). */
  schedule(delayNs: number, kind: EventKind, target = 0, arg = 0): EventHandle {
    if (!(delayNs >= 0) || !Number.isInteger(delayNs)) {
      throw new SimulationError(this.kindNames[kind] ?? "engine", this.clock, `bad delay ${delayNs} ns`);
    }
    return this.queue.push(this.clock + delayNs, kind, target, arg);
  }

  /** Schedules `kind(target, arg)` at absolute time `timeNs`, which must not be in the past. */
  scheduleAt(timeNs: number, kind: EventKind, target = 0, arg = 0): EventHandle {
    if (!(timeNs >= this.clock) || !Number.isInteger(timeNs)) {
      throw new SimulationError(
        this.kindNames[kind] ?? "engine",
        this.clock,
        `cannot schedule at ${timeNs} ns, before now`,
      );
    }
    return this.queue.push(timeNs, kind, target, arg);
  }

  /** Cancels a pending event. Returns false if it already fired or was cancelled. */
  cancel(handle: EventHandle): boolean {
    return this.queue.cancel(handle);
  }

  /** Time of the next pending event, or `Infinity`. */
  peek(): number {
    return this.queue.peekTime();
  }

  /** Fires the next event. Returns false when none is pending. */
  step(): boolean {
    const q = this.queue;
    const slot = q.pop();
    if (slot < 0) return false;
    this.clock = q.timeOf(slot);
    const kind = q.kindOf(slot);
    const target = q.targetOf(slot);
    const arg = q.argOf(slot);
    this.dispatched++;
    this.handlers[kind]!(target, arg);
    return true;
  }

  /** Asks a running `run` to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Fires events in order until the queue empties, `untilNs` is reached, or `stop()` is called. */
  run(options: RunOptions = {}): RunResult {
    const untilNs = options.untilNs ?? Infinity;
    const onProgress = options.onProgress;
    const every = options.progressEvery ?? 65536;
    const q = this.queue;
    const handlers = this.handlers;
    const start = this.dispatched;
    let countdown = every;
    this.stopRequested = false;
    let reason: StopReason = "empty";
    for (;;) {
      if (this.stopRequested) {
        reason = "stopped";
        break;
      }
      // perf: one queue call per event; the popped slot leaves a hole in the bottom heap that
      // the handler's next schedule fills with a single sift (see LadderQueue).
      const slot = q.popUntil(untilNs);
      if (slot < 0) {
        if (slot === -2) {
          this.clock = untilNs;
          reason = "until";
        }
        break;
      }
      this.clock = q.timeOf(slot);
      const kind = q.kindOf(slot);
      const target = q.targetOf(slot);
      const arg = q.argOf(slot);
      this.dispatched++;
      handlers[kind]!(target, arg);
      if (onProgress !== undefined && --countdown === 0) {
        countdown = every;
        onProgress(this.clock, this.dispatched);
      }
    }
    return { reason, endNs: this.clock, events: this.dispatched - start };
  }
}
