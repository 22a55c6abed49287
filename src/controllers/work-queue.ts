import type { Engine, EventKind } from "../core/engine.js";
import { NS_PER } from "../core/time.js";
import { RingQueue } from "../sync/ring-queue.js";
import { TokenBucket } from "../sync/token-bucket.js";
import { columnTable } from "../core/column-table.js";

/** model: client-go util/workqueue DefaultControllerRateLimiter: per-item 5 ms doubling to 1000 s ... */
const ITEM_BASE_DELAY_NS = 5 * NS_PER.ms;
const ITEM_MAX_DELAY_NS = 1000 * NS_PER.s;
/** ... and an overall token bucket of 10 qps with burst 100, whichever delay is longer. */
const OVERALL_QPS = 10;
const OVERALL_BURST = 100;

/** Per item: queued and not yet handed out (the dirty set), being processed, failures since the last forget. */
const QueueItems = columnTable({
  dirty: "Uint8",
  processing: "Uint8",
  failures: "Float64",
});

/**
 * client-go's work queue with a fixed pool of workers, for dense integer keys.
 *
 * model: k8s.io/client-go/util/workqueue queue.go: an item added while already queued is
 * deduplicated (the `dirty` set); an item added while a worker is processing it is queued again
 * only when that worker calls `done` (so one key is never processed by two workers at once).
 * A free worker takes the oldest queued item; `sync(item, worker)` fires for it.
 * A failed sync requeues its item through the controller rate limiter (`addRateLimited`), a
 * successful one resets the item's failure count (`forget`).
 */
export class WorkQueue {
  readonly name: string;
  private readonly engine: Engine;
  private readonly syncKind: EventKind;
  private readonly queue = new RingQueue();
  private readonly items = new QueueItems(64);
  private idleWorkers: number;
  private readonly kDelayedAdd: EventKind;
  private readonly overall = new TokenBucket(OVERALL_QPS, OVERALL_BURST);

  constructor(engine: Engine, name: string, workers: number, syncKind: EventKind) {
    this.engine = engine;
    this.name = name;
    this.syncKind = syncKind;
    this.idleWorkers = workers;
    this.kDelayedAdd = engine.register(`${name}-queue.addAfter`, (item) => this.add(item));
  }

  get depth(): number {
    return this.queue.size;
  }

  /** Queues `item` unless it is already waiting. */
  add(item: number): void {
    this.items.ensureRow(item);
    if (this.items.dirty[item]) return;
    this.items.dirty[item] = 1;
    if (this.items.processing[item]) return;
    this.queue.push(item);
    this.dispatch();
  }

  /**
   * Queues `item` after the rate limiter's delay: the larger of its exponential per-item
   * back-off (5 ms x 2^failures, at most 1000 s) and the overall bucket's wait.
   */
  addRateLimited(item: number): void {
    this.items.ensureRow(item);
    const n = this.items.failures[item]!++;
    const itemDelay = Math.min(ITEM_MAX_DELAY_NS, ITEM_BASE_DELAY_NS * 2 ** n);
    const delay = Math.max(itemDelay, this.overall.reserve(this.engine.now));
    this.engine.schedule(delay, this.kDelayedAdd, item);
  }

  /** Queues `item` after `delayNs` (client-go AddAfter). */
  addAfter(item: number, delayNs: number): void {
    this.engine.schedule(delayNs, this.kDelayedAdd, item);
  }

  /** Clears `item`'s failure count after a successful sync. */
  forget(item: number): void {
    if (item < this.items.capacity) this.items.failures[item] = 0;
  }

  /** A worker finished `item`; if it was re-added meanwhile it is queued again. */
  done(item: number): void {
    this.items.processing[item] = 0;
    this.idleWorkers++;
    if (this.items.dirty[item]) this.queue.push(item);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idleWorkers > 0 && this.queue.size > 0) {
      const item = this.queue.shift();
      this.idleWorkers--;
      this.items.dirty[item] = 0;
      this.items.processing[item] = 1;
      this.engine.schedule(0, this.syncKind, item, 0);
    }
  }
}
