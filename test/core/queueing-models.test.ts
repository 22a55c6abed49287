import { describe, expect, test } from "vitest";
import { Engine, type EventKind } from "../../src/core/engine.js";
import { Sampler } from "../../src/core/distributions.js";
import { RandomStreams } from "../../src/core/random.js";
import { CountedResource } from "../../src/sync/counted-resource.js";
import { erlangC } from "../sync/erlang-c.js";

/**
 * Simulates an M/M/c queue on the engine with a CountedResource of c servers and returns the
 * mean wait in queue, with its standard error from 20 batch means (batches of consecutive
 * customers are nearly independent when each holds thousands of them).
 */
function simulateMMc(
  c: number,
  lambda: number,
  mu: number,
  customers: number,
  seed: number,
): { mean: number; se: number } {
  const e = new Engine();
  const rs = new RandomStreams(seed);
  const inter = new Sampler({ kind: "exponential", mean: 1e9 / lambda }, rs.stream("arrivals"));
  const service = new Sampler({ kind: "exponential", mean: 1e9 / mu }, rs.stream("service"));
  const servers = new CountedResource(e, c);
  const arrivedAt = new Float64Array(customers);
  const wait = new Float64Array(customers);
  let next = 0;
  const kinds: { arrive?: EventKind; start?: EventKind; depart?: EventKind } = {};
  const start = (i: number) => {
    wait[i] = e.now - arrivedAt[i]!;
    e.schedule(service.sample(), kinds.depart!, i);
  };
  kinds.start = e.register("start", (i) => start(i));
  kinds.depart = e.register("depart", () => servers.release());
  kinds.arrive = e.register("arrive", (i) => {
    arrivedAt[i] = e.now;
    if (servers.acquire(kinds.start!, i, 0)) start(i);
    if (++next < customers) e.schedule(inter.sample(), kinds.arrive!, next);
  });
  e.schedule(0, kinds.arrive, 0);
  e.run();
  // Drop the first 5% as warm-up, then 20 batch means.
  const from = Math.floor(customers * 0.05);
  const batches = 20;
  const size = Math.floor((customers - from) / batches);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let s = 0;
    for (let i = from + b * size; i < from + (b + 1) * size; i++) s += wait[i]!;
    means.push(s / size / 1e9);
  }
  const mean = means.reduce((a, b) => a + b, 0) / batches;
  const variance = means.reduce((a, m) => a + (m - mean) ** 2, 0) / (batches - 1);
  return { mean, se: Math.sqrt(variance / batches) };
}

describe("queueing on the engine matches closed forms", () => {
  test("M/M/1 mean wait in queue = rho / (mu - lambda)", () => {
    const lambda = 70;
    const mu = 100;
    const theory = lambda / mu / (mu - lambda);
    const { mean, se } = simulateMMc(1, lambda, mu, 400_000, 1);
    // Within 4 standard errors of the batch means (a false failure about 1 in 15,000 runs), and
    // the estimate must be precise enough (SE under 3% of the mean) for the check to mean much.
    expect(se / theory).toBeLessThan(0.03);
    expect(Math.abs(mean - theory)).toBeLessThan(4 * se);
  });

  test("M/M/c mean wait in queue = ErlangC(c, a) / (c mu - lambda)", () => {
    const c = 8;
    const mu = 10;
    const lambda = 68; // rho = 0.85
    const theory = erlangC(c, lambda / mu) / (c * mu - lambda);
    const { mean, se } = simulateMMc(c, lambda, mu, 400_000, 2);
    expect(se / theory).toBeLessThan(0.04);
    expect(Math.abs(mean - theory)).toBeLessThan(4 * se);
  });

  test("the M/M/c check can fail: a wrong server count is rejected", () => {
    const theoryFor7 = erlangC(7, 6.8) / (7 * 10 - 68);
    const { mean, se } = simulateMMc(8, 68, 10, 200_000, 3);
    expect(Math.abs(mean - theoryFor7)).toBeGreaterThan(4 * se);
  });
});
