import { describe, expect, it } from "vitest";
import { ColumnTable, columnPool, columnTable, UNSET_CHUNK_ROWS } from "../../src/core/column-table.js";

const Log = columnTable({
  timeNs: { type: "Float64", unset: NaN },
  node: { type: "Int32", unset: -1 },
  flag: { type: "Uint8", unset: 0 },
  lanes: { type: "Float64", unset: NaN, width: 3 },
});

describe("columnTable", () => {
  it("allocates every column with its unset value, as own properties in declaration order", () => {
    const t = new Log(4);
    expect(t).toBeInstanceOf(ColumnTable);
    expect(t.size).toBe(0);
    expect(t.capacity).toBe(4);
    expect(Array.from(t.node)).toEqual([-1, -1, -1, -1]);
    expect(t.timeNs.every((v) => Number.isNaN(v))).toBe(true);
    expect(t.lanes.length).toBe(12);
    const own = Object.keys(t);
    expect(own.filter((k) => k in t.columnSpec)).toEqual(["timeNs", "node", "flag", "lanes"]);
  });

  it("takes a bare element type as a one-value column of unset 0", () => {
    const Counts = columnTable({ hits: "Uint32", timeNs: { type: "Float64", unset: NaN } });
    const t = new Counts(2);
    t.addRows(3);
    expect(t.hits).toBeInstanceOf(Uint32Array);
    expect(Array.from(t.hits)).toEqual([0, 0, 0, 0]);
    expect(Number.isNaN(t.timeNs[3])).toBe(true);
    expect(t.arrow("hits", "int32", "hits").values).toEqual(new Int32Array(3));
  });

  it("doubles on append, keeps contents and fills the new tail with the unset value", () => {
    const t = new Log(2);
    for (let i = 0; i < 5; i++) {
      const r = t.addRow();
      expect(r).toBe(i);
      t.timeNs[r] = i * 10;
      t.lanes[r * 3 + 2] = i;
    }
    expect(t.size).toBe(5);
    expect(t.capacity).toBe(8);
    expect(Array.from(t.view("timeNs"))).toEqual([0, 10, 20, 30, 40]);
    expect(Number.isNaN(t.timeNs[5])).toBe(true);
    expect(t.node[7]).toBe(-1);
    expect(t.view("lanes").length).toBe(15);
    expect(t.lanes[4 * 3 + 2]).toBe(4);
  });

  it("addRowOf appends a row of values by column name, growing by doubling", () => {
    const Decisions = columnTable({ timeNs: { type: "Float64", unset: NaN }, group: "Int32", node: "Int32" });
    const t = new Decisions(1);
    expect(t.addRowOf({ timeNs: 5, group: 2, node: -1 })).toBe(0);
    expect(t.addRowOf({ timeNs: 7, group: 0, node: 3 })).toBe(1);
    expect(t.capacity).toBe(2);
    expect(Array.from(t.timeNs)).toEqual([5, 7]);
    expect(Array.from(t.group)).toEqual([2, 0]);
    expect(Array.from(t.node)).toEqual([-1, 3]);
  });

  it("addRowOf refuses a table with a wide column", () => {
    const t = new Log(2);
    expect(() => t.addRowOf({ timeNs: 1, node: 0, flag: 0, lanes: 0 })).toThrow(/lanes: addRowOf writes one value/);
  });

  it("ensureRow grows by doubling past an outside id without changing size", () => {
    const t = new Log(4);
    t.ensureRow(9);
    expect(t.capacity).toBe(16);
    expect(t.size).toBe(0);
    t.ensureRow(3);
    expect(t.capacity).toBe(16);
    expect(t.addRows(3)).toBe(0);
    expect(t.size).toBe(3);
  });

  it("converts columns to Arrow writer columns: views of matching arrays, copies of others, lanes", () => {
    const t = new Log(4);
    for (let i = 0; i < 3; i++) {
      const r = t.addRow();
      t.node[r] = i;
      t.flag[r] = i % 2;
      for (let j = 0; j < 3; j++) t.lanes[r * 3 + j] = 100 * j + i;
    }
    const node = t.arrow("node", "dict", "node_name", 0, ["a", "b", "c"]);
    expect(node).toMatchObject({ name: "node_name", type: "dict", dictionary: ["a", "b", "c"] });
    expect((node.values as Int32Array).buffer).toBe(t.node.buffer);
    expect(Array.from(node.values as Int32Array)).toEqual([0, 1, 2]);
    const flag = t.arrow("flag", "int32", "flag");
    expect(flag.values).toBeInstanceOf(Int32Array);
    expect(Array.from(flag.values as Int32Array)).toEqual([0, 1, 0]);
    const lane = t.arrow("lanes", "int64", "lane_2", 2);
    expect(Array.from(lane.values as Float64Array)).toEqual([200, 201, 202]);
  });

  it("widths can be fixed at construction", () => {
    const T = columnTable({ v: { type: "Int32", unset: 7 } });
    const t = new T(2, { v: 5 });
    expect(t.v.length).toBe(10);
    expect(() => new T(2, { v: 0 })).toThrow(/bad width/);
  });

  it("rejects a column named like a member of the table", () => {
    const Bad = columnTable({ size: { type: "Int32", unset: 0 } });
    expect(() => new Bad(2)).toThrow(/taken/);
  });

  it("replaceColumns and copyRow re-slot rows (a ring doubling)", () => {
    class Ring extends columnTable({ v: { type: "Int32", unset: -1 } }) {
      regrow(): void {
        const old = this.replaceColumns(this.capacity * 2);
        this.copyRow(old, 3, 7);
      }
    }
    const r = new Ring(4);
    r.v[3] = 42;
    r.regrow();
    expect(r.capacity).toBe(8);
    expect(Array.from(r.v)).toEqual([-1, -1, -1, -1, -1, -1, -1, 42]);
  });
});

describe("columnTable, append-only", () => {
  const Appended = columnTable(
    { timeNs: { type: "Float64", unset: NaN }, node: { type: "Int32", unset: -1 }, hits: "Uint32" },
    { appendOnly: true },
  );
  const C = UNSET_CHUNK_ROWS;

  it("appended rows read unset, through every doubling, and keep what was written", () => {
    const t = new Appended(4);
    const n = 3 * C + 5;
    for (let i = 0; i < n; i++) {
      const r = t.addRow();
      expect(Number.isNaN(t.timeNs[r]) && t.node[r] === -1 && t.hits[r] === 0).toBe(true);
      if (i % 2 === 0) t.timeNs[r] = i;
    }
    expect(t.capacity).toBe(4 * C);
    const times = t.view("timeNs");
    for (let i = 0; i < n; i++) expect(i % 2 === 0 ? times[i] === i : Number.isNaN(times[i])).toBe(true);
  });

  it("leaves the spare capacity of a grown column untouched: unset values a chunk ahead of size only", () => {
    const t = new Appended(2 * C);
    expect(t.node[0]).toBe(0);
    t.addRow();
    expect(t.node[C - 1]).toBe(-1);
    expect(t.node[C]).toBe(0);
    t.ensureRow(C + 10);
    expect(t.node[C + 10]).toBe(-1);
    expect(t.node[2 * C - 1]).toBe(-1);
    t.ensureRow(2 * C);
    expect(t.capacity).toBe(4 * C);
    expect(t.node[2 * C]).toBe(-1);
    expect(t.node[3 * C]).toBe(0);
    expect(t.addRows(5)).toBe(1);
    expect(Array.from(t.node.subarray(0, 6))).toEqual([-1, -1, -1, -1, -1, -1]);
  });

  it("places no row by key", () => {
    class Ring extends columnTable({ v: { type: "Int32", unset: -1 } }, { appendOnly: true }) {
      regrow(): void {
        this.replaceColumns(this.capacity * 2);
      }
    }
    expect(() => new Ring(4).regrow()).toThrow(/append-only/);
  });
});

describe("columnPool", () => {
  it("hands out released rows last-in first-out, then fresh rows in order, as a free stack would", () => {
    const P = columnPool({ v: { type: "Int32", unset: 0 } });
    const p = new P(2);
    expect([p.claim(), p.claim(), p.claim()]).toEqual([0, 1, 2]);
    p.release(1);
    p.release(0);
    expect(p.live).toBe(1);
    expect([p.claim(), p.claim(), p.claim()]).toEqual([0, 1, 3]);
    expect(p.capacity).toBe(4);
    expect(p.live).toBe(4);
  });
});
