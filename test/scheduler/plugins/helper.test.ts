import { describe, expect, test } from "vitest";
import { byteColumn, bytesAllEqual, contiguousRun } from "../../../src/scheduler/plugins/helper.js";

describe("bytesAllEqual (word-wide scans of byte columns)", () => {
  test("agrees with a byte-by-byte check on every range, aligned or not", () => {
    const bytes = new Uint8Array(40).fill(1);
    bytes[13] = 0;
    bytes[27] = 2;
    const col = byteColumn(bytes);
    expect(col.words).not.toBeNull();
    // An unaligned view (offset 1) falls back to bytes.
    const odd = byteColumn(new Uint8Array(bytes.buffer, 1, 39));
    expect(odd.words).toBeNull();
    for (const c of [col, odd]) {
      for (let a = 0; a < c.bytes.length; a++) {
        for (let b = a; b <= c.bytes.length; b++) {
          for (const v of [0, 1, 2]) {
            let naive = true;
            for (let i = a; i < b; i++) if (c.bytes[i] !== v) naive = false;
            if (bytesAllEqual(c, a, b, v) !== naive) throw new Error(`range ${a}..${b} value ${v}`);
          }
        }
      }
    }
  });
});

describe("contiguousRun", () => {
  test("a run of ascending node indices is contiguous exactly when its ends are n - 1 apart", () => {
    expect(contiguousRun(Int32Array.of(4, 5, 6, 7), 4)).toBe(true);
    expect(contiguousRun(Int32Array.of(4, 5, 7, 8), 4)).toBe(false);
    // A rotation that wraps (8, 9, 0, 1) is not one run.
    expect(contiguousRun(Int32Array.of(8, 9, 0, 1), 4)).toBe(false);
    expect(contiguousRun(Int32Array.of(3), 1)).toBe(true);
    expect(contiguousRun(new Int32Array(0), 0)).toBe(false);
  });
});
