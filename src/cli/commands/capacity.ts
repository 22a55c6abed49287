import { join } from "node:path";
import type { CommandModule } from "yargs";
import { tableFromColumns, writeArrowFile } from "../../metrics/arrow-writer.js";
import { writeResultDir } from "../../metrics/result-dir.js";
import { readTopFile } from "../../scenario/load-scenario.js";
import { scenarioKind } from "../../scenario/etcd-benchmark-scenario.js";
import { type CapacityAnswer, searchCapacity } from "../../study/capacity.js";
import { formatSloValue, parseSlo, type Slo, sloMargin } from "../../study/slo.js";
import { StudyProgress } from "../../study/study-progress.js";
import { UserError, withUserErrors } from "../../study/user-error.js";
import { defaultWorkers } from "../../study/worker-pool.js";
import { numberOption, SEED_RULE } from "../input-options.js";
import { VERSION } from "../../version.js";
import { COMMANDS } from "../command-index.js";

interface CapacityArgs {
  scenario: string;
  pool: string;
  slo: string[];
  seeds: number;
  "first-seed": number;
  min: number;
  max: number;
  "zone-loss": number;
  workers: number;
  out?: string;
  json: boolean;
}

/**
 * `simctl capacity SCENARIO --pool NAME --slo EXPR [...]`: the smallest node count of a pool for
 * which every SLO holds in every seed, found by {@link searchCapacity}.
 */
export const capacityCommand: CommandModule<object, CapacityArgs> = {
  command: COMMANDS.capacity.usage,
  describe: COMMANDS.capacity.describe,
  builder: (y) =>
    y
      .positional("scenario", { type: "string", demandOption: true, describe: "cluster scenario file" })
      .option("pool", { type: "string", demandOption: true, describe: "node pool whose count is searched" })
      .option("slo", {
        type: "string",
        array: true,
        demandOption: true,
        describe: "a bound such as 'allRunning <= 30m', 'startupP99 <= 5s', 'pending == 0', 'cpuAllocated <= 80%'",
      })
      .option(
        "seeds",
        numberOption("--seeds", "seeds per candidate (common random numbers)", { integer: true, min: 1 }, 3),
      )
      .option("first-seed", numberOption("--first-seed", "the seeds are first-seed, first-seed+1, ...", SEED_RULE, 1))
      .option("min", numberOption("--min", "smallest node count to consider", { integer: true, min: 1 }, 1))
      .option("max", numberOption("--max", "largest node count to consider", { integer: true, min: 1 }, 10_000))
      .option(
        "zone-loss",
        numberOption(
          "--zone-loss",
          "1: the SLOs must also hold on the cluster left after losing its largest zone",
          { integer: true, min: 0, max: 1 },
          0,
        ),
      )
      .option("workers", numberOption("--workers", "worker threads", { integer: true, min: 1 }, defaultWorkers()))
      .option("out", {
        type: "string",
        describe: "directory for capacity.arrow (default results/capacity/<scenario name>)",
      })
      .option("json", { type: "boolean", default: false, describe: "print the answer and every point as JSON" }),
  handler: (args) =>
    withUserErrors("capacity", async () => {
      if (args.max < args.min) throw new UserError(`--max: expected a count >= --min (${args.min}), found ${args.max}`);
      const slos = args.slo.map((text, i) => parseSlo(text, i + 1));
      const text = readTopFile(args.scenario, "scenario");
      if (scenarioKind(text) !== "cluster")
        throw new UserError(
          `${args.scenario} is an etcd benchmark: capacity searches a cluster scenario's node pool`,
          2,
        );
      const seeds = Array.from({ length: args.seeds }, (_, i) => args["first-seed"] + i);
      let bar: StudyProgress | undefined;
      const answer = await searchCapacity({
        file: args.scenario,
        text,
        pool: args.pool,
        slos,
        seeds,
        min: args.min,
        max: args.max,
        zoneLoss: args["zone-loss"] === 1,
        workers: args.workers,
        onCandidate: (n, runs) => {
          bar?.finish();
          bar = new StudyProgress(runs, `runs at ${n} nodes`);
        },
        onProgress: (i, d, t) => bar?.progress(i, d, t),
        onDone: (i) => bar?.finished(i),
      });
      bar?.finish();
      const name = text.match(/^name:\s*(\S+)/m)?.[1] ?? "capacity";
      const out = args.out ?? join("results", "capacity", name);
      writeCapacityTable(out, answer, slos);
      if (args.json) {
        process.stdout.write(
          `${JSON.stringify({ pool: answer.pool, nodes: answer.nodes, points: answer.points }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(
        `${formatCapacity(answer, slos, seeds, args["zone-loss"] === 1)}\noutputs: ${out}/capacity.arrow\n`,
      );
    }),
};

/** The tried points, by node count: each SLO's mean ± interval over the runs and its worst run, pass or fail. */
export function formatCapacity(
  a: CapacityAnswer,
  slos: readonly Slo[],
  seeds: readonly number[],
  zoneLoss: boolean,
): string {
  const points = [...a.points].sort((x, y) => x.nodes - y.nodes);
  const header = ["nodes", ...(zoneLoss ? ["after zone loss"] : []), ...slos.map((s) => s.text), "result"];
  const rows = points.map((p) => [
    String(p.nodes),
    ...(zoneLoss ? [`${p.schedulableNodes} (${p.lostZone} lost)`] : []),
    ...p.slos.map((r, i) => {
      const f = (v: number) => formatSloValue(slos[i]!, v);
      const spread = Number.isFinite(r.half) && r.half > 0 ? ` ± ${f(r.half)}` : "";
      return `${Number.isNaN(r.worst) ? "never" : `${f(r.mean)}${spread}, worst ${f(r.worst)}`} ${r.holds ? "ok" : "FAIL"}`;
    }),
    p.pass ? "pass" : "fail",
  ]);
  const table = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  const lines = table.map((r) =>
    r.map((x, c) => (c === 0 ? x.padStart(widths[c]!) : x.padEnd(widths[c]!))).join("   "),
  );
  const runs = `${seeds.length} seed${seeds.length === 1 ? "" : "s"}${zoneLoss ? " x (whole cluster, largest zone lost)" : ""}`;
  const out = [`capacity of pool ${a.pool}: ${points.length} node counts tried, ${runs} each`, "", ...lines, ""];
  if (a.nodes === null) {
    out.push(`no node count up to the largest tried (${Math.max(...points.map((p) => p.nodes))}) meets every SLO`);
    return out.join("\n");
  }
  const at = a.points.find((p) => p.nodes === a.nodes)!;
  const margins = at.slos.map((r, i) => {
    const m = sloMargin(slos[i]!, r.worst);
    return `${slos[i]!.text}: worst ${formatSloValue(slos[i]!, r.worst)}${slos[i]!.op === "==" ? "" : ` (${(m * 100).toFixed(1)}% inside)`}`;
  });
  out.push(`answer: ${a.nodes} nodes of pool ${a.pool}; margin at the answer: ${margins.join("; ")}`);
  return out.join("\n");
}

/**
 * `capacity.arrow`: one row per tried node count and SLO, in the order tried: `order`,
 * `nodes`, `schedulable_nodes`, `slo`, `mean`, `worst` (in the metric's unit: ns, pods or
 * percent; NaN when a run never got there), `holds` (1/0) and `pass` (1/0: every SLO held).
 */
function writeCapacityTable(dir: string, a: CapacityAnswer, slos: readonly Slo[]): void {
  const rows = a.points.length * slos.length;
  const order = new Int32Array(rows);
  const nodes = new Int32Array(rows);
  const schedulable = new Int32Array(rows);
  const slo = new Int32Array(rows);
  const mean = new Float64Array(rows);
  const worst = new Float64Array(rows);
  const holds = new Int32Array(rows);
  const pass = new Int32Array(rows);
  a.points.forEach((p, i) => {
    p.slos.forEach((r, j) => {
      const k = i * slos.length + j;
      order[k] = i;
      nodes[k] = p.nodes;
      schedulable[k] = p.schedulableNodes;
      slo[k] = j;
      mean[k] = r.mean;
      worst[k] = r.worst;
      holds[k] = r.holds ? 1 : 0;
      pass[k] = p.pass ? 1 : 0;
    });
  });
  const table = tableFromColumns(
    [
      { name: "order", type: "int32", values: order },
      { name: "nodes", type: "int32", values: nodes },
      { name: "schedulable_nodes", type: "int32", values: schedulable },
      { name: "slo", type: "dict", values: slo, dictionary: slos.map((s) => s.text) },
      { name: "mean", type: "float64", values: mean },
      { name: "worst", type: "float64", values: worst },
      { name: "holds", type: "int32", values: holds },
      { name: "pass", type: "int32", values: pass },
    ],
    rows,
    { "simctl.version": VERSION, "simctl.pool": a.pool, "simctl.answer": String(a.nodes ?? "none") },
  );
  writeResultDir(dir, (tmp) => writeArrowFile(join(tmp, "capacity.arrow"), table));
}
