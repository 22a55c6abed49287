import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Data,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { describe, expect, test } from "vitest";
import { arrowFileChunks, columnsBytes, writeArrowColumns } from "../../src/metrics/arrow-ipc.js";
import type { Column } from "../../src/metrics/arrow-writer.js";
import { tmpDir } from "../tmp-dir.js";

// The direct writer must produce the bytes apache-arrow's own file writer produces for the same
// table, built here from plain values through apache-arrow's public API (not through simctl's
// column code), so readers of the run outputs (apache-arrow JS, polars, DuckDB) see no change.

/** The table apache-arrow builds from the columns' values: NaN and -1 indices are nulls. */
function referenceTable(columns: readonly Column[], rows: number, metadata: Record<string, string>): Table {
  const fields: Field[] = [];
  const children: Data[] = [];
  columns.forEach((c, id) => {
    let d: Data;
    if (c.type === "int64")
      d = vectorFromArray(
        Array.from(c.values.subarray(0, rows), (v) => (Number.isNaN(v) ? null : BigInt(v))),
        new Int64(),
      ).data[0]!;
    else if (c.type === "float64")
      d = vectorFromArray(
        Array.from(c.values.subarray(0, rows), (v) => (Number.isNaN(v) ? null : v)),
        new Float64(),
      ).data[0]!;
    else if (c.type === "int32") d = vectorFromArray(Array.from(c.values.subarray(0, rows)), new Int32()).data[0]!;
    else if (c.type === "utf8") d = vectorFromArray(c.values.slice(0, rows), new Utf8()).data[0]!;
    else {
      const idx = Int32Array.from(c.values.subarray(0, rows), (v) => Math.max(v, 0));
      const nulls = c.values.subarray(0, rows).filter((v) => v < 0).length;
      const bits = new Uint8Array((rows + 7) >> 3);
      for (let i = 0; i < rows; i++) if (c.values[i]! >= 0) bits[i >> 3]! |= 1 << (i & 7);
      d = makeData({
        type: new Dictionary(new Utf8(), new Int32(), id),
        length: rows,
        nullCount: nulls,
        nullBitmap: nulls > 0 ? bits : null,
        data: idx,
        dictionary: vectorFromArray([...c.dictionary], new Utf8()),
      });
    }
    fields.push(new Field(c.name, d.type, c.type !== "int32" && c.type !== "utf8"));
    children.push(d);
  });
  const schema = new Schema(fields, new Map(Object.entries(metadata)));
  return new Table([
    new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, nullCount: 0, children })),
  ]);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

const META = { "simctl.version": "0.1.0", "simctl.scenario": "t", "simctl.seed": "42" };

function mixed(rows: number, withNulls: boolean): Column[] {
  const i64 = new Float64Array(rows + 3); // longer than rows: only the first rows are written
  const f64 = new Float64Array(rows + 3);
  const i32 = new Int32Array(rows + 3);
  const dict = new Int32Array(rows + 3);
  const names: string[] = [];
  for (let i = 0; i < rows + 3; i++) {
    i64[i] = withNulls && i % 7 === 3 ? NaN : (i * 2 ** 33 + 5) * (i % 2 === 0 ? 1 : -1);
    f64[i] = withNulls && i % 5 === 1 ? NaN : i / 3;
    i32[i] = i - 4;
    dict[i] = withNulls && i % 4 === 2 ? -1 : i % 3;
    names.push(i % 3 === 0 ? `pod-${i}` : i % 3 === 1 ? `ü-${i}-😀` : "");
  }
  return [
    { name: "t_ns", type: "int64", values: i64 },
    { name: "cpu", type: "float64", values: f64 },
    { name: "count", type: "int32", values: i32 },
    { name: "zone", type: "dict", values: dict, dictionary: ["zone-a", "zone-b", "zone-ç", "unused"] },
    { name: "pod", type: "utf8", values: names },
  ];
}

describe("arrowFileChunks: the bytes of apache-arrow's file writer", () => {
  for (const [what, columns, rows, meta] of [
    ["every column type, no nulls", mixed(1000, false), 1000, META],
    ["every column type, with nulls", mixed(1001, true), 1001, META],
    ["one row, no metadata", mixed(1, true), 1, {}],
    ["no rows", mixed(0, true), 0, META],
    [
      "an empty dictionary and a lone surrogate",
      [
        { name: "d", type: "dict", values: new Int32Array([-1, -1]), dictionary: [] },
        { name: "s", type: "utf8", values: ["\ud800x", "ok"] },
      ],
      2,
      META,
    ],
  ] as [string, Column[], number, Record<string, string>][]) {
    test(what, () => {
      const ours = concat(arrowFileChunks(columns, rows, meta));
      const theirs = tableToIPC(referenceTable(columns, rows, meta), "file");
      expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
    });
  }
});

describe("writeArrowColumns", () => {
  test("the file reads back in apache-arrow with the columns' types, nulls and values", () => {
    const dir = tmpDir("simctl-arrow-ipc-");
    const columns = mixed(50, true);
    writeArrowColumns(join(dir, "t.arrow"), columns, 50, META);
    const t = tableFromIPC(readFileSync(join(dir, "t.arrow")));
    expect(t.numRows).toBe(50);
    expect(Object.fromEntries(t.schema.metadata)).toEqual(META);
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`)).toEqual([
      "t_ns:Int64:true",
      "cpu:Float64:true",
      "count:Int32:false",
      "zone:Dictionary<Int32, Utf8>:true",
      "pod:Utf8:false",
    ]);
    for (let i = 0; i < 50; i++) {
      const [i64, f64, i32, dict, utf8] = columns as [
        Column & { type: "int64" },
        Column & { type: "float64" },
        Column & { type: "int32" },
        Column & { type: "dict" },
        Column & { type: "utf8" },
      ];
      expect(t.getChild("t_ns")!.get(i)).toBe(Number.isNaN(i64.values[i]!) ? null : BigInt(i64.values[i]!));
      expect(t.getChild("cpu")!.get(i)).toBe(Number.isNaN(f64.values[i]!) ? null : f64.values[i]);
      expect(t.getChild("count")!.get(i)).toBe(i32.values[i]);
      expect(t.getChild("zone")!.get(i)).toBe(dict.values[i]! < 0 ? null : dict.dictionary[dict.values[i]!]);
      expect(t.getChild("pod")!.get(i)).toBe(utf8.values[i]);
    }
  });

  test("the file holds the bytes of arrowFileChunks, also when columns outgrow the 1 MiB write stage", () => {
    const dir = tmpDir("simctl-arrow-ipc-");
    for (const rows of [50, 300_000]) {
      const columns = mixed(rows, true);
      writeArrowColumns(join(dir, "t.arrow"), columns, rows, META);
      const file = readFileSync(join(dir, "t.arrow"));
      expect(file.equals(Buffer.from(concat(arrowFileChunks(columns, rows, META))))).toBe(true);
    }
  });

  test("columnsBytes counts the buffers written: the file is that plus its small headers", () => {
    const dir = tmpDir("simctl-arrow-ipc-");
    const columns = mixed(10_000, true);
    writeArrowColumns(join(dir, "t.arrow"), columns, 10_000, META);
    const file = readFileSync(join(dir, "t.arrow")).byteLength;
    const bytes = columnsBytes(columns, 10_000);
    expect(bytes).toBeLessThanOrEqual(file);
    expect(file - bytes).toBeLessThan(2000);
  });
});
