import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { tableFromIPC, type Table } from "apache-arrow";
import { readParquet } from "parquet-wasm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { arrowToParquet, exportParquet, type ExportedTable } from "../../src/metrics/parquet-export.js";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const root = tmpDir("simctl-parquet-");
let runDir: string;
let exported: ExportedTable[];
let db: DuckDBInstance;
let con: DuckDBConnection;

async function rows(sql: string): Promise<unknown[][]> {
  return (await con.runAndReadAll(sql)).getRows() as unknown[][];
}

beforeAll(async () => {
  runDir = runScenario(loadScenario("test/study/fixtures/tiny.yaml"), { outRoot: root }).outDir!;
  exported = exportParquet(runDir);
  db = await DuckDBInstance.create(":memory:");
  con = await db.connect();
}, 60_000);

afterAll(() => {
  con?.closeSync();
  db?.closeSync();
});

/** The p-quantile with linear interpolation (DuckDB's quantile_cont), computed from the Arrow table. */
function quantileCont(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  const h = (v.length - 1) * p;
  const lo = Math.floor(h);
  return v[lo]! + (h - lo) * ((v[Math.min(lo + 1, v.length - 1)] ?? v[lo]!) - v[lo]!);
}

describe("simctl export --format parquet", () => {
  test("every .arrow table of the run gets a .parquet next to it, and no temporary file is left", () => {
    const arrows = readdirSync(runDir)
      .filter((f) => f.endsWith(".arrow"))
      .sort();
    expect(arrows).toContain("pods.arrow");
    expect(exported.map((e) => `${e.table}.arrow`)).toEqual(arrows);
    const files = readdirSync(runDir);
    for (const a of arrows) expect(files).toContain(a.replace(/\.arrow$/, ".parquet"));
    expect(files.filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  test("DuckDB reads each table back with the Arrow row count and column names", async () => {
    for (const e of exported) {
      const arrow = tableFromIPC(readFileSync(e.arrowPath)) as Table;
      const [[count]] = (await rows(`select count(*) from '${e.parquetPath}'`)) as [[bigint]];
      expect(Number(count)).toBe(arrow.numRows);
      expect(e.rows).toBe(arrow.numRows);
      const cols = (await rows(`describe select * from '${e.parquetPath}'`)).map((r) => r[0]);
      expect(cols).toEqual(arrow.schema.fields.map((f) => f.name));
    }
  });

  test("pods.parquet: types carried over (int64 timestamps, int32, strings) and nulls kept", async () => {
    const types = Object.fromEntries(
      (await rows(`describe select * from '${join(runDir, "pods.parquet")}'`)).map((r) => [r[0], r[1]]),
    );
    expect(types).toMatchObject({
      pod: "VARCHAR",
      node: "VARCHAR",
      phase: "VARCHAR",
      attempts: "INTEGER",
      created_ns: "BIGINT",
      running_ns: "BIGINT",
    });
    const arrow = tableFromIPC(readFileSync(join(runDir, "pods.arrow")));
    let nullNodes = 0;
    for (const v of arrow.getChild("node")!) if (v === null) nullNodes++;
    const [[dbNulls]] = (await rows(
      `select count(*) filter (where node is null) from '${join(runDir, "pods.parquet")}'`,
    )) as [[bigint]];
    expect(Number(dbNulls)).toBe(nullNodes);
  });

  test("a quantile query in DuckDB equals the same quantile computed from the Arrow table", async () => {
    const arrow = tableFromIPC(readFileSync(join(runDir, "pods.arrow")));
    const created = [...arrow.getChild("created_ns")!].map(Number);
    const running = [...arrow.getChild("running_ns")!].map(Number);
    const startup = running.map((r, i) => r - created[i]!);
    const [[p99, p50, pods]] = (await rows(
      `select quantile_cont(running_ns - created_ns, 0.99), quantile_cont(running_ns - created_ns, 0.5), count(distinct pod) from '${join(runDir, "pods.parquet")}'`,
    )) as [[number, number, bigint]];
    expect(p99).toBeCloseTo(quantileCont(startup, 0.99), 3);
    expect(p50).toBeCloseTo(quantileCont(startup, 0.5), 3);
    expect(Number(pods)).toBe(arrow.numRows);
    // Row-level agreement, not only aggregates.
    const byPod = new Map(
      (await rows(`select pod, node, running_ns from '${join(runDir, "pods.parquet")}'`)).map((r) => [
        r[0],
        [r[1], r[2]],
      ]),
    );
    for (let i = 0; i < arrow.numRows; i++) {
      expect(byPod.get(arrow.getChild("pod")!.get(i))).toEqual([
        arrow.getChild("node")!.get(i),
        arrow.getChild("running_ns")!.get(i),
      ]);
    }
  });

  test("the schema metadata (version, scenario hash, seed) is in the Parquet key-value metadata", async () => {
    const kv = new Map(
      (await rows(`select decode(key), decode(value) from parquet_kv_metadata('${join(runDir, "pods.parquet")}')`)).map(
        (r) => [r[0], r[1]],
      ),
    );
    const meta = JSON.parse(kv.get("simctl") as string) as Record<string, string>;
    const arrow = tableFromIPC(readFileSync(join(runDir, "pods.arrow")));
    expect(meta).toEqual(Object.fromEntries(arrow.schema.metadata));
    expect(meta["simctl.seed"]).toBe("7");
    expect(meta["simctl.scenario_hash"]).toMatch(/^[0-9a-f]{16}$/);
    // The Arrow schema is stored too, so Arrow readers get dictionary types and metadata back.
    expect(kv.has("ARROW:schema")).toBe(true);
  });

  test("read back as Arrow, every table has the same schema (names, types incl. dictionaries, metadata) and the same rows", () => {
    for (const e of exported) {
      const arrow = tableFromIPC(readFileSync(e.arrowPath)) as Table;
      const back = tableFromIPC(readParquet(readFileSync(e.parquetPath)).intoIPCStream()) as Table;
      expect(back.schema.fields.map((f) => [f.name, String(f.type)])).toEqual(
        arrow.schema.fields.map((f) => [f.name, String(f.type)]),
      );
      expect(Object.fromEntries(back.schema.metadata)).toMatchObject(Object.fromEntries(arrow.schema.metadata));
      expect(back.toArray().map((r) => r.toJSON())).toEqual(arrow.toArray().map((r) => r.toJSON()));
    }
  });

  test("conversion is deterministic, and --out writes elsewhere", () => {
    const ipc = readFileSync(join(runDir, "pods.arrow"));
    expect(Buffer.compare(arrowToParquet(ipc).bytes, arrowToParquet(ipc).bytes)).toBe(0);
    const out = join(root, "elsewhere");
    const r = exportParquet(runDir, { outDir: out, codec: "snappy" });
    expect(readdirSync(out).sort()).toEqual(r.map((e) => `${e.table}.parquet`).sort());
  });

  test("a directory without .arrow tables is refused", () => {
    expect(() => exportParquet(root)).toThrow(/holds no \.arrow tables/);
  });
});
