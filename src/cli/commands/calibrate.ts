import type { CommandModule } from "yargs";
import { etcdSpecYaml, type Provenance } from "../../calibrate/etcd-yaml.js";
import { fitEtcd, predictPoint, type PredictedPoint } from "../../calibrate/fit-etcd.js";
import { readMeasurements, type Measurement } from "../../calibrate/measurements.js";
import { writeFileAtomic } from "../../metrics/arrow-writer.js";
import { readTopFile } from "../../scenario/load-scenario.js";
import { ETCD_DEFAULTS, ETCD_KEYS, etcdKeysPresent, readEtcd, type EtcdSpec } from "../../scenario/sections/etcd.js";
import { readYamlDocuments } from "../../scenario/yaml-reader.js";
import { inputLimits, withInputOptions, type InputArgs } from "../input-options.js";
import type { InputLimits } from "../../scenario/input-files.js";

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

/** Reads an etcd mapping file (FIXED.yaml, or a parameter file), with located errors. */
function readEtcdFile(file: string, limits: InputLimits): { spec: EtcdSpec; keys: Set<string> } {
  const text = readTopFile(file, "etcd parameter", limits);
  const { ctx, docs } = readYamlDocuments(file, text, { limits });
  const r = docs[0]!;
  const spec = readEtcd(r);
  const keys = new Set<string>(etcdKeysPresent(r));
  ctx.throwIfIssues();
  return { spec, keys };
}

function pct(predicted: number, measured: number): string {
  const e = (predicted / measured - 1) * 100;
  return `${e >= 0 ? "+" : ""}${e.toFixed(0)}%`;
}

/** The measured-vs-model table both modes print: one line per point, % errors. */
function table(points: readonly Measurement[], predicted: readonly PredictedPoint[]): string {
  const head =
    "members clients |    ops/s measured   model  err |   p50 ms measured   model  err |   p99 ms measured   model  err";
  const rows = points.map((p, i) => {
    const q = predicted[i]!;
    const col = (m: number, v: number, digits: number) =>
      `${m.toFixed(digits).padStart(17)} ${v.toFixed(digits).padStart(7)} ${pct(v, m).padStart(4)}`;
    return `${String(p.members).padStart(7)} ${String(p.clients).padStart(7)} |${col(p.opsPerS, q.opsPerS, 0)} |${col(p.p50Ms, q.p50Ms, 2)} |${col(p.p99Ms, q.p99Ms, 2)}`;
  });
  return `${head}\n${rows.join("\n")}\n`;
}

/** Counts points within `tolerance` (a fraction) for throughput and p50, the calibration bar. */
function within(points: readonly Measurement[], predicted: readonly PredictedPoint[], tolerance: number): number {
  let n = 0;
  points.forEach((p, i) => {
    const q = predicted[i]!;
    if (Math.abs(q.opsPerS / p.opsPerS - 1) <= tolerance && Math.abs(q.p50Ms / p.p50Ms - 1) <= tolerance) n++;
  });
  return n;
}

/**
 * `simctl calibrate etcd MEASUREMENTS.csv [--fixed FIXED.yaml] --out etcd.yaml` fits the etcd
 * model's CPU costs and WAL bandwidth to a real etcd's measurements; `simctl calibrate etcd
 * --check etcd.yaml MEASUREMENTS.csv [--json]` predicts every row with a parameter file.
 */
export const calibrateCommand: CommandModule<object, CalibrateArgs> = {
  command: "calibrate <component> <measurements>",
  describe: "Fit a model's parameters to measurements of the real component, or check a fit",
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
      .option("seed", { type: "number", default: 1, describe: "seed of the replayed benchmarks and of the search" })
      .option("value-size", { type: "number", default: 256, describe: "value bytes of the measured puts" })
      .option("max-evaluations", { type: "number", default: 300, describe: "replays of the fitted rows allowed" })
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
      process.stdout.write(table(points, predicted));
      process.stdout.write(
        `${within(points, predicted, 0.25)} of ${points.length} points within 25% for throughput and p50\n`,
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
    process.stdout.write(table(points, predicted));
    process.stdout.write(`fitted ${fit.fitted.map((k) => ETCD_KEYS[k]).join(", ")}; wrote ${args.out}\n`);
  },
};

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
