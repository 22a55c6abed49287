import { join } from "node:path";
import type { CommandModule } from "yargs";
import { writeArrowColumns } from "../../metrics/arrow-ipc.js";
import type { Column } from "../../metrics/arrow-writer.js";
import { writeResultDir } from "../../metrics/result-dir.js";
import { readTopFile } from "../../scenario/load-scenario.js";
import { scenarioKind } from "../../scenario/etcd-benchmark-scenario.js";
import {
  type CapacityAnswer,
  type MixAnswer,
  type SloResult,
  searchCapacity,
  searchCheapestMix,
} from "../../study/capacity.js";
import { formatSloResult, formatSloValue, parseSlo, type Slo, sloMargin } from "../../study/slo.js";
import { StudyProgress } from "../../study/study-progress.js";
import { UserError, withUserErrors } from "../../study/user-error.js";
import { defaultWorkers } from "../../study/worker-pool.js";
import { numberOption, SEED_RULE } from "../input-options.js";
import { VERSION } from "../../version.js";
import { commandModule } from "../command-index.js";

interface CapacityArgs {
  scenario: string;
  pool?: string;
  pools?: string;
  cost: boolean;
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
 * which every SLO holds in every seed, found by {@link searchCapacity}; with
 * `--pools A,B --cost`, the cheapest mix of the two pools' counts ({@link searchCheapestMix}).
 */
export const capacityCommand: CommandModule<object, CapacityArgs> = commandModule("capacity", {
  builder: (y) =>
    y
      .positional("scenario", { type: "string", demandOption: true, describe: "cluster scenario file" })
      .option("pool", { type: "string", describe: "node pool whose count is searched" })
      .option("pools", {
        type: "string",
        describe: "two node pools A,B whose cheapest mix is searched (with --cost)",
      })
      .option("cost", {
        type: "boolean",
        default: false,
        describe: "with --pools: minimise the price per hour (each pool's costPerHour)",
      })
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
      const pools = args.pools?.split(",").map((p) => p.trim());
      if ((args.pool === undefined) === (pools === undefined))
        throw new UserError("expected --pool NAME, or --pools A,B --cost (one of them)", 2);
      if (pools !== undefined && (pools.length !== 2 || pools.some((p) => p === "")))
        throw new UserError(`--pools: expected two pool names A,B, found ${JSON.stringify(args.pools)}`, 2);
      if (pools !== undefined && !args.cost)
        throw new UserError("--pools searches the cheapest mix of the pools: add --cost", 2);
      if (pools === undefined && args.cost) throw new UserError("--cost prices a mix: use it with --pools A,B", 2);
      if (pools !== undefined && args["zone-loss"] === 1)
        throw new UserError("--zone-loss is not simulated with --pools (it loses a zone of one searched pool)", 2);
      const slos = args.slo.map((text, i) => parseSlo(text, i + 1));
      const text = readTopFile(args.scenario, "scenario");
      if (scenarioKind(text) !== "cluster")
        throw new UserError(
          `${args.scenario} is an etcd benchmark: capacity searches a cluster scenario's node pool`,
          2,
        );
      const seeds = Array.from({ length: args.seeds }, (_, i) => args["first-seed"] + i);
      let bar: StudyProgress | undefined;
      const name = text.match(/^name:\s*(\S+)/m)?.[1] ?? "capacity";
      const out = args.out ?? join("results", "capacity", name);
      if (pools !== undefined) {
        const mix = await searchCheapestMix({
          file: args.scenario,
          text,
          pools: [pools[0]!, pools[1]!],
          slos,
          seeds,
          min: args.min,
          max: args.max,
          workers: args.workers,
          onCandidate: (nodes, runs) => {
            bar?.finish();
            bar = new StudyProgress(runs, `runs at ${pools.map((p) => `${nodes[p]} ${p}`).join(" + ")}`);
          },
          onProgress: (i, d, t) => bar?.progress(i, d, t),
          onDone: (i) => bar?.finished(i),
        });
        bar?.finish();
        writeMixTable(out, mix, slos);
        if (args.json) {
          const { pools: p, nodes, costPerHour, points } = mix;
          process.stdout.write(`${JSON.stringify({ pools: p, nodes, costPerHour, points }, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${formatMix(mix, slos, seeds)}\noutputs: ${out}/capacity.arrow\n`);
        return;
      }
      const answer = await searchCapacity({
        file: args.scenario,
        text,
        pool: args.pool!,
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
});

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
    ...p.slos.map((r, i) => formatSloResult(slos[i]!, r)),
    p.pass ? "pass" : "fail",
  ]);
  const lines = alignTable([header, ...rows], 1);
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

/** The rows as lines of columns three spaces apart; the first `numeric` columns right-aligned. */
function alignTable(table: readonly string[][], numeric: number): string[] {
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  return table.map((r) => r.map((x, c) => (c < numeric ? x.padStart(widths[c]!) : x.padEnd(widths[c]!))).join("   "));
}

/** The mixes tried, by count of the first pool then the second: price per hour, each SLO, pass or fail. */
export function formatMix(m: MixAnswer, slos: readonly Slo[], seeds: readonly number[]): string {
  const [a, b] = m.pools;
  const points = [...m.points].sort((x, y) => x.nodes[a]! - y.nodes[a]! || x.nodes[b]! - y.nodes[b]!);
  const header = [a, b, "USD/hour", ...slos.map((s) => s.text), "result"];
  const rows = points.map((p) => [
    String(p.nodes[a]),
    String(p.nodes[b]),
    p.costPerHour.toFixed(2),
    ...p.slos.map((r, i) => formatSloResult(slos[i]!, r)),
    p.pass ? "pass" : "fail",
  ]);
  const runs = `${seeds.length} seed${seeds.length === 1 ? "" : "s"}`;
  const out = [`cheapest mix of pools ${a} and ${b}: ${points.length} mixes tried, ${runs} each`, ""];
  out.push(...alignTable([header, ...rows], 3), "");
  if (m.nodes === null) {
    out.push("no mix within --min/--max meets every SLO");
    return out.join("\n");
  }
  out.push(`answer: ${m.nodes[a]} nodes of ${a} + ${m.nodes[b]} nodes of ${b}, ${m.costPerHour!.toFixed(2)} USD/hour`);
  return out.join("\n");
}

/**
 * `capacity.arrow` of a mix search: one row per tried mix and SLO, in the order tried:
 * `order`, `nodes_<A>`, `nodes_<B>`, `cost_per_hour`, then the SLO columns of
 * {@link writeCapacityTable}.
 */
function writeMixTable(dir: string, m: MixAnswer, slos: readonly Slo[]): void {
  const [a, b] = m.pools;
  const cols = sloColumns(m.points, slos);
  const rows = cols.rows;
  const countA = new Int32Array(rows);
  const countB = new Int32Array(rows);
  const cost = new Float64Array(rows);
  m.points.forEach((p, i) => {
    for (let j = 0; j < slos.length; j++) {
      const k = i * slos.length + j;
      countA[k] = p.nodes[a]!;
      countB[k] = p.nodes[b]!;
      cost[k] = p.costPerHour;
    }
  });
  const columns: Column[] = [
    cols.order,
    { name: `nodes_${a}`, type: "int32", values: countA },
    { name: `nodes_${b}`, type: "int32", values: countB },
    { name: "cost_per_hour", type: "float64", values: cost },
    ...cols.slo,
  ];
  const meta = {
    "simctl.version": VERSION,
    "simctl.pools": `${a},${b}`,
    "simctl.answer": m.nodes === null ? "none" : `${m.nodes[a]},${m.nodes[b]}`,
  };
  writeResultDir(dir, (tmp) => writeArrowColumns(join(tmp, "capacity.arrow"), columns, rows, meta));
}

/**
 * The columns every capacity.arrow shares: `order`, and per SLO `slo`, `mean`, `half` (the
 * half-width of the 95% interval of the mean over the runs), `worst`, `holds`, `pass`.
 */
function sloColumns(points: readonly { slos: readonly SloResult[]; pass: boolean }[], slos: readonly Slo[]) {
  const rows = points.length * slos.length;
  const order = new Int32Array(rows);
  const slo = new Int32Array(rows);
  const mean = new Float64Array(rows);
  const half = new Float64Array(rows);
  const worst = new Float64Array(rows);
  const holds = new Int32Array(rows);
  const pass = new Int32Array(rows);
  points.forEach((p, i) => {
    p.slos.forEach((r, j) => {
      const k = i * slos.length + j;
      order[k] = i;
      slo[k] = j;
      mean[k] = r.mean;
      half[k] = r.half;
      worst[k] = r.worst;
      holds[k] = r.holds ? 1 : 0;
      pass[k] = p.pass ? 1 : 0;
    });
  });
  return {
    rows,
    order: { name: "order", type: "int32", values: order } as const,
    slo: [
      { name: "slo", type: "dict", values: slo, dictionary: slos.map((s) => s.text) },
      { name: "mean", type: "float64", values: mean },
      { name: "half", type: "float64", values: half },
      { name: "worst", type: "float64", values: worst },
      { name: "holds", type: "int32", values: holds },
      { name: "pass", type: "int32", values: pass },
    ] as const,
  };
}

/**
 * `capacity.arrow`: one row per tried node count and SLO, in the order tried: `order`,
 * `nodes`, `schedulable_nodes`, `slo`, `mean`, `half`, `worst` (in the metric's unit: ns, pods or
 * percent; NaN when a run never got there), `holds` (1/0) and `pass` (1/0: every SLO held).
 */
function writeCapacityTable(dir: string, a: CapacityAnswer, slos: readonly Slo[]): void {
  const cols = sloColumns(a.points, slos);
  const rows = cols.rows;
  const nodes = new Int32Array(rows);
  const schedulable = new Int32Array(rows);
  a.points.forEach((p, i) => {
    for (let j = 0; j < slos.length; j++) {
      nodes[i * slos.length + j] = p.nodes;
      schedulable[i * slos.length + j] = p.schedulableNodes;
    }
  });
  const columns: Column[] = [
    cols.order,
    { name: "nodes", type: "int32", values: nodes },
    { name: "schedulable_nodes", type: "int32", values: schedulable },
    ...cols.slo,
  ];
  const meta = { "simctl.version": VERSION, "simctl.pool": a.pool, "simctl.answer": String(a.nodes ?? "none") };
  writeResultDir(dir, (tmp) => writeArrowColumns(join(tmp, "capacity.arrow"), columns, rows, meta));
}
