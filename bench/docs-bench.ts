import { BARE_NODE_CASE, HELP_CASE } from "./e2e.bench.js";
import { heapCaseName, holdCaseName } from "./engine.bench.js";
import { type BenchResult, type CaseResult, median } from "./gate.js";
import { FULL_CHANGED_CASE } from "./scheduler.bench.js";

/**
 * The README's benchmark tables, made from one `npm run bench` result (its JSON): every case
 * with its figure and its ratio to the baseline measured in the same run, and issue 18's
 * targets with the figure measured and whether each is met. Pure functions of the result, so
 * test/docs/bench-block.test.ts can pin the text a fixed result gives.
 */

/** The 10k-pods case of targets 1. */
export const PODS_10K_CASE = "e2e 10k-pods";
const ENGINE_1E6 = holdCaseName(1e6);

/** In-run ratio fields of a case's info: what they compare, as the table says it. */
const RATIOS: readonly { field: string; against: (c: CaseResult) => string }[] = [
  {
    field: "ratioToFlatHeap",
    against: (c) => `x the events/s of \`${c.name.replace(/^engine/, "flat binary heap")}\``,
  },
  { field: "ratioToBareKernel", against: () => "x the time of the bare kernel" },
  { field: "ratioToNodeE0", against: () => `x the wall time of \`node -e 0\`` },
];

/** A case's figures for people: its info without the ratio fields. */
function figure(c: CaseResult): string {
  return Object.entries(c.info ?? {})
    .filter(([k]) => !RATIOS.some((r) => r.field === k))
    .filter(([k, v]) => !(k === "events" && v === 0))
    .map(([k, v]) =>
      k === "events"
        ? `${(Number(v) / 1e6).toFixed(2)} M events`
        : k === "peak RSS MiB"
          ? `peak RSS ${v} MiB`
          : `${v.toLocaleString("en-US")} ${k}`,
    )
    .join(", ");
}

/** A case's ratio to its in-run baseline, or "" when it has none. */
function ratioCell(c: CaseResult): string {
  for (const r of RATIOS) {
    const v = c.info?.[r.field];
    if (typeof v === "number") return `${v.toPrecision(3)} ${r.against(c)}`;
  }
  return "";
}

const isE2E = (c: CaseResult): boolean => c.name.startsWith("e2e ");
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** One row per case: name, figure, median time per iteration (wall per run for e2e), in-run ratio. */
export function benchCasesTable(result: BenchResult): string {
  const rows = result.cases.map((c) => {
    const med = median(c.samples);
    const time = isE2E(c) ? `${seconds(med)} wall` : `${med.toPrecision(4)} ms`;
    return `| ${c.name} | ${figure(c)} | ${time} | ${ratioCell(c)} |`;
  });
  return [
    "| case | figure | median time per iteration (wall per run for e2e) | ratio to its in-run baseline |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}

interface Measured {
  figure: string;
  met: boolean;
  /** How far from the target, when missed. */
  miss: string;
}

/** A whole-process case's median wall against a limit, with `note` after the figure. */
function wallWithin(c: CaseResult | undefined, limitMs: number, note: string): Measured | null {
  if (c === undefined) return null;
  const ms = median(c.samples);
  return {
    figure: `${seconds(ms)}${note}`,
    met: ms <= limitMs,
    miss: `by ${seconds(ms - limitMs)} (${(ms / limitMs).toFixed(1)} x the target)`,
  };
}

/** Issue 18's targets that the bench measures: each one's statement and its reading of a result. */
const TARGETS: readonly { n: number; target: string; measure: (cases: Map<string, CaseResult>) => Measured | null }[] =
  [
    {
      n: 1,
      target: "10k-pods, all default models on: <= 0.5 s wall median as a whole process",
      measure: (cases) => {
        const r = cases.get(PODS_10K_CASE)?.info?.ratioToNodeE0;
        return wallWithin(
          cases.get(PODS_10K_CASE),
          500,
          typeof r === "number" ? ` (${r.toFixed(1)} x \`node -e 0\`)` : "",
        );
      },
    },
    {
      n: 1,
      target: "10k-pods: <= 150 MiB peak RSS",
      measure: (cases) => {
        const rss = cases.get(PODS_10K_CASE)?.info?.["peak RSS MiB"];
        if (typeof rss !== "number") return null;
        return { figure: `${rss} MiB`, met: rss <= 150, miss: `by ${rss - 150} MiB` };
      },
    },
    {
      n: 4,
      target: "Scheduler: the full default profile on a pass where every node changed <= 2 x the bare kernel",
      measure: (cases) => {
        const c = cases.get(FULL_CHANGED_CASE);
        const r = c?.info?.ratioToBareKernel;
        if (c === undefined || typeof r !== "number") return null;
        return { figure: `${r.toFixed(2)} x`, met: r <= 2, miss: `by ${Math.round((r / 2 - 1) * 100)}%` };
      },
    },
    {
      n: 5,
      target: "Engine hold model at 1e6 pending >= a flat binary heap",
      measure: (cases) => {
        const c = cases.get(ENGINE_1E6);
        const r = c?.info?.ratioToFlatHeap;
        if (c === undefined || typeof r !== "number") return null;
        const heap = cases.get(heapCaseName(1e6))?.info?.["M events/s"];
        return {
          figure: `${r.toFixed(2)} x the heap's events/s (${c.info?.["M events/s"]} vs ${heap} M events/s)`,
          met: r >= 1,
          miss: `by ${Math.round((1 - r) * 100)}%`,
        };
      },
    },
    {
      n: 6,
      target: "`simctl --help` <= 0.2 s",
      measure: (cases) => {
        const bare = cases.get(BARE_NODE_CASE);
        const floor = bare === undefined ? "" : `; \`node -e 0\` ${seconds(median(bare.samples))}`;
        return wallWithin(cases.get(HELP_CASE), 200, floor);
      },
    },
  ];

/** Issue 18's targets: statement, the figure this result measured, met or missed (and by how much). */
export function benchTargetsTable(result: BenchResult): string {
  const cases = new Map(result.cases.map((c) => [c.name, c]));
  const rows = TARGETS.map((t) => {
    const m = t.measure(cases);
    const verdict = m === null ? "not measured in this run" : m.met ? "met" : `missed ${m.miss}`;
    return `| ${t.n} | ${t.target} | ${m === null ? "" : m.figure} | ${verdict} |`;
  });
  return ["| # | target (issue 18) | measured | verdict |", "|---|---|---|---|", ...rows].join("\n");
}
