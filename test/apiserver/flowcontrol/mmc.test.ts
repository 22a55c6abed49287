import { describe, expect, it } from "vitest";
import { Engine } from "../../../src/core/engine.js";
import { RandomStreams } from "../../../src/core/random.js";
import { Sampler } from "../../../src/core/distributions.js";
import { NS_PER } from "../../../src/core/time.js";
import { PriorityAndFairness, type PriorityLevelSpec } from "../../../src/apiserver/flowcontrol/index.js";

/** Erlang C: probability that an arrival waits in M/M/c with offered load a = lambda/mu < c. */
function erlangC(c: number, a: number): number {
  let term = 1; // a^k / k!
  let sum = 0;
  for (let k = 0; k < c; k++) {
    sum += term;
    term = (term * a) / (k + 1);
  }
  const top = term * (c / (c - a)); // a^c / c! * c / (c - a)
  return top / (sum + top);
}

/** Mean and standard error of the mean from batch means. */
function batchMeans(x: Float64Array, from: number, batches: number): { mean: number; se: number } {
  const size = Math.floor((x.length - from) / batches);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let s = 0;
    for (let i = from + b * size; i < from + (b + 1) * size; i++) s += x[i]!;
    means.push(s / size);
  }
  const mean = means.reduce((a, b) => a + b, 0) / batches;
  const variance = means.reduce((a, m) => a + (m - mean) ** 2, 0) / (batches - 1);
  return { mean, se: Math.sqrt(variance / batches) };
}

describe("APF as an M/M/c queue", () => {
  it("matches the Erlang C mean queueing delay", () => {
    // One level with c = 8 seats, 64 queues, hands of 6, queues long enough never to reject and
    // a wait limit that never fires. Poisson arrivals (lambda = 640/s) from 50 flows, exponential
    // service (mean 10 ms, mu = 100/s): rho = lambda / (c mu) = 0.8. Every request takes one seat,
    // so APF is work-conserving and never looks at service times; with exponential service the
    // number in system then has the M/M/c law whatever the order among waiters, and by Little
    // the mean wait is Erlang C's: Wq = C(c, a) / (c mu - lambda), a = lambda / mu = 6.4.
    const c = 8;
    const lambda = 640;
    const mu = 100;
    const N = 400_000;
    const engine = new Engine();
    const levels: PriorityLevelSpec[] = [
      {
        name: "mmc",
        exempt: false,
        nominalConcurrencyShares: 1,
        lendablePercent: 0,
        queuing: { queues: 64, handSize: 6, queueLengthLimit: 1_000_000 },
      },
    ];
    const apf = new PriorityAndFairness(engine, {
      serverConcurrencyLimit: c,
      levels,
      borrowing: false,
      queueWaitLimitNs: NS_PER.h,
    });
    expect(apf.concurrencyLimit(0)).toBe(c);
    const streams = new RandomStreams(20240601);
    const interarrival = new Sampler({ kind: "exponential", mean: NS_PER.s / lambda }, streams.stream("arrivals"));
    const service = new Sampler({ kind: "exponential", mean: NS_PER.s / mu }, streams.stream("service"));
    const flowRng = streams.stream("flows");
    const flowHash = Array.from({ length: 50 }, (_, f) => f * 1_000_003 + 17);
    const arrival = new Float64Array(N);
    const wait = new Float64Array(N);
    const finishK = engine.register("mmc.finish", (id) => apf.finish(id));
    const dispatchK = engine.register("mmc.dispatch", (id, arg) => {
      if (arg !== 0) throw new Error("unexpected timeout");
      wait[id] = engine.now - arrival[id]!;
      engine.schedule(service.sample(), finishK, id, 0);
    });
    const arriveK = engine.register("mmc.arrive", (id) => {
      arrival[id] = engine.now;
      const flow = flowHash[Math.floor(flowRng.next() * flowHash.length)]!;
      const r = apf.admit(id, 0, flow, 1, dispatchK);
      if (r === "rejected") throw new Error("unexpected rejection");
      if (r === "dispatched") engine.schedule(service.sample(), finishK, id, 0);
      if (id + 1 < N) engine.schedule(interarrival.sample(), arriveK, id + 1, 0);
    });
    engine.schedule(0, arriveK, 0, 0);
    engine.run();
    expect(apf.stats(0)).toMatchObject({ dispatched: N, rejected: 0, executingRequests: 0, waitingRequests: 0 });

    const C = erlangC(c, lambda / mu);
    const wqNs = (C / (c * mu - lambda)) * NS_PER.s;
    // C(8, 6.4) = 0.45764 (checked independently with Python), Wq = 0.45764 / 160 s = 2.860 ms.
    expect(C).toBeCloseTo(0.45764, 4);
    // Tolerance: waits are autocorrelated, so use batch means. The queue's relaxation time is
    // about 1 / (c mu (1 - sqrt(rho))^2) = 0.11 s, i.e. ~70 arrivals; batches of 19,500 arrivals
    // are therefore nearly independent and by the CLT their means are near-normal. With 20
    // batches the mean's standard error is sd(batch means)/sqrt(20); |t| > 3.88 has probability
    // 0.001 at 19 degrees of freedom, so 4 SE is a safe, non-trivial band. The first 10,000
    // arrivals (about 16 s) are dropped as warm-up from an empty system.
    const { mean, se } = batchMeans(wait, 10_000, 20);
    // The band must be tight enough to catch a wrong model: one seat fewer (c = 7) gives
    // Wq = 12.6 ms, one more (c = 9) 1.01 ms; the standard error here is 2-4 % of Wq.
    expect(se / wqNs).toBeLessThan(0.06);
    expect(Math.abs(mean - wqNs)).toBeLessThan(4 * se);
    // Same for the probability of waiting at all, which is C itself.
    const waited = wait.map((w) => (w > 0 ? 1 : 0));
    const pw = batchMeans(waited, 10_000, 20);
    expect(Math.abs(pw.mean - C)).toBeLessThan(4 * pw.se);
  });
});
