import type { Engine, EventKind } from "../core/engine.js";
import { RingQueue } from "./ring-queue.js";

/** A waiter's entries in the wait ring: grant kind, target, arg. */
const WAITER_SLOTS = 3;

/**
 * A pool of `capacity` identical servers (seats, workers) with a FIFO wait queue, in the manner
 * of SimPy's `Resource`. A request that finds a free server is granted at once; otherwise it
 * waits and is granted, through an engine event, when a holder releases.
 */
export class CountedResource {
  readonly capacity: number;
  private readonly engine: Engine;
  private inUse = 0;
  private readonly waiting = new RingQueue();

  constructor(engine: Engine, capacity: number) {
    this.engine = engine;
    this.capacity = capacity;
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${capacity}`);
  }

  /** Servers held now. */
  get busy(): number {
    return this.inUse;
  }

  /** Requests waiting for a server (each takes WAITER_SLOTS entries of the ring). */
  get queued(): number {
    return this.waiting.size / WAITER_SLOTS;
  }

  /**
   * Asks for a server. Returns true when granted now (the caller proceeds); otherwise the
   * request waits and `grantKind(target, arg)` fires when a server is handed to it.
   */
  acquire(grantKind: EventKind, target: number, arg: number): boolean {
    if (this.inUse < this.capacity) {
      this.inUse++;
      return true;
    }
    this.waiting.push(grantKind);
    this.waiting.push(target);
    this.waiting.push(arg);
    return false;
  }

  /** Returns a server; the longest waiter, if any, is granted it at the current time. */
  release(): void {
    if (this.waiting.size > 0) {
      const kind = this.waiting.shift() as EventKind;
      const target = this.waiting.shift();
      const arg = this.waiting.shift();
      this.engine.schedule(0, kind, target, arg);
      return;
    }
    if (this.inUse === 0) throw new RangeError("release of a CountedResource with no holder");
    this.inUse--;
  }
}
