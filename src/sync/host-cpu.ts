/**
 * The cores of one host, shared by every process placed on it (etcd members, API server
 * replicas, a benchmark client), as a c-server first-come-first-served queue.
 *
 * model: why FCFS over c servers and not processor sharing. Go runs goroutines on GOMAXPROCS
 * Ps (= the host's cores); each P takes runnable goroutines from its run queue in FIFO order
 * and idle Ps steal from busy ones (runtime/proc.go runqget, findRunnable), and a goroutine
 * keeps its P until it blocks or sysmon preempts it after forcePreemptNS = 10 ms. The bursts
 * simctl charges (a gRPC decode, a raft step, an MVCC put, a watch event's encoding) take
 * microseconds, far under that quantum, so each runs to completion on one core while later
 * ones wait: c servers in arrival order. Processor sharing would need time slices short
 * against the bursts, which Go does not have.
 *
 * The queue is solved at submission (the Kiefer-Wolfowitz workload recursion: a burst starts
 * at max(ready, the earliest time a core frees)), so a burst costs no event of its own: the
 * caller schedules its next step at the returned finish time.
 *
 * Contract: `run(readyNs, costNs)` returns the burst's finish time. It is exact FCFS when calls
 * come in nondecreasing `readyNs` order, which holds when every caller passes `engine.now`. A
 * caller may pass a later ready time (a serial goroutine's next burst, a reply's encoding after
 * an fsync) to save an event: that burst holds its core from then on, and a burst submitted
 * after it but ready earlier can only find the cores busier than FCFS would (an upper bound).
 */
export class HostCpu {
  readonly name: string;
  readonly cores: number;
  /** When each core finishes the last burst given to it. */
  private readonly freeNs: Float64Array;
  /** Scratch for {@link runMany}: core indices as a binary min-heap on `freeNs`. */
  private readonly heap: Int32Array;
  /** Bursts run, their CPU time, and the time they waited for a core (for "where the time went"). */
  bursts = 0;
  busyNs = 0;
  waitNs = 0;

  constructor(name: string, cores: number) {
    if (!Number.isInteger(cores) || cores < 1) throw new RangeError(`${name}: cores must be a positive integer`);
    this.name = name;
    this.cores = cores;
    this.freeNs = new Float64Array(cores);
    this.heap = new Int32Array(cores);
  }

  /**
   * Runs a burst of `costNs` of CPU that is ready at `readyNs`; returns when it finishes.
   * Among the cores idle by `readyNs` it takes the one that became idle last (best fit), so a
   * burst reserved ahead of time leaves the longer idle stretches to bursts that come later;
   * when none is idle it takes the core that frees first.
   */
  run(readyNs: number, costNs: number): number {
    const free = this.freeNs;
    let fit = -1;
    let first = 0;
    for (let i = 0; i < free.length; i++) {
      const f = free[i]!;
      if (f <= readyNs && (fit < 0 || f > free[fit]!)) fit = i;
      if (f < free[first]!) first = i;
    }
    const core = fit >= 0 ? fit : first;
    const start = fit >= 0 ? readyNs : free[first]!;
    const finish = start + costNs;
    free[core] = finish;
    this.account(costNs, start - readyNs);
    return finish;
  }

  /**
   * Runs `count` bursts of `costNs` each, all ready at `readyNs`, as `count` calls of
   * {@link run} in a row would; returns the latest finish. The cores' free times (as a
   * multiset, which is all that later calls see), the finish times, `bursts`, `busyNs` and
   * `waitNs` come out the same, bit for bit: the bursts take the idle cores first (each leaves
   * its core busy until `readyNs + costNs`, past `readyNs`), then each of the rest takes the core
   * that frees first, in that order.
   * perf: O(cores + count log cores) instead of O(count x cores); for the aggregates of the
   * background streams (hundreds of requests on a 64-core replica).
   */
  runMany(readyNs: number, costNs: number, count: number): number {
    const free = this.freeNs;
    const finish = readyNs + costNs;
    if (count <= 1 || !(finish > readyNs)) {
      // A zero-cost burst leaves its core idle, so the bursts do not spread: call by call.
      let done = this.run(readyNs, costNs);
      for (let i = count; i > 1; i--) {
        const t = this.run(readyNs, costNs);
        if (t > done) done = t;
      }
      return done;
    }
    let idle = 0;
    for (let i = 0; i < free.length; i++) if (free[i]! <= readyNs) idle++;
    let left = count;
    if (idle > left) {
      // Fewer bursts than idle cores: each finds an idle core, the one run's best fit picks.
      for (; left > 0; left--) this.run(readyNs, costNs);
      return finish;
    }
    let done = -Infinity;
    if (idle > 0) {
      for (let i = 0; i < free.length; i++) {
        if (free[i]! > readyNs) continue;
        free[i] = finish;
        this.account(costNs, 0);
      }
      left -= idle;
      if (left === 0) return finish;
      done = finish;
    }
    // Every core is busy past readyNs now: each burst takes the core that frees first.
    const heap = this.heap;
    const n = free.length;
    for (let i = 0; i < n; i++) heap[i] = i;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i);
    for (; left > 0; left--) {
      const core = heap[0]!;
      const start = free[core]!;
      const end = start + costNs;
      free[core] = end;
      this.account(costNs, start - readyNs);
      if (end > done) done = end;
      this.siftDown(0);
    }
    return done;
  }

  private account(costNs: number, waitNs: number): void {
    this.bursts++;
    this.busyNs += costNs;
    this.waitNs += waitNs;
  }

  /** Restores the min-heap on `freeNs` below heap slot `i`. */
  private siftDown(i: number): void {
    const heap = this.heap;
    const free = this.freeNs;
    const n = heap.length;
    const core = heap[i]!;
    const key = free[core]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && free[heap[c + 1]!]! < free[heap[c]!]!) c++;
      if (free[heap[c]!]! >= key) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = core;
  }

  /** Share of the cores' time busy over `[0, untilNs]`. */
  utilization(untilNs: number): number {
    return untilNs > 0 ? this.busyNs / (this.cores * untilNs) : 0;
  }
}

/**
 * A process that runs its work on at most `threads` threads of a host (a Node.js load client
 * has one event loop; a Go process has GOMAXPROCS): a burst waits for a free thread, then for
 * a core of the host. 0 threads means as many as the host has cores.
 */
export class ThreadPool {
  private readonly host: HostCpu;
  private readonly freeNs: Float64Array;

  constructor(host: HostCpu, threads: number) {
    if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a non-negative integer`);
    this.host = host;
    this.freeNs = new Float64Array(threads === 0 ? host.cores : threads);
  }

  /** Runs a burst of `costNs` ready at `readyNs` on the thread that frees first; returns its end. */
  run(readyNs: number, costNs: number): number {
    const free = this.freeNs;
    let t = 0;
    for (let i = 1; i < free.length; i++) if (free[i]! < free[t]!) t = i;
    const finish = this.host.run(free[t]! > readyNs ? free[t]! : readyNs, costNs);
    free[t] = finish;
    return finish;
  }
}
