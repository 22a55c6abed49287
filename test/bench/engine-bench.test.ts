import { describe, expect, test } from "vitest";
import { FlatHoldHeap, holdEngine, holdIncrements } from "../../bench/engine.bench.js";

describe("the flat-heap baseline of the engine bench", () => {
  test.each([1000, 20_000])("fires the same events at the same times as the Engine (%i pending)", (pending) => {
    const incs = holdIncrements();
    const { engine } = holdEngine(pending, incs);
    const heap = new FlatHoldHeap(pending, incs);
    let differ = 0;
    let last = 0;
    for (let i = 0; i < 100_000; i++) {
      engine.step();
      heap.hold();
      if (engine.now !== heap.now) differ++;
      if (heap.now < last) differ++;
      last = heap.now;
    }
    expect(differ).toBe(0);
    expect(engine.pending).toBe(pending);
    expect(heap.now).toBeGreaterThan(0);
  });
});
