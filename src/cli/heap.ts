import { getHeapStatistics } from "node:v8";

/**
 * The V8 heap limit (MiB) for the worker thread that simulates a run estimated at
 * `estimatedBytes` (estimate-memory.ts): twice the estimate, never below this process's own limit
 * and never above `maxBytes` (`--max-memory`).
 *
 * Why per worker: V8 fixes a process's old-space limit at start (`--max-old-space-size`), and the
 * default (about 4 GiB on Node 20) is below what a 150,000-pod run may need on a big machine. A
 * worker's isolate takes its own limit (`resourceLimits.maxOldGenerationSizeMb`), and a worker
 * that exhausts it ends with ERR_WORKER_OUT_OF_MEMORY instead of aborting the process, so simctl
 * can still say what happened. Most bytes of a run are typed arrays outside the heap (measured:
 * 4,000 nodes for 4 h, 642 MiB peak RSS with a 200 MB heap), so the whole estimate is a wide
 * margin.
 */
export function workerHeapMb(estimatedBytes: number, maxBytes: number): number {
  const own = getHeapStatistics().heap_size_limit;
  return Math.ceil(Math.max(own, Math.min(2 * estimatedBytes, maxBytes)) / 2 ** 20);
}

/**
 * The young generation (MiB) of the run worker's heap. V8 sizes it from the old-generation
 * limit (up to 3 x 16 MiB semi-spaces with the limits workerHeapMb gives), and a run grows it to
 * that: RSS the run does not need, since what it allocates per event dies young and its tables
 * are typed arrays outside the heap. Measured on 10k-pods (--trace-gc, same moment): 8 MiB takes
 * 55-59 scavenges instead of 35-37 for less total pause (320-338 ms against 354-417 ms under
 * load 11) and 25 MB less peak RSS; at --scale 4 CPU time and peak RSS were unchanged.
 */
export const WORKER_YOUNG_GENERATION_MB = 8;
