import { formatDuration, NS_PER } from "../core/time.js";
import type { RunOutcome, RunTask } from "./run-task.js";
import { runTasks } from "./worker-pool.js";

/**
 * A one-line progress bar with ETA for a batch of runs, on stderr when it is a TTY (silent
 * otherwise, so logs of batch jobs stay clean). Partial progress of the runs in flight
 * (pods Running / expected) counts towards the estimate. Draws at most every 200 ms.
 */
export class StudyProgress {
  private readonly stream: NodeJS.WriteStream;
  private readonly enabled: boolean;
  private readonly total: number;
  private readonly label: string;
  private readonly startMs = performance.now();
  private readonly partial = new Map<number, number>();
  private done = 0;
  private lastDrawMs = -Infinity;
  private drawn = false;

  constructor(total: number, label = "runs", stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.enabled = stream.isTTY === true;
    this.total = total;
    this.label = label;
  }

  /** A run in flight reported `done` of `total` pods Running. */
  progress(index: number, done: number, total: number): void {
    this.partial.set(index, total > 0 ? Math.min(1, done / total) : 0);
    this.draw(false);
  }

  /** A run finished. */
  finished(index: number): void {
    this.partial.delete(index);
    this.done++;
    this.draw(true);
  }

  /** Erases the bar. */
  finish(): void {
    if (this.drawn) this.stream.write("\r\u001b[K");
  }

  /** The estimated fraction of the work done (finished runs plus partial runs). */
  fraction(): number {
    let partial = 0;
    for (const f of this.partial.values()) partial += f;
    return this.total === 0 ? 1 : Math.min(1, (this.done + partial) / this.total);
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const t = performance.now();
    if (!force && t - this.lastDrawMs < 200) return;
    this.lastDrawMs = t;
    const width = 30;
    const frac = this.fraction();
    const filled = Math.round(frac * width);
    const elapsedNs = (t - this.startMs) * NS_PER.ms;
    const eta = frac > 0 && frac < 1 ? ` ETA ${formatDuration(Math.round((elapsedNs * (1 - frac)) / frac))}` : "";
    const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${this.done}/${this.total} ${this.label}  ${this.partial.size} running  elapsed ${formatDuration(Math.round(elapsedNs))}${eta}`;
    this.stream.write(`\r${line}\u001b[K`);
    this.drawn = true;
  }
}

/** Runs `tasks` on `workers` worker threads behind one {@link StudyProgress} bar. */
export async function runTasksWithProgress(tasks: readonly RunTask[], workers: number): Promise<RunOutcome[]> {
  const bar = new StudyProgress(tasks.length);
  try {
    return await runTasks(tasks, {
      workers,
      onProgress: (i, d, t) => bar.progress(i, d, t),
      onDone: (o) => bar.finished(o.index),
    });
  } finally {
    bar.finish();
  }
}
