import { describe, expect, test } from "vitest";
import { Engine } from "../../src/core/engine.js";
import { CountedResource } from "../../src/sync/counted-resource.js";

describe("CountedResource", () => {
  test("grants up to capacity at once, then hands each release to the next waiter in FIFO order", () => {
    const engine = new Engine();
    const granted: [number, number][] = [];
    const k = engine.register("grant", (target, arg) => granted.push([target, arg]));
    const r = new CountedResource(engine, 2);
    expect(r.acquire(k, 1, 10)).toBe(true);
    expect(r.acquire(k, 2, 20)).toBe(true);
    for (let i = 3; i <= 40; i++) expect(r.acquire(k, i, i * 10)).toBe(false);
    expect([r.busy, r.queued]).toEqual([2, 38]);
    for (let i = 0; i < 38; i++) r.release();
    engine.run();
    // Each release passed the unit on: still 2 held, by the last two waiters.
    expect([r.busy, r.queued]).toEqual([2, 0]);
    expect(granted).toEqual(Array.from({ length: 38 }, (_, i) => [i + 3, (i + 3) * 10]));
    r.release();
    r.release();
    expect(r.busy).toBe(0);
    expect(() => r.release()).toThrow(RangeError);
  });

  test("capacity must be at least 1", () => {
    const engine = new Engine();
    expect(() => new CountedResource(engine, 0)).toThrow(RangeError);
    expect(() => new CountedResource(engine, 0.5)).toThrow(RangeError);
    expect(new CountedResource(engine, 1).capacity).toBe(1);
  });
});
