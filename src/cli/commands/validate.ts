import type { CommandModule } from "yargs";
import { checkOutputDir } from "../../metrics/result-dir.js";
import { loadScenario } from "../../scenario/load-scenario.js";
import { finalReplicas } from "../../scenario/sections/workload.js";

/** `simctl validate SCENARIO`: checks a scenario, and that `--out` can take its results, without running it. */
export const validateCommand: CommandModule<object, { scenario: string; out: string }> = {
  command: "validate <scenario>",
  describe: "Check a scenario file and report every problem with its location",
  builder: (y) =>
    y
      .positional("scenario", { type: "string", demandOption: true, describe: "scenario YAML file" })
      .option("out", { type: "string", default: "results/runs", describe: "directory run would write to" }),
  handler: (args) => {
    const s = loadScenario(args.scenario);
    checkOutputDir("--out", args.out, [`${s.name}-${s.seed}`]);
    const pods = finalReplicas(s.workload);
    let nodes = 0;
    for (const p of s.nodePools) nodes += p.count;
    process.stdout.write(
      `${args.scenario}: valid (${nodes} nodes, ${pods} pods in ${s.workload.length} workload steps, seed ${s.seed})\n`,
    );
  },
};
