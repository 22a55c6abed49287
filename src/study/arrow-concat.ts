import {
  type Data,
  DataType,
  Dictionary,
  Field,
  Int32,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { tableFromColumns, type Column } from "../metrics/arrow-writer.js";

/** One input table and the values of the leading columns for all of its rows. */
export interface ConcatPart {
  table: Table;
  /** One value per leading column (same order as `lead`), repeated on every row of the part. */
  lead: readonly (number | string)[];
  /** Names the part in errors (e.g. a run directory). */
  label: string;
}

/** A leading column: constant within a part (run index, seed, parameter values). */
export interface LeadColumn {
  name: string;
  type: "int32" | "int64" | "float64" | "dict";
}

/**
 * Concatenates tables of the same schema into one, with leading columns that say which part
 * each row came from. Column types are kept; dictionary-encoded string columns get one
 * dictionary for the whole result (values in order of first appearance), so the result is a
 * valid Arrow IPC file (which allows one dictionary per column). Deterministic: same parts in
 * the same order, same bytes.
 * Contract: every part must have the same field names and types as the first (throws naming
 * the part otherwise); leading names may not clash with table columns.
 */
export function concatTables(
  parts: readonly ConcatPart[],
  lead: readonly LeadColumn[],
  metadata: Readonly<Record<string, string>>,
): Table {
  if (parts.length === 0) throw new Error("nothing to concatenate");
  const first = parts[0]!.table.schema;
  for (const p of parts) {
    const s = p.table.schema;
    const same =
      s.fields.length === first.fields.length &&
      s.fields.every((f, i) => f.name === first.fields[i]!.name && String(f.type) === String(first.fields[i]!.type));
    if (!same)
      throw new Error(
        `${p.label}: its columns differ from ${parts[0]!.label}'s (${s.fields.map((f) => `${f.name}: ${f.type}`).join(", ")})`,
      );
  }
  for (const l of lead)
    if (first.fields.some((f) => f.name === l.name))
      throw new Error(`leading column ${l.name} clashes with a table column`);
  let rows = 0;
  for (const p of parts) rows += p.table.numRows;
  const leadTable = tableFromColumns(
    lead.map((l, i) => leadColumn(l, i, parts, rows)),
    rows,
    {},
  );
  const fields: Field[] = [...leadTable.schema.fields];
  const children: Data[] = lead.map((_, i) => leadTable.getChildAt(i)!.data[0]!);
  first.fields.forEach((f, c) => {
    const chunks: Data[] = [];
    for (const p of parts) chunks.push(...(p.table.getChildAt(c)!.data as Data[]));
    const d = concatColumn(f, chunks, rows, lead.length + c);
    fields.push(new Field(f.name, d.type, f.nullable, f.metadata));
    children.push(d);
  });
  const schema = new Schema(fields, new Map(Object.entries(metadata)));
  return new Table([
    new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, nullCount: 0, children })),
  ]);
}

function leadColumn(l: LeadColumn, i: number, parts: readonly ConcatPart[], rows: number): Column {
  if (l.type === "dict") {
    const dict: string[] = [];
    const ids = new Map<string, number>();
    const values = new Int32Array(rows);
    let r = 0;
    for (const p of parts) {
      const v = String(p.lead[i]);
      let id = ids.get(v);
      if (id === undefined) {
        id = dict.push(v) - 1;
        ids.set(v, id);
      }
      values.fill(id, r, r + p.table.numRows);
      r += p.table.numRows;
    }
    return { name: l.name, type: "dict", values, dictionary: dict };
  }
  const values = l.type === "int32" ? new Int32Array(rows) : new Float64Array(rows);
  let r = 0;
  for (const p of parts) {
    values.fill(Number(p.lead[i]), r, r + p.table.numRows);
    r += p.table.numRows;
  }
  return l.type === "int32"
    ? { name: l.name, type: "int32", values: values as Int32Array }
    : { name: l.name, type: l.type, values: values as Float64Array };
}

/** Bit `i` of a validity bitmap (Arrow: LSB first). */
function valid(d: Data, i: number): boolean {
  return d.nullCount === 0 || d.nullBitmap === undefined || d.nullBitmap.length === 0 || d.getValid(i);
}

function concatColumn(field: Field, chunks: readonly Data[], rows: number, dictId: number): Data {
  const type = field.type as DataType;
  if (DataType.isDictionary(type)) return concatDictionary(chunks, rows, dictId, type as Dictionary);
  const fixed = DataType.isInt(type) || DataType.isFloat(type);
  if (fixed && chunks.every((c) => c.offset === 0 && c.values !== undefined)) {
    // perf: fixed-width numbers are copied buffer to buffer, not value by value.
    const Ctor = (
      chunks[0]!.values as {
        constructor: new (
          n: number,
        ) => ArrayLike<number | bigint> & { set(a: ArrayLike<number | bigint>, o: number): void };
      }
    ).constructor;
    const out = new Ctor(rows);
    const bitmap = new Uint8Array((rows + 7) >> 3);
    let nulls = 0;
    let r = 0;
    for (const c of chunks) {
      out.set(
        (c.values as unknown as { subarray(a: number, b: number): ArrayLike<number | bigint> }).subarray(0, c.length),
        r,
      );
      for (let i = 0; i < c.length; i++) {
        if (valid(c, i)) bitmap[(r + i) >> 3]! |= 1 << ((r + i) & 7);
        else nulls++;
      }
      r += c.length;
    }
    return makeData({
      type: type as never,
      length: rows,
      nullCount: nulls,
      nullBitmap: nulls > 0 ? bitmap : null,
      data: out as never,
    } as never) as Data;
  }
  // Everything else (strings, booleans, timestamps...) goes through Arrow's own builders.
  const values: unknown[] = [];
  for (const c of chunks) {
    const vec = makeVector(c);
    for (let i = 0; i < c.length; i++) values.push(vec.get(i));
  }
  return vectorFromArray(values, type).data[0]!;
}

function concatDictionary(chunks: readonly Data[], rows: number, dictId: number, type: Dictionary): Data {
  if (!DataType.isUtf8(type.dictionary))
    throw new Error(`dictionary of ${String(type.dictionary)} is not supported (only strings)`);
  const dict: string[] = [];
  const ids = new Map<string, number>();
  const out = new Int32Array(rows);
  const bitmap = new Uint8Array((rows + 7) >> 3);
  let nulls = 0;
  let r = 0;
  for (const c of chunks) {
    const local = c.dictionary!;
    const map = new Int32Array(local.length);
    for (let k = 0; k < local.length; k++) {
      const s = local.get(k) as string;
      let id = ids.get(s);
      if (id === undefined) {
        id = dict.push(s) - 1;
        ids.set(s, id);
      }
      map[k] = id;
    }
    const idx = c.values as ArrayLike<number>;
    for (let i = 0; i < c.length; i++) {
      if (valid(c, i)) {
        out[r + i] = map[idx[i]!]!;
        bitmap[(r + i) >> 3]! |= 1 << ((r + i) & 7);
      } else nulls++;
    }
    r += c.length;
  }
  const dictionary = vectorFromArray(dict, new Utf8());
  return makeData({
    type: new Dictionary(new Utf8(), new Int32(), dictId),
    length: rows,
    nullCount: nulls,
    nullBitmap: nulls > 0 ? bitmap : null,
    data: out,
    dictionary,
  });
}
