#!/usr/bin/env node
import { main } from "../dist/cli/main.js";
import { hideBin } from "yargs/helpers";

await main(hideBin(process.argv));
