import { defaultInputLimits, type InputLimits } from "../scenario/input-files.js";
import { readTopFile } from "../scenario/load-scenario.js";
import { ScenarioError, type ScenarioIssue } from "../scenario/scenario-error.js";

/** One measured point of a real etcd, as `simctl calibrate etcd` reads it. */
export interface Measurement {
  /** 1-based line of the row in the CSV. */
  line: number;
  members: number;
  clients: number;
  opsPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** Cores of one host. */
  hostCpus?: number;
  /** True: every member and the load client on one host; false: one member per host. */
  colocated?: boolean;
}

const REQUIRED = ["members", "clients", "ops_per_s", "p50_ms", "p99_ms"] as const;
const OPTIONAL = ["host_cpus", "colocated"] as const;
const KNOWN: readonly string[] = [...REQUIRED, ...OPTIONAL];

/**
 * Reads a measurements CSV (through the scenario input rules: confinement, size limit,
 * regular files only) and parses it with {@link parseMeasurements}.
 */
export function readMeasurements(file: string, limits: InputLimits = defaultInputLimits()): Measurement[] {
  return parseMeasurements(file, readTopFile(file, "measurements CSV", limits));
}

/**
 * Parses measurements CSV text: a header naming `members,clients,ops_per_s,p50_ms,p99_ms` and
 * optionally `host_cpus`, `colocated`, in any order; blank lines and `#` lines skipped.
 * Unknown columns are an error, so no measured figure is silently dropped. Throws a
 * {@link ScenarioError} with every problem located at its line and column.
 */
export function parseMeasurements(file: string, text: string): Measurement[] {
  const issues: ScenarioIssue[] = [];
  const report = (line: number, column: number, path: string, expected: string, found: string) =>
    issues.push({ file, path, line, column, expected, found });
  const lines = text.split(/\r?\n/);
  let header: string[] | undefined;
  let headerLine = 0;
  const rows: Measurement[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const t = raw.trim();
    if (t === "" || t.startsWith("#")) continue;
    const line = i + 1;
    const cells = splitCells(raw);
    if (header === undefined) {
      header = cells.map((c) => c.text);
      headerLine = line;
      const seen = new Set<string>();
      for (const c of cells) {
        if (seen.has(c.text)) report(line, c.column, c.text, "each column once", `${c.text} again`);
        else if (!KNOWN.includes(c.text))
          report(
            line,
            c.column,
            c.text,
            `columns among ${KNOWN.join(", ")}`,
            `unknown column ${JSON.stringify(c.text)}`,
          );
        seen.add(c.text);
      }
      const missing = REQUIRED.filter((r) => !seen.has(r));
      if (missing.length > 0) report(line, 1, "", `a header with ${REQUIRED.join(",")}`, `no ${missing.join(", ")}`);
      if (issues.length > 0) break;
      continue;
    }
    if (cells.length !== header.length) {
      report(line, 1, "", `${header.length} fields as in the header`, `${cells.length}`);
      continue;
    }
    const v: Record<string, number> = {};
    let ok = true;
    for (let c = 0; c < cells.length; c++) {
      const name = header[c]!;
      const cell = cells[c]!;
      const check = CHECKS[name]!;
      const n = cell.text === "" ? NaN : Number(cell.text);
      if (!Number.isFinite(n) || !check.ok(n)) {
        report(line, cell.column, name, check.expected, cell.text === "" ? "nothing" : cell.text);
        ok = false;
      } else v[name] = n;
    }
    if (!ok) continue;
    if (v.p99_ms! < v.p50_ms!) {
      const col = cells[header.indexOf("p99_ms")]!.column;
      report(line, col, "p99_ms", `p99_ms >= p50_ms (${v.p50_ms})`, String(v.p99_ms));
      continue;
    }
    const m: Measurement = {
      line,
      members: v.members!,
      clients: v.clients!,
      opsPerS: v.ops_per_s!,
      p50Ms: v.p50_ms!,
      p99Ms: v.p99_ms!,
    };
    if (v.host_cpus !== undefined) m.hostCpus = v.host_cpus;
    if (v.colocated !== undefined) m.colocated = v.colocated === 1;
    rows.push(m);
  }
  if (issues.length === 0 && rows.length === 0)
    report(
      header === undefined ? 1 : headerLine,
      1,
      "",
      header === undefined ? "a header row and at least one data row" : "at least one data row",
      header === undefined ? "an empty file" : "none",
    );
  if (issues.length > 0) throw new ScenarioError(issues, "measurements CSV");
  return rows;
}

const CHECKS: Record<string, { ok: (n: number) => boolean; expected: string }> = {
  // model: etcd clusters have an odd member count up to 7 (etcd FAQ: larger clusters add
  // replication cost without more fault tolerance per member).
  members: { ok: (n) => Number.isInteger(n) && n >= 1 && n <= 7 && n % 2 === 1, expected: "an odd whole number 1-7" },
  clients: { ok: (n) => Number.isInteger(n) && n >= 1, expected: "a whole number >= 1" },
  ops_per_s: { ok: (n) => n > 0, expected: "a number > 0" },
  p50_ms: { ok: (n) => n > 0, expected: "a number > 0" },
  p99_ms: { ok: (n) => n > 0, expected: "a number > 0" },
  host_cpus: { ok: (n) => Number.isInteger(n) && n >= 1, expected: "a whole number >= 1" },
  colocated: { ok: (n) => n === 0 || n === 1, expected: "0 or 1" },
};

/**
 * Comma-separated fields, trimmed, each with its 1-based column. A field in double quotes (as
 * spreadsheets and some CSV writers emit, RFC 4180) is read without them.
 */
function splitCells(line: string): { text: string; column: number }[] {
  const out: { text: string; column: number }[] = [];
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i === line.length || line[i] === ",") {
      const s = line.slice(start, i);
      const text = s.trim();
      const column = start + 1 + (s.length - s.trimStart().length);
      const quoted = text.length >= 2 && text.startsWith('"') && text.endsWith('"');
      out.push(
        quoted ? { text: text.slice(1, -1).replaceAll('""', '"').trim(), column: column + 1 } : { text, column },
      );
      start = i + 1;
    }
  }
  return out;
}
