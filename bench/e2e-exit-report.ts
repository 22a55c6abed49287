import { readFileSync, writeFileSync } from "node:fs";

/**
 * Imported first by every end-to-end process (`node --import`): at exit,
 * writes `{ wallMs, maxRssKiB, exitCode }` to the file named by SIMCTL_BENCH_REPORT: wall time
 * since the process began (start-up and module loading included) and the peak resident set
 * size of the whole run. One hook for all, so `node -e 0` is measured as simctl is.
 */
const report = process.env.SIMCTL_BENCH_REPORT;
process.on("exit", (code) => {
  if (report !== undefined)
    writeFileSync(report, JSON.stringify({ wallMs: performance.now(), maxRssKiB: peakRssKiB(), exitCode: code }));
});

/**
 * This process's peak RSS. On Linux, VmHWM of /proc/self/status: getrusage's maxRSS keeps the
 * peak of the process image before exec, which for a child spawned by the bench is the bench
 * process's own size (hundreds of MiB once the engine cases ran), not the child's.
 */
function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m !== null) return Number(m[1]);
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS;
}
