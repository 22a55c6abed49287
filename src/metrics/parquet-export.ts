import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { tableFromIPC, tableToIPC } from "apache-arrow";
import { Compression, Table as WasmTable, writeParquet, WriterPropertiesBuilder } from "parquet-wasm";
import { writeFileAtomic } from "./atomic-file.js";

/** One table converted by {@link exportParquet}. */
export interface ExportedTable {
  /** Table name (the file name without `.arrow`). */
  table: string;
  arrowPath: string;
  parquetPath: string;
  rows: number;
  bytes: number;
}

/** Parquet codecs `simctl export` offers (all read by DuckDB, pyarrow and polars). */
export const PARQUET_CODECS = ["zstd", "snappy", "gzip", "uncompressed"] as const;
export type ParquetCodec = (typeof PARQUET_CODECS)[number];

const CODEC: Record<ParquetCodec, Compression> = {
  zstd: Compression.ZSTD,
  snappy: Compression.SNAPPY,
  gzip: Compression.GZIP,
  uncompressed: Compression.UNCOMPRESSED,
};

/**
 * Converts one Arrow IPC file (file or stream format) to Parquet bytes with the same schema:
 * same column names, types and nullability; dictionary-encoded strings stay dictionary-encoded
 * (Parquet stores the Arrow schema, so readers that know Arrow get the dictionary type back);
 * the schema metadata (simctl version, scenario hash, seed) is kept in the stored Arrow schema
 * and, as JSON, in the key-value entry `simctl`. Deterministic: same input, same bytes.
 */
export function arrowToParquet(ipc: Uint8Array, codec: ParquetCodec = "zstd"): { bytes: Uint8Array; rows: number } {
  const table = tableFromIPC(ipc);
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(table, "stream"));
  // The schema metadata travels in the stored Arrow schema (pyarrow and polars restore it as
  // schema metadata), and once more as one plain key-value entry `simctl` holding it as JSON,
  // which DuckDB's parquet_kv_metadata() shows. One entry, not one per key: the writer keeps
  // key-value metadata in a hash map, so several entries would come out in a random order and
  // the same run would not always give the same bytes.
  const props = new WriterPropertiesBuilder()
    .setCompression(CODEC[codec])
    .setCreatedBy("simctl")
    .setKeyValueMetadata(
      new Map([
        ["simctl", JSON.stringify(Object.fromEntries([...table.schema.metadata].sort(([a], [b]) => (a < b ? -1 : 1))))],
      ]),
    )
    .build();
  const bytes = writeParquet(wasmTable, props);
  return { bytes, rows: table.numRows };
}

/**
 * `simctl export`: writes `<table>.parquet` next to (or, with `outDir`, into another directory
 * than) every `<table>.arrow` in `dir`. Each file is written atomically (temporary name, fsync,
 * rename). Throws when `dir` holds no `.arrow` file. Returns the tables in name order.
 */
export function exportParquet(dir: string, options: { outDir?: string; codec?: ParquetCodec } = {}): ExportedTable[] {
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".arrow"))
    .sort();
  if (files.length === 0)
    throw new Error(`${dir} holds no .arrow tables (expected a run directory such as results/runs/10k-pods-42)`);
  const outDir = options.outDir ?? dir;
  mkdirSync(outDir, { recursive: true });
  const out: ExportedTable[] = [];
  for (const f of files) {
    const arrowPath = join(dir, f);
    const table = basename(f, ".arrow");
    const parquetPath = join(outDir, `${table}.parquet`);
    const { bytes, rows } = arrowToParquet(readFileSync(arrowPath), options.codec);
    writeFileAtomic(parquetPath, bytes);
    out.push({ table, arrowPath, parquetPath, rows, bytes: bytes.byteLength });
  }
  return out;
}
