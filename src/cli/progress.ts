import { formatDuration } from "../core/time.js";

/**
 * A one-line progress bar on stderr, for runs longer than a second on a terminal. It draws at
 * most every 100 ms and erases itself at the end. Silent when stderr is not a TTY.
 */
export class ProgressBar {
  private readonly startMs = performance.now();
  private lastDrawMs = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.enabled = stream.isTTY === true;
  }
  private readonly stream: NodeJS.WriteStream;

  update(nowNs: number, events: number, done: number, total: number): void {
    if (!this.enabled) return;
    const t = performance.now();
    if (t - this.startMs < 1000 || t - this.lastDrawMs < 100) return;
    this.lastDrawMs = t;
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const rate = events / ((t - this.startMs) / 1000);
    const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} Running  sim ${formatDuration(nowNs)}  ${(rate / 1e6).toFixed(2)} M ev/s`;
    this.stream.write(`\r${line}\u001b[K`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.stream.write("\r\u001b[K");
  }
}
