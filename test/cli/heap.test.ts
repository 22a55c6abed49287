import { getHeapStatistics } from "node:v8";
import { describe, expect, test } from "vitest";
import { workerHeapMb } from "../../src/cli/heap.js";

const MiB = 2 ** 20;

describe("the run worker's V8 heap is sized for the run", () => {
  const own = getHeapStatistics().heap_size_limit;

  test("a small run keeps this process's own limit", () => {
    expect(workerHeapMb(100 * MiB, 64 * 1024 * MiB)).toBe(Math.ceil(own / MiB));
  });

  test("a big run gets twice its estimate", () => {
    expect(workerHeapMb(own, 64 * own)).toBe(Math.ceil((2 * own) / MiB));
  });

  test("never more than --max-memory allows", () => {
    expect(workerHeapMb(4 * own, 3 * own)).toBe(Math.ceil((3 * own) / MiB));
  });
});
