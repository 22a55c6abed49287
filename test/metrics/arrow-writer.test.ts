import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC, tableToIPC } from "apache-arrow";
import { describe, expect, test } from "vitest";
import { tableFromColumns, writeArrowFile, type Column } from "../../src/metrics/arrow-writer.js";
import { tmpDir } from "../tmp-dir.js";

const dir = tmpDir("simctl-arrow-writer-");

describe("int64 columns without a BigInt per cell", () => {
  test("every integer below 2^53 in magnitude, negative ones and the word boundaries round-trip exactly; NaN is null", () => {
    const vs = [
      0,
      -0,
      1,
      -1,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      -(2 ** 32),
      -(2 ** 32) - 1,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      2 ** 53,
      2 ** 60,
      NaN,
      501326628778,
      7.2e12,
    ];
    const t = tableFromColumns([{ name: "x", type: "int64", values: Float64Array.from(vs) }], vs.length, {});
    const col = t.getChild("x")!;
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i]!;
      expect(col.get(i)).toBe(Number.isNaN(v) ? null : BigInt(v));
    }
  });

  test("a fraction or an infinity is refused as before (BigInt throws)", () => {
    expect(() => tableFromColumns([{ name: "x", type: "int64", values: Float64Array.from([1.5]) }], 1, {})).toThrow(
      RangeError,
    );
    expect(() =>
      tableFromColumns([{ name: "x", type: "int64", values: Float64Array.from([Infinity]) }], 1, {}),
    ).toThrow(RangeError);
  });
});

describe("writeArrowFile", () => {
  test("writes exactly the bytes of tableToIPC(table, 'file'), and they read back", () => {
    const n = 300_000; // several MiB: large chunks go straight through, small ones are staged
    const ts = new Float64Array(n);
    const node = new Int32Array(n);
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      ts[i] = i % 11 === 0 ? NaN : i * 1_000_003;
      node[i] = i % 5 === 0 ? -1 : i % 50;
      if (i < 1000) names.push(`pod-${i}`);
    }
    const columns: Column[] = [
      { name: "t", type: "int64", values: ts },
      { name: "node", type: "dict", values: node, dictionary: Array.from({ length: 50 }, (_, i) => `node-${i}`) },
      { name: "f", type: "float64", values: Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? NaN : i / 7)) },
      { name: "c", type: "int32", values: Int32Array.from({ length: n }, (_, i) => i) },
    ];
    const table = tableFromColumns(columns, n, { "simctl.seed": "1" });
    const path = join(dir, "t.arrow");
    writeArrowFile(path, table);
    const bytes = readFileSync(path);
    expect(Buffer.from(tableToIPC(table, "file")).equals(bytes)).toBe(true);
    const back = tableFromIPC(bytes);
    expect(back.numRows).toBe(n);
    expect(back.getChild("t")!.get(22)).toBeNull();
    expect(back.getChild("t")!.get(23)).toBe(23n * 1_000_003n);
    expect(back.getChild("node")!.get(7)).toBe("node-7");
    expect(back.schema.metadata.get("simctl.seed")).toBe("1");

    const small = tableFromColumns([{ name: "s", type: "utf8", values: names }], names.length, {});
    writeArrowFile(path, small);
    expect(Buffer.from(tableToIPC(small, "file")).equals(readFileSync(path))).toBe(true);
  });
});
