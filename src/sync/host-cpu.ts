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
 * The queue is solved at submission (the Kiefer-Wolfowitz workload recursion: a job starts on
 * the core that frees first, at max(ready, that core's free time)), so a burst costs no event
 * of its own: the caller schedules its next step at the returned finish time.
 *
 * Contract: `run(readyNs, costNs)` returns the burst's finish time. It is exact FCFS when calls
 * come in nondecreasing `readyNs` order, which holds when every caller passes `engine.now`; a
 * caller that passes a later ready time (a serial goroutine's next burst) reserves a core from
 * then on, which can only delay bursts submitted after it that are ready earlier.
 */
export class HostCpu {
  readonly name: string;
  readonly cores: number;
  /** When each core finishes the last burst given to it. */
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

  /** Runs a burst of `costNs` of CPU that is ready at `readyNs`; returns when it finishes. */
  run(readyNs: number, costNs: number): number {
    const free = this.freeNs;
    let best = 0;
    let bestNs = free[0]!;
    for (let i = 1; i < free.length; i++) {
      if (free[i]! < bestNs) {
        bestNs = free[i]!;
        best = i;
      }
    }
    const start = bestNs > readyNs ? bestNs : readyNs;
    const finish = start + costNs;
    free[best] = finish;
    this.bursts++;
    this.busyNs += costNs;
    this.waitNs += start - readyNs;
    return finish;
  }

  /** Share of the cores' time busy over `[0, untilNs]`. */
  utilization(untilNs: number): number {
    return untilNs > 0 ? this.busyNs / (this.cores * untilNs) : 0;
  }
}
