import "./e2e-exit-report.js";
import { main } from "../src/cli/main.js";

/** Runs `simctl <args>` in this process; e2e-exit-report.js reports its wall time and peak RSS at exit. */
await main(process.argv.slice(2));
