import { formatMetric } from "../study/compare.js";
import type { GateCase, GateResult, GateRow } from "./gate.js";

const HEADER = ["scenario", "metric", "baseline", "now", "change [interval]", "tolerance", "verdict"] as const;

/** A value of a metric for people (`-` for none). */
function value(r: GateRow, v: number): string {
  return formatMetric(r.unit, v);
}

function signed(r: GateRow, v: number): string {
  if (!Number.isFinite(v)) return "-";
  return v > 0 ? `+${value(r, v)}` : v < 0 ? `-${value(r, -v)}` : value(r, 0);
}

/** The change of a row: `+120 ms (+5.4%) [+100 ms, +140 ms]`. */
export function changeText(r: GateRow): string {
  const d = r.diff;
  if (d.n === 0) return "-";
  const pct =
    d.meanDiff !== 0 && r.baselineMean !== 0 && Number.isFinite(r.baselineMean)
      ? ` (${d.meanDiff >= 0 ? "+" : ""}${((100 * d.meanDiff) / Math.abs(r.baselineMean)).toFixed(1)}%)`
      : "";
  const interval = d.n >= 2 ? ` [${signed(r, d.lo)}, ${signed(r, d.hi)}]` : "";
  return `${signed(r, d.meanDiff)}${pct}${interval}`;
}

/** The tolerance of a row as written after its `=` (`+10%`), `0` when none was given. */
export function toleranceText(r: GateRow): string {
  if (r.tolerance === undefined) return "0";
  const i = r.tolerance.search(/[=<>]/);
  return r.tolerance.slice(i + 1).trim();
}

function cells(c: GateCase, r: GateRow): string[] {
  return [c.name, r.metric, value(r, r.baselineMean), value(r, r.nowMean), changeText(r), toleranceText(r), r.verdict];
}

/** One line per scenario on what changed: identical results, or how many values moved. */
function caseNote(c: GateCase): string {
  const what = c.identical
    ? "results identical to the baseline"
    : `${c.changedValues} result value${c.changedValues === 1 ? "" : "s"} differ from the baseline`;
  return `${c.name} (${c.file}): ${what}${c.scenarioChanged ? "; the scenario file changed since the baseline" : ""}`;
}

function verdictLine(g: GateResult): string {
  return g.regressions === 0
    ? "gate: passed (no regression beyond tolerance)"
    : `gate: FAILED: ${g.regressions} regression${g.regressions === 1 ? "" : "s"} beyond tolerance: ${g.cases
        .flatMap((c) => c.rows.filter((r) => r.verdict === "REGRESSION").map((r) => `${c.name} ${r.metric}`))
        .join(", ")}`;
}

function seedsText(g: GateResult): string {
  const s = g.seeds;
  return s.length > 3 ? `${s[0]}..${s[s.length - 1]}` : s.join(", ");
}

/** The terminal table of a gate run, with the notes and the verdict. */
export function formatGate(g: GateResult): string {
  const rows: string[][] = [[...HEADER]];
  for (const c of g.cases) for (const r of c.rows) rows.push(cells(c, r));
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row
      .map((x, i) => (i < 2 || i === row.length - 1 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!)))
      .join("   ")
      .trimEnd(),
  );
  const pct = Math.round(g.confidence * 100);
  const reasons = g.cases.flatMap((c) =>
    c.rows.filter((r) => r.reason !== "").map((r) => `  ${c.name} ${r.metric}: ${r.reason}`),
  );
  return [
    `gate: ${g.cases.length} scenario${g.cases.length === 1 ? "" : "s"} x ${g.seeds.length} seeds (${seedsText(g)}), rerun on the baseline's seeds (common random numbers)`,
    "",
    ...lines,
    "",
    `change: mean of now - baseline over seeds (paired by seed), with its ${pct}% t-interval; REGRESSION when the whole interval lies beyond the tolerance on the worse side`,
    ...g.cases.map(caseNote),
    ...reasons,
    verdictLine(g),
  ].join("\n");
}

function mdCell(s: string): string {
  return s.replace(/\|/g, "\\|");
}

/** The gate run as Markdown (a CI job summary): the verdict, then one table row per scenario x metric. */
export function gateMarkdown(g: GateResult): string {
  const out = [
    `### simctl gate: ${g.regressions === 0 ? "passed" : `FAILED (${g.regressions} regression${g.regressions === 1 ? "" : "s"})`}`,
    "",
    `${g.cases.length} scenario${g.cases.length === 1 ? "" : "s"} x ${g.seeds.length} seeds (${seedsText(g)}); change = now - baseline paired by seed, ${Math.round(g.confidence * 100)}% t-interval.`,
    "",
    `| ${HEADER.join(" | ")} |`,
    `|${HEADER.map((_, i) => (i >= 2 && i <= 5 ? "---:" : "---")).join("|")}|`,
  ];
  for (const c of g.cases)
    for (const r of c.rows) {
      const x = cells(c, r).map(mdCell);
      if (r.verdict === "REGRESSION") x[6] = `**${x[6]}**`;
      out.push(`| ${x.join(" | ")} |`);
    }
  out.push("", ...g.cases.map((c) => `- ${mdCell(caseNote(c))}`), "");
  return out.join("\n");
}

/** `s` as XML text or attribute: markup characters as references, control characters XML 1.0 forbids dropped. */
function xml(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) continue;
    out += ch === "&" || ch === "<" || ch === ">" || ch === '"' || ch === "'" ? `&#${c};` : ch;
  }
  return out;
}

/**
 * The gate run as JUnit XML: one `<testsuite>` per scenario, one `<testcase>` per metric
 * (classname `simctl.gate.<scenario>`), a `<failure>` for each regression.
 */
export function gateJunit(g: GateResult): string {
  const total = g.cases.reduce((a, c) => a + c.rows.length, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="simctl gate" tests="${total}" failures="${g.regressions}" errors="0">`,
  ];
  for (const c of g.cases) {
    const failures = c.rows.filter((r) => r.verdict === "REGRESSION").length;
    lines.push(
      `  <testsuite name="${xml(c.name)}" tests="${c.rows.length}" failures="${failures}" errors="0" skipped="0" time="${(c.wallMs / 1000).toFixed(3)}">`,
      "    <properties>",
      `      <property name="file" value="${xml(c.file)}"/>`,
      `      <property name="seeds" value="${g.seeds.join(",")}"/>`,
      `      <property name="confidence" value="${g.confidence}"/>`,
      "    </properties>",
    );
    for (const r of c.rows) {
      const head = `    <testcase classname="simctl.gate.${xml(c.name)}" name="${xml(r.metric)}" time="0"`;
      if (r.verdict !== "REGRESSION") {
        lines.push(`${head}/>`);
        continue;
      }
      const msg = `${r.label}: ${changeText(r)} beyond tolerance ${toleranceText(r)}`;
      lines.push(
        `${head}>`,
        `      <failure type="regression" message="${xml(msg)}">${xml(
          `${r.reason === "" ? `the ${Math.round(g.confidence * 100)}% interval of the change lies beyond the tolerance` : r.reason}\nbaseline by seed: ${r.baseline.map((v) => (v === null ? "-" : value(r, v))).join(", ")}\nnow by seed: ${r.now.map((v) => (v === null ? "-" : value(r, v))).join(", ")}`,
        )}</failure>`,
        "    </testcase>",
      );
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>", "");
  return lines.join("\n");
}
