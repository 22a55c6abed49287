import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { Worker } from "node:worker_threads";
import { interrupting, onInterrupt } from "../metrics/result-dir.js";
import type { WorkerMessage } from "./run-worker.js";
import { executeRunTask, type RunOutcome, type RunTask } from "./run-task.js";
import { sourceWorkerUrl } from "./source-loader.js";
import { errorFromWorker } from "./worker-error.js";

/** How {@link runTasks} spreads work and reports on it. */
export interface PoolOptions {
  /** Worker threads; default `os.availableParallelism()`. 1 runs every task on the calling thread. */
  workers?: number;
  /** A task's progress: pods Running out of pods expected. */
  onProgress?: (index: number, done: number, total: number) => void;
  /** A task finished (called in completion order). */
  onDone?: (outcome: RunOutcome) => void;
}

/** The machine's default worker count. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * Runs tasks on a pool of worker threads, each worker one task at a time, and returns the
 * outcomes in task order. Every run is a deterministic function of its task, so results do
 * not depend on the number of workers or the order they finish in.
 * Contract: the first failing task rejects the promise (a scenario error keeps its issues)
 * and terminates the pool; tasks already finished keep their outputs. On SIGINT/SIGTERM the
 * workers are terminated and their unfinished result directories removed (see
 * `installInterruptHandlers`).
 */
export async function runTasks(tasks: readonly RunTask[], options: PoolOptions = {}): Promise<RunOutcome[]> {
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(), tasks.length));
  const byIndex = new Map<number, RunOutcome>();
  const parents = new Set<string>();
  for (const t of tasks) if (t.outDir !== undefined) parents.add(dirname(t.outDir));
  for (const p of parents) onInterrupt(undefined, p);
  if (workers === 1) {
    for (const t of tasks) {
      const o = executeRunTask(
        t,
        options.onProgress === undefined ? undefined : (d, n) => options.onProgress!(t.index, d, n),
      );
      byIndex.set(t.index, o);
      options.onDone?.(o);
      // Let a progress bar or signal handler run between tasks.
      await new Promise((r) => setImmediate(r));
    }
    return tasks.map((t) => byIndex.get(t.index)!);
  }
  const pool: Worker[] = [];
  await new Promise<void>((resolvePool, rejectPool) => {
    let next = 0;
    let finished = 0;
    let failed = false;
    /** Workers ended on purpose: their exit is not a failure. */
    const retired = new Set<Worker>();
    const retire = (w: Worker) => {
      retired.add(w);
      void w.terminate();
    };
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) retire(w);
      rejectPool(e);
    };
    const feed = (w: Worker) => {
      if (failed) return;
      if (next < tasks.length) w.postMessage(tasks[next++]);
      else retire(w);
    };
    for (let i = 0; i < workers; i++) {
      const w = createWorker();
      pool.push(w);
      for (const p of parents) onInterrupt(w, p);
      w.on("message", (m: WorkerMessage) => {
        if (m.type === "progress") options.onProgress?.(m.index, m.done, m.total);
        else if (m.type === "done") {
          byIndex.set(m.outcome.index, m.outcome);
          options.onDone?.(m.outcome);
          finished++;
          if (finished === tasks.length) {
            for (const x of pool) retire(x);
            resolvePool();
          } else feed(w);
        } else {
          fail(errorFromWorker(m, `run ${m.index} failed: ${m.message}`));
        }
      });
      w.on("error", (e) => fail(e instanceof Error ? e : new Error(String(e))));
      w.on("exit", (code) => {
        if (!retired.has(w) && !failed && !interrupting()) fail(new Error(`a run worker exited with code ${code}`));
      });
      feed(w);
    }
  });
  return tasks.map((t) => byIndex.get(t.index)!);
}

/** A run worker: the compiled `run-worker.js`, or the TypeScript source when running from src/. */
function createWorker(): Worker {
  if (import.meta.url.endsWith(".ts")) return new Worker(sourceWorkerUrl(new URL("./run-worker.ts", import.meta.url)));
  return new Worker(new URL("./run-worker.js", import.meta.url));
}
