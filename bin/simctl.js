#!/usr/bin/env node
import { main } from "../dist/cli/main.js";

// perf: process.argv.slice(2) is what yargs' hideBin does under Node; importing yargs/helpers
// for it would load 30 modules of yargs beside the bundled copy in dist/cli/main.js.
await main(process.argv.slice(2));
