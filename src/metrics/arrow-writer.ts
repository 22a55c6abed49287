import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { Data, Dictionary, Field, Float64, Int32, Int64, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, Utf8, vectorFromArray } from "apache-arrow";

/**
 * A column handed to the writer straight from a typed-array table.
 * - `int64`: integer values in a Float64Array (exact below 2^53); NaN is written as null.
 * - `float64`: NaN is written as null.
 * - `int32`: plain.
 * - `dict`: Int32Array indices into `dictionary` (dictionary-encoded strings); -1 is null.
 * - `utf8`: one string per row.
 */
export type Column =
  | { name: string; type: "int64"; values: Float64Array }
  | { name: string; type: "float64"; values: Float64Array }
  | { name: string; type: "int32"; values: Int32Array }
  | { name: string; type: "dict"; values: Int32Array; dictionary: readonly string[] }
  | { name: string; type: "utf8"; values: readonly string[] };

/** Builds an Arrow table from typed columns cut to `rows`, with schema-level metadata. */
export function tableFromColumns(columns: readonly Column[], rows: number, metadata: Readonly<Record<string, string>>): Table {
  const fields: Field[] = [];
  const children: Data[] = [];
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    const d = columnData(c, rows, i);
    fields.push(new Field(c.name, d.type, c.type !== "int32" && c.type !== "utf8"));
    children.push(d);
  }
  const schema = new Schema(fields, new Map(Object.entries(metadata)));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, nullCount: 0, children }));
  return new Table([batch]);
}

/**
 * One column's Arrow data. `dictId` fixes a dictionary's id (apache-arrow would otherwise take
 * the next value of a process-wide counter, and the bytes would depend on what ran before).
 */
function columnData(c: Column, rows: number, dictId: number): Data {
  switch (c.type) {
    case "int64": {
      const out = new BigInt64Array(rows);
      const valid = new Uint8Array((rows + 7) >> 3);
      let nulls = 0;
      for (let i = 0; i < rows; i++) {
        const v = c.values[i]!;
        if (v !== v) nulls++;
        else {
          out[i] = BigInt(v);
          valid[i >> 3]! |= 1 << (i & 7);
        }
      }
      return makeData({ type: new Int64(), length: rows, nullCount: nulls, nullBitmap: nulls > 0 ? valid : null, data: out });
    }
    case "float64": {
      const out = c.values.slice(0, rows);
      const valid = new Uint8Array((rows + 7) >> 3);
      let nulls = 0;
      for (let i = 0; i < rows; i++) {
        if (out[i] !== out[i]) {
          nulls++;
          out[i] = 0;
        } else valid[i >> 3]! |= 1 << (i & 7);
      }
      return makeData({ type: new Float64(), length: rows, nullCount: nulls, nullBitmap: nulls > 0 ? valid : null, data: out });
    }
    case "int32":
      return makeData({ type: new Int32(), length: rows, nullCount: 0, data: c.values.slice(0, rows) });
    case "dict": {
      const idx = c.values.slice(0, rows);
      const valid = new Uint8Array((rows + 7) >> 3);
      let nulls = 0;
      for (let i = 0; i < rows; i++) {
        if (idx[i]! < 0) {
          nulls++;
          idx[i] = 0;
        } else valid[i >> 3]! |= 1 << (i & 7);
      }
      const dictionary = vectorFromArray([...c.dictionary], new Utf8());
      return makeData({ type: new Dictionary(new Utf8(), new Int32(), dictId), length: rows, nullCount: nulls, nullBitmap: nulls > 0 ? valid : null, data: idx, dictionary });
    }
    case "utf8":
      return vectorFromArray(c.values.slice(0, rows), new Utf8()).data[0]!;
  }
}

/**
 * Writes bytes to `path` atomically: to `path.tmp`, fsync, then rename, so an interrupted run
 * never leaves a half-written file under the real name.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, typeof bytes === "string" ? Buffer.from(bytes) : bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Writes a table as an Arrow IPC file (the random-access "file" format, `.arrow`). */
export function writeArrowFile(path: string, table: Table): void {
  writeFileAtomic(path, tableToIPC(table, "file"));
}
