import type { CommandModule } from "yargs";
import { etcdSpecYaml, type Provenance } from "../../calibrate/etcd-yaml.js";
import { fitEtcd, predictPoint } from "../../calibrate/fit-etcd.js";
import { calibrationTable, pointsWithin } from "../../calibrate/calibration-table.js";
import { readEtcdFile } from "../../calibrate/etcd-file.js";
import { readMeasurements } from "../../calibrate/measurements.js";
import { writeFileAtomic } from "../../metrics/atomic-file.js";
import { ETCD_DEFAULTS, ETCD_KEYS, type EtcdSpec } from "../../scenario/sections/etcd.js";
import { inputLimits, numberOption, SEED_RULE, withInputOptions, type InputArgs } from "../input-options.js";
import { commandModule } from "../command-index.js";

interface CalibrateArgs extends InputArgs {
  component: "etcd";
  measurements: string;
  fixed?: string;
  out?: string;
  check?: string;
  json: boolean;
  seed: number;
  "value-size": number;
  "max-evaluations": number;
}

/**
 * `simctl calibrate etcd MEASUREMENTS.csv [--fixed FIXED.yaml] --out etcd.yaml` fits the etcd
 * model's CPU costs and WAL bandwidth to a real etcd's measurements; `simctl calibrate etcd
 * --check etcd.yaml MEASUREMENTS.csv [--json]` predicts every row with a parameter file.
 */
export const calibrateCommand: CommandModule<object, CalibrateArgs> = commandModule("calibrate", {
  builder: (y) =>
    withInputOptions(
      y.positional("component", { choices: ["etcd"] as const, demandOption: true, describe: "what to calibrate" }),
      "measurements",
      "CSV of measured points: members,clients,ops_per_s,p50_ms,p99_ms[,host_cpus,colocated]",
    )
      .option("fixed", { type: "string", describe: "etcd mapping (scenario syntax) of parameters to hold fixed" })
      .option("out", { type: "string", describe: "where to write the fitted etcd mapping (YAML)" })
      .option("check", { type: "string", describe: "predict every row with this parameter file instead of fitting" })
      .option("json", { type: "boolean", default: false, describe: "with --check: print the predictions as JSON" })
      .option("seed", numberOption("--seed", "seed of the replayed benchmarks and of the search", SEED_RULE, 1))
      .option(
        "value-size",
        numberOption("--value-size", "value bytes of the measured puts", { integer: true, min: 1 }, 256),
      )
      .option(
        "max-evaluations",
        numberOption("--max-evaluations", "replays of the fitted rows allowed", { integer: true, min: 1 }, 300),
      )
      .check((a) => {
        if (a.check === undefined && a.out === undefined) throw new Error("give --out FILE (or --check FILE)");
        if (a.check !== undefined && (a.out !== undefined || a.fixed !== undefined)) {
          throw new Error("--check predicts with a parameter file: it takes neither --out nor --fixed");
        }
        if (a.json && a.check === undefined) throw new Error("--json goes with --check");
        return true;
      }) as never,
  handler: (args) => {
    const limits = inputLimits(args);
    const points = readMeasurements(args.measurements, limits);
    const replay = { valueBytes: args["value-size"], seed: args.seed };
    if (args.check !== undefined) {
      const { spec } = readEtcdFile(args.check, limits);
      const predicted = points.map((p) => predictPoint(spec, p, replay));
      if (args.json) {
        const out = points.map((p, i) => ({
          members: p.members,
          clients: p.clients,
          ops_per_s: p.opsPerS,
          p50_ms: p.p50Ms,
          p99_ms: p.p99Ms,
          ...(p.hostCpus === undefined ? {} : { host_cpus: p.hostCpus }),
          ...(p.colocated === undefined ? {} : { colocated: p.colocated ? 1 : 0 }),
          predicted_ops_per_s: round(predicted[i]!.opsPerS, 1),
          predicted_p50_ms: round(predicted[i]!.p50Ms, 4),
          predicted_p99_ms: round(predicted[i]!.p99Ms, 4),
        }));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      process.stdout.write(calibrationTable(points, predicted));
      process.stdout.write(
        `${pointsWithin(points, predicted, 0.25)} of ${points.length} points within 25% for throughput and p50\n`,
      );
      return;
    }
    const fixed =
      args.fixed === undefined ? { spec: ETCD_DEFAULTS, keys: new Set<string>() } : readEtcdFile(args.fixed, limits);
    const fit = fitEtcd(points, fixed.spec, fixed.keys, { ...replay, maxEvaluations: args["max-evaluations"] });
    const predicted = points.map((p) => predictPoint(fit.spec, p, replay));
    const provenance: Provenance = {};
    for (const k of fixed.keys) provenance[k as keyof EtcdSpec] = `fixed (${args.fixed})`;
    for (const k of fit.fitted) provenance[k] = `fitted to ${args.measurements}`;
    for (const [k, to] of fit.tied) provenance[k] = `tied to ${ETCD_KEYS[to]} (not identifiable from these rows)`;
    const header =
      `# simctl calibrate etcd: fitted to ${points.length} points of ${args.measurements} ` +
      `(seed ${args.seed}, ${fit.evaluations} evaluations, rms log error ${fit.rmsLogError.toFixed(3)}).\n` +
      "# Use it as the etcd: section of an etcd benchmark or as controlPlane.etcd of a cluster scenario.\n";
    writeFileAtomic(args.out!, header + etcdSpecYaml(fit.spec, provenance));
    process.stdout.write(calibrationTable(points, predicted));
    process.stdout.write(`fitted ${fit.fitted.map((k) => ETCD_KEYS[k]).join(", ")}; wrote ${args.out}\n`);
  },
});

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
