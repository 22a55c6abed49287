import { readFileSync } from "node:fs";
import { tableFromIPC, type Data, type Table } from "apache-arrow";

/** Reads an Arrow IPC file (file or stream format). */
export function readArrow(path: string): Table {
  return tableFromIPC(readFileSync(path));
}

/**
 * A numeric column as a Float64Array, nulls as NaN (int64 values are exact below 2^53, which
 * holds for nanosecond timestamps of any run). Undefined when the table has no such column.
 */
export function numberColumn(table: Table, name: string): Float64Array | undefined {
  const vec = table.getChild(name);
  if (vec === null) return undefined;
  const out = new Float64Array(table.numRows);
  let r = 0;
  // apache-arrow slices value buffers (a chunk's `values` start at its first row); `offset` only
  // applies to the validity bitmap, which getValid handles.
  for (const chunk of vec.data as Data[]) {
    const values = chunk.values as ArrayLike<number | bigint>;
    const checkNulls = chunk.nullCount > 0;
    for (let i = 0; i < chunk.length; i++) {
      out[r + i] = checkNulls && !chunk.getValid(i) ? NaN : Number(values[i]!);
    }
    r += chunk.length;
  }
  return out;
}

/** A string column (plain or dictionary-encoded) as JS strings, nulls as null. */
export function stringColumn(table: Table, name: string): (string | null)[] | undefined {
  const vec = table.getChild(name);
  if (vec === null) return undefined;
  const out: (string | null)[] = new Array<string | null>(table.numRows);
  for (let i = 0; i < table.numRows; i++) out[i] = (vec.get(i) as string | null) ?? null;
  return out;
}
