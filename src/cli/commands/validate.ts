import type { CommandModule } from "yargs";
import { formatInputReport } from "../../scenario/inputs/input-report.js";
import { estimateMemory, formatBytes } from "../../scenario/estimate-memory.js";
import { checkOutputDir } from "../../metrics/result-dir.js";
import { finalReplicas } from "../../scenario/sections/workload.js";
import { validateScenarioFile } from "../../scenario/validate-file.js";
import { inputLimits, scaleOption, withInputOptions, type ScenarioArgs } from "../input-options.js";
import { commandModule } from "../command-index.js";

/**
 * `simctl validate SCENARIO`: checks a scenario without running it: every check `run` makes
 * before simulating (files, names, counts, time limit, estimated memory against --max-memory, and
 * that `--out` can take its results).
 */
export const validateCommand: CommandModule<object, ScenarioArgs> = commandModule("validate", {
  builder: (y) =>
    withInputOptions(y, "scenario", "scenario YAML file")
      .option("scale", scaleOption("check the scenario as run --scale would run it"))
      .option("out", { type: "string", default: "results/runs", describe: "directory run would write to" }) as never,
  handler: (args) => {
    const limits = inputLimits(args);
    const v = validateScenarioFile(
      args.scenario,
      args.scale === undefined ? { limits } : { limits, scale: args.scale },
    );
    checkOutputDir("--out", args.out, [`${v.scenario.name}-${v.scenario.seed}`]);
    if (v.kind === "etcdBenchmark") {
      const b = v.scenario;
      process.stdout.write(`${args.scenario}: valid (etcd benchmark, ${b.runs.length} runs, seed ${b.seed})\n`);
      return;
    }
    const s = v.scenario;
    const pods = finalReplicas(s.workload) + (s.existingPods ?? []).filter((p) => p.adoptedBy === undefined).length;
    let nodes = 0;
    for (const p of s.nodePools) nodes += p.count;
    const est = estimateMemory(s);
    if (s.inputs !== undefined) process.stderr.write(formatInputReport(s.inputs));
    process.stdout.write(
      `${args.scenario}: valid (${nodes} nodes, ${pods} pods in ${s.workload.length} workload steps, seed ${s.seed}; estimated peak memory up to ${formatBytes(est.bytes)})\n`,
    );
  },
});
