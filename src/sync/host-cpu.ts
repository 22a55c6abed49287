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
  /**
   * When each core finishes the last burst given to it, kept in ascending order: which core is
   * which never matters, only the multiset of free times (every answer depends on it alone).
   * perf: the best-fit core is then a binary search and its update a short shift, not a scan
   * of every core per burst (64 cores on a 5,000-node control plane).
   */
  private readonly freeNs: Float64Array;
  /** Bursts run, their CPU time, and the time they waited for a core (for "where the time went"). */
  bursts = 0;
  busyNs = 0;
  waitNs = 0;

  constructor(name: string, cores: number) {
    if (!Number.isInteger(cores) || cores < 1) throw new RangeError(`${name}: cores must be a positive integer`);
    this.name = name;
    this.cores = cores;
    this.freeNs = new Float64Array(cores);
  }

  /**
   * Runs a burst of `costNs` of CPU that is ready at `readyNs`; returns when it finishes.
   * Among the cores idle by `readyNs` it takes the one that became idle last (best fit), so a
   * burst reserved ahead of time leaves the longer idle stretches to bursts that come later;
   * when none is idle it takes the core that frees first.
   */
  run(readyNs: number, costNs: number): number {
    const free = this.freeNs;
    let at = 0;
    let start = free[0]!;
    if (start <= readyNs) {
      // The last free time <= readyNs: free[lo] <= readyNs throughout.
      let lo = 0;
      let hi = free.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (free[mid]! <= readyNs) lo = mid;
        else hi = mid - 1;
      }
      at = lo;
      start = readyNs;
    }
    const finish = start + costNs;
    this.place(at, finish);
    this.account(costNs, start - readyNs);
    return finish;
  }

  /**
   * Runs `count` bursts of `costNs` each, all ready at `readyNs`, as `count` calls of
   * {@link run} in a row would; returns the latest finish. The cores' free times, the finish
   * times, `bursts`, `busyNs` and `waitNs` come out the same, bit for bit: the bursts take the
   * idle cores first (each leaves its core busy until `readyNs + costNs`, past `readyNs`), then
   * each of the rest takes the core that frees first, in that order.
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
    while (idle < free.length && free[idle]! <= readyNs) idle++;
    let left = count;
    if (idle > left) {
      // Fewer bursts than idle cores: each finds an idle core, the one run's best fit picks.
      for (; left > 0; left--) this.run(readyNs, costNs);
      return finish;
    }
    let done = -Infinity;
    if (idle > 0) {
      for (let i = 0; i < idle; i++) {
        free[i] = finish;
        this.account(costNs, 0);
      }
      left -= idle;
      free.sort();
      if (left === 0) return finish;
      done = finish;
    }
    // Every core is busy past readyNs now: each burst takes the core that frees first. The
    // ascending array is a binary min-heap as it stands; it is sorted again at the end.
    for (; left > 0; left--) {
      const start = free[0]!;
      const end = start + costNs;
      this.account(costNs, start - readyNs);
      if (end > done) done = end;
      siftDown(free, end);
    }
    free.sort();
    return done;
  }

  /** Sets the free time at position `at` to `finish` (>= it) and shifts it right into order. */
  private place(at: number, finish: number): void {
    const free = this.freeNs;
    const n = free.length;
    let j = at;
    while (j + 1 < n && free[j + 1]! < finish) {
      free[j] = free[j + 1]!;
      j++;
    }
    free[j] = finish;
  }

  private account(costNs: number, waitNs: number): void {
    this.bursts++;
    this.busyNs += costNs;
    this.waitNs += waitNs;
  }

  /** Share of the cores' time busy over `[0, untilNs]`. */
  utilization(untilNs: number): number {
    return untilNs > 0 ? this.busyNs / (this.cores * untilNs) : 0;
  }
}

/** Replaces the root of the binary min-heap `heap` with `key` and restores the heap below it. */
function siftDown(heap: Float64Array, key: number): void {
  const n = heap.length;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && heap[c + 1]! < heap[c]!) c++;
    if (heap[c]! >= key) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = key;
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
