import type { CommandModule } from "yargs";

/** A command: its usage line and one-line description (what `simctl --help` lists), and its module. */
export interface CommandEntry {
  readonly usage: string;
  readonly describe: string;
  readonly load: () => Promise<CommandModule>;
}

/**
 * The commands, by name. Each module is loaded on demand (perf: report pulls in Vega, export
 * parquet-wasm, sweep worker threads); `simctl --help` lists them from this table alone, without
 * loading any. Under ESM each import is written out, so bundlers and vitest can follow it.
 */
export const COMMANDS = {
  run: {
    usage: "run <scenario>",
    describe: "Simulate a scenario and write its results",
    load: async () => (await import("./commands/run.js")).runCommand as unknown as CommandModule,
  },
  validate: {
    usage: "validate <scenario>",
    describe: "Check a scenario file and report every problem with its location",
    load: async () => (await import("./commands/validate.js")).validateCommand as unknown as CommandModule,
  },
  schedule: {
    usage: "schedule",
    describe: "Run one kube-scheduler cycle for a pod on given nodes and explain the decision",
    load: async () => (await import("./commands/schedule.js")).scheduleCommand as unknown as CommandModule,
  },
  export: {
    usage: "export <run>",
    describe: "Convert a run's Arrow tables to Parquet",
    load: async () => (await import("./commands/export.js")).exportCommand as unknown as CommandModule,
  },
  sweep: {
    usage: "sweep <study>",
    describe: "Run a study: a grid of scenario parameters times seeds, in parallel",
    load: async () => (await import("./commands/sweep.js")).sweepCommand as unknown as CommandModule,
  },
  merge: {
    usage: "merge <dirs..>",
    describe: "Merge study shards into one Arrow dataset with the parameters as columns",
    load: async () => (await import("./commands/merge.js")).mergeCommand as unknown as CommandModule,
  },
  compare: {
    usage: "compare <scenarios..>",
    describe: "Compare configurations on the same workload over several seeds",
    load: async () => (await import("./commands/compare.js")).compareCommand as unknown as CommandModule,
  },
  report: {
    usage: "report <dir>",
    describe: "Write a self-contained HTML report of a run or a study",
    load: async () => (await import("./commands/report.js")).reportCommand as unknown as CommandModule,
  },
  bench: {
    usage: "bench [cases..]",
    describe: "Run the benchmarks and compare with a baseline (speed gate); --update-golden regenerates golden results",
    load: async () => (await import("./commands/bench.js")).benchCommand as unknown as CommandModule,
  },
  calibrate: {
    usage: "calibrate <component> <measurements>",
    describe: "Fit a model's parameters to measurements of the real component, or check a fit",
    load: async () => (await import("./commands/calibrate.js")).calibrateCommand as unknown as CommandModule,
  },
  capacity: {
    usage: "capacity <scenario>",
    describe: "Find the smallest node pool that meets the SLOs in every seed",
    load: async () => (await import("./commands/capacity.js")).capacityCommand as unknown as CommandModule,
  },
  baseline: {
    usage: "baseline <scenarios..>",
    describe: "Record seeded summaries of scenarios, for simctl gate to compare against",
    load: async () => (await import("./commands/baseline.js")).baselineCommand as unknown as CommandModule,
  },
  gate: {
    usage: "gate <baseline>",
    describe: "Rerun a baseline's scenarios on its seeds and fail on a regression beyond tolerance",
    load: async () => (await import("./commands/gate.js")).gateCommand as unknown as CommandModule,
  },
  import: {
    usage: "import <dir>",
    describe: "Write a scenario from a directory of kubectl get -o yaml dumps",
    load: async () => (await import("./commands/import.js")).importCommand as unknown as CommandModule,
  },
} as const satisfies Record<string, CommandEntry>;

/**
 * The yargs module of command `name`: its usage line and description from {@link COMMANDS},
 * with `m`'s builder and handler. `A` is the command's declared argument type (NoInfer: not the
 * looser one its builder's options add up to).
 */
export function commandModule<A>(
  name: keyof typeof COMMANDS,
  m: Pick<CommandModule<object, NoInfer<A>>, "builder" | "handler">,
): CommandModule<object, A> {
  return { command: COMMANDS[name].usage, describe: COMMANDS[name].describe, ...m };
}
