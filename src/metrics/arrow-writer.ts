import {
  type Data,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
} from "apache-arrow";
import { columnParts, type Utf8Parts } from "./arrow-ipc.js";
import { writeChunksAtomic, writeFileAtomic } from "./atomic-file.js";

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

/**
 * Builds an Arrow table from typed columns cut to `rows`, with schema-level metadata.
 * The table may share memory with the columns' arrays (int32 columns, and float64 and dict
 * columns without nulls, are used in place): do not change them until the table is written.
 */
export function tableFromColumns(
  columns: readonly Column[],
  rows: number,
  metadata: Readonly<Record<string, string>>,
): Table {
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
 * One column's Arrow data, from the buffers {@link columnParts} lays out (the same that
 * writeArrowColumns writes). `dictId` fixes a dictionary's id (apache-arrow would otherwise take
 * the next value of a process-wide counter, and the bytes would depend on what ran before).
 */
function columnData(c: Column, rows: number, dictId: number): Data {
  const p = columnParts(c, rows);
  const nulls = { length: rows, nullCount: p.nulls, nullBitmap: p.validity };
  switch (p.type) {
    case "int64":
      return makeData({ type: new Int64(), ...nulls, data: p.values });
    case "float64":
      return makeData({ type: new Float64(), ...nulls, data: p.values });
    case "int32":
      return makeData({ type: new Int32(), ...nulls, data: p.values });
    case "dict":
      return makeData({
        type: new Dictionary(new Utf8(), new Int32(), dictId),
        ...nulls,
        data: p.values,
        dictionary: utf8Vector(p.dictionary),
      });
    case "utf8":
      return utf8Data(p.values);
  }
}

function utf8Data(u: Utf8Parts): Data<Utf8> {
  return makeData({
    type: new Utf8(),
    length: u.offsets.length - 1,
    nullCount: 0,
    valueOffsets: u.offsets,
    data: u.bytes,
  });
}

function utf8Vector(u: Utf8Parts) {
  return makeVector(utf8Data(u));
}

/**
 * Writes a table as an Arrow IPC file (the random-access "file" format, `.arrow`): the same
 * bytes as `tableToIPC(table, "file")`, written atomically.
 * perf: the writer's chunks (views of the column buffers) go to the file as they are, instead
 * of first being joined into one buffer the size of the file: a 240 MB nodes.arrow no longer
 * needs 240 MB more memory and a copy. Falls back to `tableToIPC` if apache-arrow's writer ever
 * stops exposing its chunk list.
 */
export function writeArrowFile(path: string, table: Table): void {
  const writer = RecordBatchFileWriter.writeAll(table);
  const chunks = (writer as unknown as { _sink?: { _values?: unknown } })._sink?._values;
  if (!Array.isArray(chunks) || !chunks.every((c) => c instanceof Uint8Array)) {
    writeFileAtomic(path, tableToIPC(table, "file"));
    return;
  }
  writeChunksAtomic(path, chunks as Uint8Array[]);
}
