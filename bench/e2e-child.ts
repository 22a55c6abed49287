import { writeFileSync } from "node:fs";
import { main } from "../src/cli/main.js";

/**
 * Runs `simctl <args>` in this process and, at exit, writes `{ wallMs, maxRssKiB, exitCode }`
 * to the file named by SIMCTL_BENCH_REPORT: wall time since the process began (start-up and
 * module loading included) and the peak resident set size of the whole run.
 */
const report = process.env.SIMCTL_BENCH_REPORT;
process.on("exit", (code) => {
  if (report !== undefined)
    writeFileSync(
      report,
      JSON.stringify({ wallMs: performance.now(), maxRssKiB: process.resourceUsage().maxRSS, exitCode: code }),
    );
});
await main(process.argv.slice(2));
