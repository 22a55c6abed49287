import type { Column } from "../metrics/arrow-writer.js";

/** Element types a column can hold, named after their typed arrays. */
export type ElementType = "Float64" | "Float32" | "Int32" | "Uint32" | "Int16" | "Uint16" | "Int8" | "Uint8";

/** The typed array of each {@link ElementType}. */
export interface ElementArrays {
  Float64: Float64Array<ArrayBuffer>;
  Float32: Float32Array<ArrayBuffer>;
  Int32: Int32Array<ArrayBuffer>;
  Uint32: Uint32Array<ArrayBuffer>;
  Int16: Int16Array<ArrayBuffer>;
  Uint16: Uint16Array<ArrayBuffer>;
  Int8: Int8Array<ArrayBuffer>;
  Uint8: Uint8Array<ArrayBuffer>;
}

/** Any column array. */
export type AnyColumnArray = ElementArrays[ElementType];

const ARRAYS: { readonly [T in ElementType]: new (length: number) => ElementArrays[T] } = {
  Float64: Float64Array,
  Float32: Float32Array,
  Int32: Int32Array,
  Uint32: Uint32Array,
  Int16: Int16Array,
  Uint16: Uint16Array,
  Int8: Int8Array,
  Uint8: Uint8Array,
};

/**
 * One declared column: its element type, the value a row holds before anything is written
 * (`unset`: NaN for a time not reached yet, -1 for "no id", 0 for a counter), and its width:
 * values per row (default 1), stored row-major, value `j` of row `r` at `r * width + j`.
 */
export interface ColumnSpec {
  readonly type: ElementType;
  readonly unset: number;
  readonly width?: number;
}

/**
 * How a table declares a column: a {@link ColumnSpec}, or its element type alone for the common
 * case of one value per row, unset 0 (`count: "Int32"` is `count: { type: "Int32", unset: 0 }`).
 */
export type ColumnDecl = ElementType | ColumnSpec;

/** A table declaration: column name to {@link ColumnDecl}, in storage order. */
export type TableSpec = { readonly [name: string]: ColumnDecl };

/** The element type of a column declaration. */
type TypeOf<D extends ColumnDecl> = D extends ElementType ? D : D extends ColumnSpec ? D["type"] : never;

/** The typed arrays of a declared table, one own property per column. */
export type ColumnArrays<S extends TableSpec> = { -readonly [K in keyof S]: ElementArrays[TypeOf<S[K]>] };

/** One row's values by column name, as {@link ColumnTable.addRowOf} takes them. */
export type RowValues<S extends TableSpec> = { readonly [K in keyof S]: number };

/** Widths fixed at construction for columns whose width depends on the run (e.g. resource count). */
export type Widths<S extends TableSpec> = { readonly [K in keyof S]?: number };

/** How a table is used, beyond its columns (see {@link columnTable}). */
export interface TableOptions {
  /**
   * Nothing reads a row before it is appended (a log: rows are added with `addRow`, `addRows`
   * or `ensureRow` and read below `size`). Unset values are then written as rows are appended,
   * {@link UNSET_CHUNK_ROWS} at a time, not when a column is allocated or grown, so the spare
   * capacity of a grown column is never touched. perf: untouched pages of a fresh allocation
   * are not resident, so a doubled log costs the memory of its rows, not of its capacity (the
   * API server's request table of a 2M-pod run: 12.6M rows in 16.8M, ~200 MB of unset values).
   */
  readonly appendOnly?: boolean;
}

/** Rows an append-only table fills with unset values at a time (see {@link TableOptions.appendOnly}). */
export const UNSET_CHUNK_ROWS = 4096;

/** Arrow column types a table column converts to (see `Column` in src/metrics/arrow-writer.ts). */
export type ArrowType = "int64" | "float64" | "int32" | "dict";

/**
 * Typed-array table storage built from a {@link TableSpec}: `size` rows in use, kept apart from
 * `capacity`; growth by doubling with the new tail filled with each column's unset value;
 * views of `[0, size)`; conversion to Arrow writer columns. Build a class with
 * {@link columnTable}, whose instances carry every column as an own property.
 *
 * Contract: column arrays are replaced (not resized) when the table grows, so read them from
 * the table afresh after anything that may add rows: write `const i = t.addRow(); t.col[i] = x`,
 * never `t.col[t.addRow()] = x` (that loads `t.col` before the append may replace it). Rows at
 * and past `size` hold unset values unless written (a table used as a slot pool or indexed by
 * an outside id writes them itself).
 */
export class ColumnTable<S extends TableSpec> {
  /** The declaration. */
  readonly columnSpec: S;
  private readonly columnNames: readonly (keyof S & string)[];
  /** The columns' specs, in storage order (a bare element type expanded). */
  private readonly columnSpecs: readonly ColumnSpec[];
  private readonly columnWidths: Int32Array;
  /**
   * Rows in use: `[0, size)`. perf: a data property, not a getter, so a `t.size` load at a call
   * site that sees one table class stays monomorphic.
   */
  readonly size: number = 0;
  /** Rows the columns hold now. */
  readonly capacity: number;
  /** See {@link TableOptions.appendOnly}. */
  private readonly appendOnly: boolean;
  /** Rows `[0, unsetRows)` hold unset or written values; past it an append-only table's columns are still zero. */
  private unsetRows = 0;

  /** Use {@link columnTable}. */
  constructor(spec: S, initialCapacity: number, widths: Widths<S> | undefined, options: TableOptions = {}) {
    this.columnSpec = spec;
    this.appendOnly = options.appendOnly === true;
    this.columnNames = Object.keys(spec);
    this.columnSpecs = this.columnNames.map((name) => {
      const d: ColumnDecl = spec[name]!;
      return typeof d === "string" ? { type: d, unset: 0 } : d;
    });
    this.columnWidths = new Int32Array(this.columnNames.length);
    this.capacity = Math.max(1, initialCapacity);
    // perf: columns become own properties in declaration order, so every table of one
    // declaration has one hidden class and `table.col` loads stay monomorphic. defineProperty
    // (a named definition) rather than `this[name] =` (a keyed store): V8 turns an object into
    // a dictionary after about 12 properties added by keyed stores, not by named ones.
    for (let c = 0; c < this.columnNames.length; c++) {
      const name = this.columnNames[c]!;
      if (name in this) throw new RangeError(`column ${name}: the name is taken by the table itself`);
      const w = widths?.[name] ?? this.columnSpecs[c]!.width ?? 1;
      if (!(Number.isInteger(w) && w >= 1)) throw new RangeError(`column ${name}: bad width ${w}`);
      this.columnWidths[c] = w;
      Object.defineProperty(this, name, {
        value: this.allocate(c, this.capacity),
        writable: true,
        enumerable: true,
        configurable: false,
      });
    }
    if (!this.appendOnly) this.unsetRows = this.capacity;
  }

  /**
   * Appends a row (doubling capacity when full) and returns its index; its cells are whatever
   * the row holds (unset if never written).
   */
  addRow(): number {
    const row = this.size;
    if (row === this.capacity) this.grow(row * 2);
    if (row >= this.unsetRows) this.writeUnset(row + 1);
    (this as Counts).size = row + 1;
    return row;
  }

  /**
   * Appends a row holding `values` and returns its index; every column must be one value wide.
   * perf: a keyed load and store per column, about 0.15 µs a row more than stores written out:
   * for appends outside hot loops (an autoscaler decision, a scheduling attempt); a per-request
   * or per-node append writes its columns one by one.
   */
  addRowOf(values: RowValues<S>): number {
    const row = this.addRow();
    const columns = this.arrays();
    for (let c = 0; c < this.columnNames.length; c++) {
      const name = this.columnNames[c]!;
      if (this.columnWidths[c] !== 1) throw new RangeError(`column ${name}: addRowOf writes one value per column`);
      columns[name]![row] = values[name];
    }
    return row;
  }

  /** Appends `count` rows at once and returns the first one's index. */
  addRows(count: number): number {
    const first = this.size;
    this.ensureRow(first + count - 1);
    (this as Counts).size = first + count;
    return first;
  }

  /** Makes row `row` addressable (capacity > row), doubling as often as needed; `size` is unchanged. */
  ensureRow(row: number): void {
    if (row >= this.capacity) {
      let cap = this.capacity;
      while (cap <= row) cap *= 2;
      this.grow(cap);
    }
    if (row >= this.unsetRows) this.writeUnset(row + 1);
  }

  /** A view of column `name` over rows `[0, size)` (shares memory with the column). */
  view<K extends keyof S & string>(name: K): ColumnArrays<S>[K] {
    const a = this.arrays()[name]!;
    return a.subarray(0, this.size * this.columnWidths[this.columnNames.indexOf(name)]!) as ColumnArrays<S>[K];
  }

  /**
   * Column `name` (lane `lane` of a wide column) as an Arrow writer column over rows
   * `[0, size)`, named `arrowName`. A column already of the writer's array type is handed over
   * as a view (the writer copies what it converts); others are copied into one.
   */
  arrow(name: keyof S & string, type: Exclude<ArrowType, "dict">, arrowName: string, lane?: number): Column;
  /** A `dict` column: indices into `dictionary`, -1 for null. */
  arrow(name: keyof S & string, type: "dict", arrowName: string, lane: number, dictionary: readonly string[]): Column;
  arrow(name: keyof S & string, type: ArrowType, arrowName: string, lane = 0, dictionary?: readonly string[]): Column {
    const c = this.columnNames.indexOf(name);
    const a: AnyColumnArray = this.arrays()[name]!;
    const w = this.columnWidths[c]!;
    const n = this.size;
    if (type === "int64" || type === "float64") {
      const values =
        w === 1 && a instanceof Float64Array ? a.subarray(0, n) : copyLane(new Float64Array(n), a, w, lane);
      return { name: arrowName, type, values };
    }
    const values = w === 1 && a instanceof Int32Array ? a.subarray(0, n) : copyLane(new Int32Array(n), a, w, lane);
    if (type === "int32") return { name: arrowName, type, values };
    return { name: arrowName, type, values, dictionary: dictionary ?? [] };
  }

  /**
   * Replaces every column with a fresh one of `capacity` rows holding only unset values and
   * returns the old columns, for a table that places rows by key (a ring, a hash) to move its
   * live rows with {@link copyRow}. Growth only: allocates.
   */
  protected replaceColumns(capacity: number): ColumnArrays<S> {
    if (this.appendOnly) throw new RangeError("replaceColumns: an append-only table places no row by key");
    const self = this.arrays();
    const old = {} as Record<string, AnyColumnArray>;
    for (let c = 0; c < this.columnNames.length; c++) {
      const name = this.columnNames[c]!;
      old[name] = self[name]!;
      self[name] = this.allocate(c, capacity);
    }
    (this as Counts).capacity = capacity;
    this.unsetRows = capacity;
    return old as ColumnArrays<S>;
  }

  /** Copies row `from` of `old` (from {@link replaceColumns}) into row `to` of every column. */
  protected copyRow(old: ColumnArrays<S>, from: number, to: number): void {
    const self = this.arrays();
    const src = old as Record<string, AnyColumnArray>;
    for (let c = 0; c < this.columnNames.length; c++) {
      const name = this.columnNames[c]!;
      const w = this.columnWidths[c]!;
      const a = src[name]!;
      const b = self[name]!;
      for (let j = 0; j < w; j++) b[to * w + j] = a[from * w + j]!;
    }
  }

  /**
   * Grows every column to `capacity` rows, keeping contents; the new tail is unset (an
   * append-only table's is written as rows are appended, and only its filled rows are copied).
   */
  private grow(capacity: number): void {
    const self = this.arrays();
    for (let c = 0; c < this.columnNames.length; c++) {
      const name = this.columnNames[c]!;
      const b = this.allocate(c, capacity);
      const a = self[name]!;
      b.set(this.appendOnly ? a.subarray(0, this.unsetRows * this.columnWidths[c]!) : a);
      self[name] = b;
    }
    (this as Counts).capacity = capacity;
    if (!this.appendOnly) this.unsetRows = capacity;
  }

  /** An append-only table's rows up to `row` (exclusive), and a chunk past it, get their unset values. */
  private writeUnset(row: number): void {
    const from = this.unsetRows;
    const to = Math.min(this.capacity, Math.max(row, from + UNSET_CHUNK_ROWS));
    const self = this.arrays();
    for (let c = 0; c < this.columnNames.length; c++) {
      const u = this.columnSpecs[c]!.unset;
      const w = this.columnWidths[c]!;
      if (u !== 0) self[this.columnNames[c]!]!.fill(u, from * w, to * w);
    }
    this.unsetRows = to;
  }

  /** A new array for column `c` of `capacity` rows, filled with its unset value unless the table is append-only. */
  private allocate(c: number, capacity: number): AnyColumnArray {
    const s = this.columnSpecs[c]!;
    const a = new ARRAYS[s.type](capacity * this.columnWidths[c]!);
    if (s.unset !== 0 && !this.appendOnly) a.fill(s.unset);
    return a;
  }

  private arrays(): Record<string, AnyColumnArray> {
    return this as unknown as Record<string, AnyColumnArray>;
  }
}

/** The counts a table updates in place (public as read-only). */
interface Counts {
  size: number;
  capacity: number;
}

/** Copies lane `lane` of a width-`w` column into `out` (one value per row). */
function copyLane<T extends Float64Array | Int32Array>(out: T, a: AnyColumnArray, w: number, lane: number): T {
  for (let r = 0; r < out.length; r++) out[r] = a[r * w + lane]!;
  return out;
}

/**
 * A {@link ColumnTable} used as a pool of rows: {@link claim} hands out a released row (the most
 * recently released first) or else the next fresh one, growing by doubling; {@link release}
 * gives a row back. `size` counts rows ever handed out. A claimed row holds what its previous
 * user left (unset if fresh): the caller writes every cell it reads.
 */
export class ColumnPool<S extends TableSpec> extends ColumnTable<S> {
  private freeRows = new Int32Array(16);
  private freeTop = 0;

  /** A free row. */
  claim(): number {
    return this.freeTop > 0 ? this.freeRows[--this.freeTop]! : this.addRow();
  }

  /** Returns `row` to the pool. */
  release(row: number): void {
    if (this.freeTop === this.freeRows.length) {
      const b = new Int32Array(this.freeTop * 2);
      b.set(this.freeRows);
      this.freeRows = b;
    }
    this.freeRows[this.freeTop++] = row;
  }

  /** Rows claimed and not released. */
  get live(): number {
    return this.size - this.freeTop;
  }
}

/** A table class built from a declaration: instances are a {@link ColumnTable} plus one own property per column. */
export type ColumnTableClass<S extends TableSpec> = new (
  initialCapacity?: number,
  widths?: Widths<S>,
) => ColumnTable<S> & ColumnArrays<S>;

/** As {@link ColumnTableClass}, for a {@link ColumnPool}. */
export type ColumnPoolClass<S extends TableSpec> = new (
  initialCapacity?: number,
  widths?: Widths<S>,
) => ColumnPool<S> & ColumnArrays<S>;

/**
 * The table class of declaration `spec`: `new T(initialCapacity, widths)` allocates every
 * column with `initialCapacity` rows (default 1024) of unset values (an append-only table's
 * get theirs as they are appended: {@link TableOptions}). Extend it to add a
 * typed `add(...)` and queries, e.g.
 * `class BatchLog extends columnTable({ startNs: { type: "Float64", unset: NaN } }) { ... }`,
 * or use it as is: `const Rows = columnTable({ ... }); rows = new Rows(64)`.
 */
export function columnTable<const S extends TableSpec>(spec: S, options: TableOptions = {}): ColumnTableClass<S> {
  class Table extends ColumnTable<S> {
    constructor(initialCapacity = 1024, widths?: Widths<S>) {
      super(spec, initialCapacity, widths, options);
    }
  }
  return Table as unknown as ColumnTableClass<S>;
}

/** As {@link columnTable}, for a pool of rows ({@link ColumnPool}). */
export function columnPool<const S extends TableSpec>(spec: S): ColumnPoolClass<S> {
  class Pool extends ColumnPool<S> {
    constructor(initialCapacity = 1024, widths?: Widths<S>) {
      super(spec, initialCapacity, widths);
    }
  }
  return Pool as unknown as ColumnPoolClass<S>;
}
