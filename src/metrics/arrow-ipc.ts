import { Builder } from "flatbuffers";
import type { Column } from "./arrow-writer.js";
import { writeStreamAtomic } from "./atomic-file.js";

// Writes typed columns as an Arrow IPC file directly: the flatbuffer messages (the record batch
// and dictionary batch headers, the footer with the schema) are small and encoded here, and the
// column buffers go to the file as they are. perf: a run writes its tables without loading
// apache-arrow (146 modules) or building its Data, Vector and Table objects; and one column at a
// time (see {@link writeArrowColumns}).
//
// The bytes are those of apache-arrow's RecordBatchFileWriter (tableToIPC(table, "file")) for the
// table that tableFromColumns builds from the same columns: the same flatbuffers Builder calls in
// the same order, the same buffer layout and padding (test/metrics/arrow-ipc.test.ts compares
// the two). Layout, from the Arrow columnar format spec (format/Columnar.rst, "IPC File Format"):
// magic "ARROW1" padded to 8; one dictionary batch per dictionary column, then the record batch,
// each an encapsulated message (0xFFFFFFFF, metadata size, flatbuffer Message padded to 8, body);
// the end-of-stream marker; the Footer flatbuffer (schema, block offsets), its size, the magic.

/** Enum values of the Arrow flatbuffer schema (format/Schema.fbs, format/Message.fbs). */
const METADATA_V5 = 4;
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;
const TYPE_INT = 2;
const TYPE_FLOATING_POINT = 3;
const TYPE_UTF8 = 5;
const PRECISION_DOUBLE = 2;

const TWO_32 = 4294967296;
/** Whether typed arrays are little-endian here (every platform Node ships for, in practice). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAGIC = new TextEncoder().encode("ARROW1");

/** UTF-8 strings as Arrow lays them out: `rows + 1` offsets into the bytes. */
export interface Utf8Parts {
  offsets: Int32Array;
  bytes: Uint8Array;
}

/** One column's Arrow buffers, cut to its rows (they may share memory with the column's arrays). */
export type ColumnParts =
  | { type: "int64"; nulls: number; validity: Uint8Array | null; values: BigInt64Array }
  | { type: "float64"; nulls: number; validity: Uint8Array | null; values: Float64Array }
  | { type: "int32"; nulls: 0; validity: null; values: Int32Array }
  | { type: "dict"; nulls: number; validity: Uint8Array | null; values: Int32Array; dictionary: Utf8Parts }
  | { type: "utf8"; nulls: 0; validity: null; values: Utf8Parts };

/**
 * The Arrow buffers of a column cut to `rows`: int64 cells as 64-bit integers, NaN (int64,
 * float64) and -1 (dict) as nulls with a validity bitmap, their slots zeroed. float64, int32
 * and dict columns without nulls are used in place (no copy): do not change them until written.
 * A dict column's dictionary is encoded here unless `dictionary` gives it already.
 */
export function columnParts(c: Column, rows: number, dictionary?: Utf8Parts): ColumnParts {
  switch (c.type) {
    case "int64": {
      const { values, nulls } = int64Values(c.values, rows);
      return {
        type: "int64",
        nulls,
        validity: nulls > 0 ? validity(rows, (i) => !Number.isNaN(c.values[i])) : null,
        values,
      };
    }
    case "float64": {
      const values = c.values;
      let nulls = 0;
      for (let i = 0; i < rows; i++) if (Number.isNaN(values[i])) nulls++;
      if (nulls === 0) return { type: "float64", nulls, validity: null, values: values.subarray(0, rows) };
      const out = values.slice(0, rows);
      for (let i = 0; i < rows; i++) if (Number.isNaN(out[i])) out[i] = 0;
      return { type: "float64", nulls, validity: validity(rows, (i) => !Number.isNaN(values[i])), values: out };
    }
    case "int32":
      return { type: "int32", nulls: 0, validity: null, values: c.values.subarray(0, rows) };
    case "dict": {
      const values = c.values;
      const dict = dictionary ?? utf8Parts(c.dictionary, c.dictionary.length);
      let nulls = 0;
      for (let i = 0; i < rows; i++) if (values[i]! < 0) nulls++;
      if (nulls === 0)
        return { type: "dict", nulls, validity: null, values: values.subarray(0, rows), dictionary: dict };
      const idx = values.slice(0, rows);
      for (let i = 0; i < rows; i++) if (idx[i]! < 0) idx[i] = 0;
      return { type: "dict", nulls, validity: validity(rows, (i) => values[i]! >= 0), values: idx, dictionary: dict };
    }
    case "utf8":
      return { type: "utf8", nulls: 0, validity: null, values: utf8Parts(c.values, rows) };
  }
}

/**
 * Integer cells (exact below 2^53) as 64-bit integers; NaN counts as a null and leaves 0.
 * perf: no BigInt per cell on little-endian machines. An integer is written as its two 32-bit
 * words (two's complement, low word first) through an Int32Array view of the same buffer, and
 * checked by recomposing it. A cell that does not recompose (a fraction, an infinity, 2^63 and
 * up) is redone with BigInt(), which throws or converts exactly. Same bytes either way; 5x faster.
 */
function int64Values(values: Float64Array, rows: number): { values: BigInt64Array; nulls: number } {
  const out = new BigInt64Array(rows);
  let nulls = 0;
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < rows; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) nulls++;
      else out[i] = BigInt(v);
    }
    return { values: out, nulls };
  }
  const words = new Int32Array(out.buffer, out.byteOffset, rows * 2);
  let firstOdd = -1;
  for (let i = 0; i < rows; i++) {
    const v = values[i]!;
    const hi = Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    words[2 * i] = lo | 0;
    words[2 * i + 1] = hi | 0;
    if ((hi | 0) * TWO_32 + (lo >>> 0) !== v) {
      if (Number.isNaN(v)) nulls++;
      else if (firstOdd < 0) firstOdd = i;
    }
  }
  if (firstOdd >= 0) {
    for (let i = firstOdd; i < rows; i++) {
      const v = values[i]!;
      const hi = Math.floor(v / TWO_32);
      if (!Number.isNaN(v) && (hi | 0) * TWO_32 + ((v - hi * TWO_32) >>> 0) !== v) out[i] = BigInt(v);
    }
  }
  return { values: out, nulls };
}

/** The validity bitmap of `rows` cells (bit i set when cell i is valid), least significant bit first. */
function validity(rows: number, valid: (i: number) => boolean): Uint8Array {
  const bits = new Uint8Array((rows + 7) >> 3);
  for (let i = 0; i < rows; i++) if (valid(i)) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

/** The first `rows` strings as UTF-8 bytes and offsets (unpaired surrogates become U+FFFD, as TextEncoder does). */
function utf8Parts(strings: readonly string[], rows: number): Utf8Parts {
  const offsets = new Int32Array(rows + 1);
  let n = 0;
  for (let i = 0; i < rows; i++) {
    n += Buffer.byteLength(strings[i]!, "utf8");
    offsets[i + 1] = n;
  }
  const bytes = new Uint8Array(n);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, n);
  for (let i = 0; i < rows; i++) view.write(strings[i]!, offsets[i]!, "utf8");
  return { offsets, bytes };
}

/** The body buffers of a column, validity first, in the order the format lays them out. */
function bodyBuffers(p: ColumnParts): Uint8Array[] {
  const valid = p.validity ?? new Uint8Array(0);
  if (p.type === "utf8") return [valid, bytesOf(p.values.offsets), p.values.bytes];
  return [valid, bytesOf(p.values)];
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * What the headers say of a column cut to `rows`: its type, nulls and the byte length of each
 * body buffer ({@link bodyBuffers} order), found by scanning the column without converting it.
 */
interface ColumnLayout {
  type: ColumnParts["type"];
  nulls: number;
  buffers: number[];
}

function columnLayout(c: Column, rows: number): ColumnLayout {
  const validityBytes = (nulls: number) => (nulls > 0 ? (rows + 7) >> 3 : 0);
  switch (c.type) {
    case "int64":
    case "float64": {
      let nulls = 0;
      for (let i = 0; i < rows; i++) if (Number.isNaN(c.values[i])) nulls++;
      return { type: c.type, nulls, buffers: [validityBytes(nulls), 8 * rows] };
    }
    case "int32":
      return { type: "int32", nulls: 0, buffers: [0, 4 * rows] };
    case "dict": {
      let nulls = 0;
      for (let i = 0; i < rows; i++) if (c.values[i]! < 0) nulls++;
      return { type: "dict", nulls, buffers: [validityBytes(nulls), 4 * rows] };
    }
    case "utf8":
      return { type: "utf8", nulls: 0, buffers: [0, 4 * (rows + 1), utf8Length(c.values, rows)] };
  }
}

/** A record batch body: its field nodes and buffer regions. */
interface Body {
  length: number;
  nodes: { length: number; nulls: number }[];
  regions: { offset: number; length: number }[];
  byteLength: number;
}

function body(length: number): Body {
  return { length, nodes: [], regions: [], byteLength: 0 };
}

/** Adds a column of `length` cells with `nulls` nulls and buffers of these byte lengths; each takes a multiple of 8 bytes. */
function addColumn(b: Body, length: number, nulls: number, bufferBytes: readonly number[]): void {
  b.nodes.push({ length, nulls });
  for (const n of bufferBytes) {
    const padded = pad8(n);
    b.regions.push({ offset: b.byteLength, length: padded });
    b.byteLength += padded;
  }
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * What the headers of the Arrow IPC file of `columns` cut to `rows` say of each column
 * ({@link columnLayout}), and `bytes`, the size of the columns' buffers (values, validity,
 * offsets, dictionaries): a lower bound of the file size. Found by one scan of each column,
 * which a caller that checks the size before writing hands on to {@link writeArrowColumns}.
 */
export interface ArrowLayout {
  readonly columns: readonly ColumnLayout[];
  readonly bytes: number;
}

export function arrowLayout(columns: readonly Column[], rows: number): ArrowLayout {
  const layouts = columns.map((c) => columnLayout(c, rows));
  let bytes = 0;
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    for (const b of layouts[i]!.buffers) bytes += b;
    if (c.type === "dict") bytes += 4 * (c.dictionary.length + 1) + utf8Length(c.dictionary, c.dictionary.length);
  }
  return { columns: layouts, bytes };
}

/** The bytes of the Arrow IPC file of `columns` cut to `rows`, as chunks to write in order. */
export function arrowFileChunks(
  columns: readonly Column[],
  rows: number,
  metadata: Readonly<Record<string, string>>,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  emitArrowFile(columns, rows, metadata, arrowLayout(columns, rows).columns, (chunk) => out.push(chunk));
  return out;
}

/**
 * Passes the bytes of the Arrow IPC file of `columns` cut to `rows` to `write`, in order.
 * perf: the headers come from each column's {@link columnLayout} (`layouts`), and the body
 * converts one column at a time ({@link columnParts}) and lets it go once written: writing
 * api.arrow of a 1M-pod run (6M rows) held the int64 copies of its five time columns, 240 MB,
 * all at once before. Each dictionary is encoded once, for its batch and the column's parts.
 */
function emitArrowFile(
  columns: readonly Column[],
  rows: number,
  metadata: Readonly<Record<string, string>>,
  layouts: readonly ColumnLayout[],
  write: (chunk: Uint8Array) => void,
): void {
  write(MAGIC);
  write(new Uint8Array(2));
  let position = 8;
  const dictionaryBlocks: Block[] = [];
  const batchBlocks: Block[] = [];
  const emit = (
    header: number,
    encodeHeader: (fb: Builder) => number,
    b: Body,
    blocks: Block[],
    writeBody: () => void,
  ): void => {
    const message = encodeMessage(header, encodeHeader, b.byteLength);
    const metaLength = pad8(message.byteLength + 8);
    blocks.push({ offset: position, metaLength, bodyLength: b.byteLength });
    write(bytesOf(Int32Array.of(-1, metaLength - 8)));
    write(message);
    if (metaLength - 8 > message.byteLength) write(new Uint8Array(metaLength - 8 - message.byteLength));
    writeBody();
    position += metaLength + b.byteLength;
  };
  const writeBuffers = (buffers: readonly Uint8Array[]): void => {
    for (const buf of buffers) {
      if (buf.byteLength === 0) continue;
      write(buf);
      if (pad8(buf.byteLength) > buf.byteLength) write(new Uint8Array(pad8(buf.byteLength) - buf.byteLength));
    }
  };
  const dictionaries: (Utf8Parts | undefined)[] = [];
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    if (c.type !== "dict") continue;
    const dictionary = utf8Parts(c.dictionary, c.dictionary.length);
    dictionaries[i] = dictionary;
    const buffers = [new Uint8Array(0), bytesOf(dictionary.offsets), dictionary.bytes];
    const d = body(c.dictionary.length);
    addColumn(
      d,
      d.length,
      0,
      buffers.map((buf) => buf.byteLength),
    );
    emit(
      HEADER_DICTIONARY_BATCH,
      (fb) => encodeDictionaryBatch(fb, i, d),
      d,
      dictionaryBlocks,
      () => writeBuffers(buffers),
    );
  }
  const batch = body(rows);
  for (const l of layouts) addColumn(batch, rows, l.nulls, l.buffers);
  emit(
    HEADER_RECORD_BATCH,
    (fb) => encodeRecordBatch(fb, batch),
    batch,
    batchBlocks,
    () => {
      for (let i = 0; i < columns.length; i++) {
        const buffers = bodyBuffers(columnParts(columns[i]!, rows, dictionaries[i]));
        const expected = layouts[i]!.buffers;
        for (let k = 0; k < buffers.length; k++) {
          if (buffers[k]!.byteLength !== expected[k])
            throw new Error(
              `arrow column ${columns[i]!.name}: buffer ${k} has ${buffers[k]!.byteLength} bytes, its header says ${expected[k]}`,
            );
        }
        writeBuffers(buffers);
      }
    },
  );
  const footer = encodeFooter(columns, layouts, metadata, batchBlocks, dictionaryBlocks);
  write(bytesOf(Int32Array.of(-1, 0)));
  write(footer);
  write(bytesOf(Int32Array.of(footer.byteLength)));
  write(MAGIC);
}

/** The bytes of the columns' buffers cut to `rows` (see {@link arrowLayout}). */
export function columnsBytes(columns: readonly Column[], rows: number): number {
  return arrowLayout(columns, rows).bytes;
}

function utf8Length(strings: readonly string[], rows: number): number {
  let n = 0;
  for (let i = 0; i < rows; i++) n += Buffer.byteLength(strings[i]!, "utf8");
  return n;
}

/**
 * The largest Arrow file simctl's own readers (merge, export, report) can read back: they read
 * a file whole (`readFileSync`, then apache-arrow's `tableFromIPC`), and Node reads at most
 * 2 GiB into one buffer. `SIMCTL_TEST_MAX_TABLE_BYTES` lowers it, for tests.
 */
export function maxReadableTableBytes(): number {
  const forced = Number(process.env.SIMCTL_TEST_MAX_TABLE_BYTES);
  return Number.isFinite(forced) && forced > 0 ? forced : 2 ** 31 - 1;
}

/**
 * Writes the Arrow IPC file of `columns` cut to `rows` to `path` atomically (see
 * {@link writeStreamAtomic}), converting and writing one column at a time. `layout` is
 * {@link arrowLayout} of the same columns and rows, when the caller has it already.
 */
export function writeArrowColumns(
  path: string,
  columns: readonly Column[],
  rows: number,
  metadata: Readonly<Record<string, string>>,
  layout: ArrowLayout = arrowLayout(columns, rows),
): void {
  writeStreamAtomic(path, (write) => emitArrowFile(columns, rows, metadata, layout.columns, write));
}

// The flatbuffer tables, field slots and defaults of format/Schema.fbs, Message.fbs and File.fbs;
// the call order is apache-arrow's (ipc/metadata/message.ts, file.ts), which fixes the bytes.

interface Block {
  offset: number;
  metaLength: number;
  bodyLength: number;
}

/** A Message table (version, header type, header, body length), finished as its own buffer. */
function encodeMessage(headerType: number, encodeHeader: (fb: Builder) => number, bodyLength: number): Uint8Array {
  const fb = new Builder();
  const header = encodeHeader(fb);
  fb.startObject(5);
  fb.addFieldInt16(0, METADATA_V5, 0);
  fb.addFieldOffset(2, header, 0);
  fb.addFieldInt8(1, headerType, 0);
  fb.addFieldInt64(3, BigInt(bodyLength), 0n);
  fb.finish(fb.endObject());
  return fb.asUint8Array();
}

function encodeRecordBatch(fb: Builder, b: Body): number {
  const nodes = int64PairVector(
    fb,
    b.nodes.map((n) => [n.length, n.nulls]),
  );
  const buffers = int64PairVector(
    fb,
    b.regions.map((r) => [r.offset, r.length]),
  );
  fb.startObject(5);
  fb.addFieldInt64(0, BigInt(b.length), 0n);
  fb.addFieldOffset(1, nodes, 0);
  fb.addFieldOffset(2, buffers, 0);
  return fb.endObject();
}

/** A vector of structs of two int64 fields (FieldNode: length, null count; Buffer: offset, length). */
function int64PairVector(fb: Builder, pairs: readonly (readonly [number, number])[]): number {
  fb.startVector(16, pairs.length, 8);
  for (let i = pairs.length - 1; i >= 0; i--) {
    const [first, second] = pairs[i]!;
    fb.prep(8, 16);
    fb.writeInt64(BigInt(second));
    fb.writeInt64(BigInt(first));
  }
  return fb.endVector();
}

function encodeDictionaryBatch(fb: Builder, id: number, b: Body): number {
  const data = encodeRecordBatch(fb, b);
  fb.startObject(3);
  fb.addFieldInt64(0, BigInt(id), 0n);
  fb.addFieldInt8(2, 0, 0);
  fb.addFieldOffset(1, data, 0);
  return fb.endObject();
}

function encodeFooter(
  columns: readonly Column[],
  layouts: readonly ColumnLayout[],
  metadata: Readonly<Record<string, string>>,
  batches: readonly Block[],
  dictionaries: readonly Block[],
): Uint8Array {
  const fb = new Builder();
  const schema = encodeSchema(fb, columns, layouts, metadata);
  const blocks = (list: readonly Block[]): number => {
    fb.startVector(24, list.length, 8);
    for (let i = list.length - 1; i >= 0; i--) {
      const k = list[i]!;
      fb.prep(8, 24);
      fb.writeInt64(BigInt(k.bodyLength));
      fb.pad(4);
      fb.writeInt32(k.metaLength);
      fb.writeInt64(BigInt(k.offset));
    }
    return fb.endVector();
  };
  const batchVector = blocks(batches);
  const dictionaryVector = blocks(dictionaries);
  fb.startObject(5);
  fb.addFieldOffset(1, schema, 0);
  fb.addFieldInt16(0, METADATA_V5, 0);
  fb.addFieldOffset(3, batchVector, 0);
  fb.addFieldOffset(2, dictionaryVector, 0);
  fb.finish(fb.endObject());
  return fb.asUint8Array();
}

function encodeSchema(
  fb: Builder,
  columns: readonly Column[],
  layouts: readonly ColumnLayout[],
  metadata: Readonly<Record<string, string>>,
): number {
  const fields = columns.map((c, i) => encodeField(fb, c.name, layouts[i]!.type, i));
  // apache-arrow starts the fields vector twice (startFieldsVector, then createFieldsVector);
  // the second start pads nothing, but it is kept so the bytes stay the same by construction.
  fb.startVector(4, fields.length, 4);
  const fieldVector = offsetVector(fb, fields);
  const entries = Object.entries(metadata);
  const meta =
    entries.length === 0
      ? -1
      : offsetVector(
          fb,
          entries.map(([k, v]) => encodeKeyValue(fb, k, v)),
        );
  fb.startObject(4);
  fb.addFieldOffset(1, fieldVector, 0);
  fb.addFieldInt16(0, 0, 0); // endianness: little
  if (meta !== -1) fb.addFieldOffset(2, meta, 0);
  return fb.endObject();
}

function offsetVector(fb: Builder, offsets: readonly number[]): number {
  fb.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) fb.addOffset(offsets[i]!);
  return fb.endVector();
}

function encodeKeyValue(fb: Builder, key: string, value: string): number {
  const k = fb.createString(key);
  const v = fb.createString(value);
  fb.startObject(2);
  fb.addFieldOffset(0, k, 0);
  fb.addFieldOffset(1, v, 0);
  return fb.endObject();
}

/** A Field: int64 and float64 and dict columns are nullable, int32 and utf8 ones are not. */
function encodeField(fb: Builder, name: string, columnType: ColumnParts["type"], dictId: number): number {
  let type: number;
  let typeId: number;
  let dictionary = -1;
  if (columnType === "dict") {
    const indexType = encodeInt(fb, 32);
    fb.startObject(4);
    fb.addFieldInt64(0, BigInt(dictId), 0n);
    fb.addFieldInt8(2, 0, 0); // not ordered
    fb.addFieldOffset(1, indexType, 0);
    dictionary = fb.endObject();
    type = encodeUtf8Type(fb);
    typeId = TYPE_UTF8;
  } else if (columnType === "int64" || columnType === "int32") {
    type = encodeInt(fb, columnType === "int64" ? 64 : 32);
    typeId = TYPE_INT;
  } else if (columnType === "float64") {
    fb.startObject(1);
    fb.addFieldInt16(0, PRECISION_DOUBLE, 0);
    type = fb.endObject();
    typeId = TYPE_FLOATING_POINT;
  } else {
    type = encodeUtf8Type(fb);
    typeId = TYPE_UTF8;
  }
  const children = offsetVector(fb, []);
  const nameOffset = name === "" ? -1 : fb.createString(name);
  fb.startObject(7);
  fb.addFieldOffset(3, type, 0);
  fb.addFieldInt8(2, typeId, 0);
  fb.addFieldOffset(5, children, 0);
  fb.addFieldInt8(1, columnType === "int32" || columnType === "utf8" ? 0 : 1, 0);
  if (nameOffset !== -1) fb.addFieldOffset(0, nameOffset, 0);
  if (dictionary !== -1) fb.addFieldOffset(4, dictionary, 0);
  return fb.endObject();
}

/** A signed Int type table of `bitWidth` bits. */
function encodeInt(fb: Builder, bitWidth: number): number {
  fb.startObject(2);
  fb.addFieldInt32(0, bitWidth, 0);
  fb.addFieldInt8(1, 1, 0);
  return fb.endObject();
}

function encodeUtf8Type(fb: Builder): number {
  fb.startObject(0);
  return fb.endObject();
}
