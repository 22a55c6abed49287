import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { writeArrowColumns } from "../src/metrics/arrow-ipc.js";
import type { Column } from "../src/metrics/arrow-writer.js";
import { RandomStreams } from "../src/core/random.js";

/** Rows of the Arrow writer case. */
export const ARROW_ROWS = 1_000_000;

/** Case name of the Arrow writer at {@link ARROW_ROWS} rows. */
export const ARROW_CASE = "arrow writer 1e6 rows (pods.arrow shape)";

/**
 * Columns shaped like pods.arrow at 1e6 rows (seed 1): a dictionary node column, a phase
 * dictionary, an int32 counter, ten int64 nanosecond timestamps (some null) and a float64.
 */
export function arrowColumns(rows = ARROW_ROWS): Column[] {
  const rng = new RandomStreams(1).stream("arrow-bench");
  const nodes = Array.from({ length: 5000 }, (_, i) => `node-${i}`);
  const node = new Int32Array(rows);
  const phase = new Int32Array(rows);
  const attempts = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    node[i] = i % 97 === 0 ? -1 : Math.floor(rng.next() * nodes.length);
    phase[i] = Math.floor(rng.next() * 4);
    attempts[i] = 1 + Math.floor(rng.next() * 3);
  }
  const columns: Column[] = [
    { name: "node", type: "dict", values: node, dictionary: nodes },
    { name: "phase", type: "dict", values: phase, dictionary: ["Pending", "Running", "Succeeded", "Failed"] },
    { name: "attempts", type: "int32", values: attempts },
  ];
  let t = new Float64Array(rows);
  for (let i = 0; i < rows; i++) t[i] = Math.round(rng.next() * 3.6e12);
  for (let s = 0; s < 10; s++) {
    const col = new Float64Array(rows);
    for (let i = 0; i < rows; i++)
      col[i] = s === 9 && i % 13 === 0 ? NaN : t[i]! + s * 250_000_000 + Math.round(rng.next() * 1e8);
    columns.push({ name: `stage${s}_ns`, type: "int64", values: col });
    t = col;
  }
  const f = new Float64Array(rows);
  for (let i = 0; i < rows; i++) f[i] = rng.next();
  columns.push({ name: "share", type: "float64", values: f });
  return columns;
}

/** The Arrow writer a run uses: typed columns -> `.arrow` file (in the OS temp directory). */
export function arrowBench(): Bench {
  const bench = new Bench({ name: "arrow writer", time: 1500, warmup: true });
  const columns = arrowColumns();
  const dir = mkdtempSync(join(tmpdir(), "simctl-arrow-bench-"));
  const meta = { "simctl.scenario": "bench", "simctl.seed": "1" };
  bench.add(ARROW_CASE, () => {
    writeArrowColumns(join(dir, "pods.arrow"), columns, ARROW_ROWS, meta);
  });
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return bench;
}
