import { describe, expect, test } from "vitest";
import { DeliveryLatencies } from "../../src/apiserver/watch-cache.js";
import { quantiles } from "../../src/metrics/quantiles.js";

describe("DeliveryLatencies", () => {
  test("keeps whole ns under 2^32 - 1 in 32 bits and any other latency exactly: the same quantiles as the values", () => {
    const xs = [0, 1, 5_000_000, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 7.5e9, 2.5, 42];
    const d = new DeliveryLatencies(4);
    for (const x of xs) d.add(x);
    expect(d.size).toBe(xs.length);
    expect(Array.from(d.values()).sort((a, b) => a - b)).toEqual([...xs].sort((a, b) => a - b));
    const qs = [0.1, 0.5, 0.9, 0.99, 1];
    expect(quantiles(d.values(), qs)).toEqual(quantiles(xs, qs));
  });

  test("with only 32-bit latencies, values() is the column itself (no copy)", () => {
    const d = new DeliveryLatencies(4);
    for (let i = 0; i < 10; i++) d.add(i * 1000);
    const v = d.values();
    expect(v).toBeInstanceOf(Uint32Array);
    expect(Array.from(v)).toEqual(Array.from({ length: 10 }, (_, i) => i * 1000));
  });
});
