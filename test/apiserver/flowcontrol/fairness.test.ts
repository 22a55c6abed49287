import { describe, expect, it } from "vitest";
import { Engine } from "../../../src/core/engine.js";
import { RandomStreams } from "../../../src/core/random.js";
import { Sampler } from "../../../src/core/distributions.js";
import { NS_PER } from "../../../src/core/time.js";
import { Dealer, PriorityAndFairness, type PriorityLevelSpec } from "../../../src/apiserver/flowcontrol/index.js";

interface FlowResult {
  dispatched: [number, number];
  rejected: [number, number];
}

/**
 * Two flows on one level of 10 seats, 64 queues, hands of `handSize`; every request holds one
 * seat for exactly 10 ms, so the level serves 1000 requests/s. Flow 0 (heavy) and flow 1 (light)
 * send Poisson streams at `rates` per second. Counts dispatches and 429s per flow from 2 s to 20 s.
 */
function run(handSize: number, hashes: [number, number], rates: [number, number]): FlowResult {
  const engine = new Engine();
  const levels: PriorityLevelSpec[] = [
    {
      name: "fair",
      exempt: false,
      nominalConcurrencyShares: 1,
      lendablePercent: 0,
      queuing: { queues: 64, handSize, queueLengthLimit: 50 },
    },
  ];
  const apf = new PriorityAndFairness(engine, { serverConcurrencyLimit: 10, levels, borrowing: false });
  const streams = new RandomStreams(99);
  const gaps = [
    new Sampler({ kind: "exponential", mean: NS_PER.s / rates[0] }, streams.stream("heavy")),
    new Sampler({ kind: "exponential", mean: NS_PER.s / rates[1] }, streams.stream("light")),
  ];
  const serviceNs = 10 * NS_PER.ms;
  const endNs = 20 * NS_PER.s;
  const fromNs = 2 * NS_PER.s;
  const flowOf: number[] = [];
  const dispatched: [number, number] = [0, 0];
  const rejected: [number, number] = [0, 0];
  let nextId = 0;
  const count = (id: number): void => {
    if (engine.now >= fromNs) dispatched[flowOf[id]! as 0 | 1]++;
  };
  const finishK = engine.register("fair.finish", (id) => apf.finish(id));
  const dispatchK = engine.register("fair.dispatch", (id, arg) => {
    if (arg !== 0) throw new Error("no request should wait 15 s here");
    count(id);
    engine.schedule(serviceNs, finishK, id, 0);
  });
  const arriveK = engine.register("fair.arrive", (flow) => {
    const id = nextId++;
    flowOf[id] = flow;
    const r = apf.admit(id, 0, hashes[flow]!, 1, dispatchK);
    if (r === "dispatched") {
      count(id);
      engine.schedule(serviceNs, finishK, id, 0);
    } else if (r === "rejected" && engine.now >= fromNs) {
      rejected[flow as 0 | 1]++;
    }
    const gap = gaps[flow]!.sample();
    if (engine.now + gap < endNs) engine.schedule(gap, arriveK, flow, 0);
  });
  engine.schedule(0, arriveK, 0, 0);
  engine.schedule(0, arriveK, 1, 0);
  engine.run({ untilNs: endNs });
  return { dispatched, rejected };
}

describe("fair queuing between flows", () => {
  it("gives a light backlogged flow half the seats, not its 9 % share of arrivals", () => {
    // Hands of 1: each flow owns one queue (hash mod 64: queues 1 and 2). The heavy flow sends
    // 6000/s, the light one 600/s (a tenth); both exceed their fair share of 500/s, so both
    // queues stay backlogged and fair queuing alternates between them: the light flow gets ~50 %
    // of 18 s x 1000/s = 18,000 dispatches (FIFO would give it 600/6600 = 9 %).
    const r = run(1, [1, 2], [6000, 600]);
    const total = r.dispatched[0] + r.dispatched[1];
    expect(total).toBeGreaterThan(17_900);
    expect(Math.abs(r.dispatched[1] / total - 0.5)).toBeLessThan(0.02);
    // Each flow's excess is turned away with 429s: ~5500/s heavy, ~100/s light.
    expect(r.rejected[0] / 18).toBeGreaterThan(5000);
    expect(r.rejected[1] / 18).toBeGreaterThan(50);
    expect(r.rejected[1] / 18).toBeLessThan(150);
  });

  it("shares seats per queue, so with hands of 6 each flow gets one active queue's share each", () => {
    // Two hashes whose 6-queue hands are disjoint. Each flow joins the queue of its hand with
    // the least waiting work, so a backlogged flow spreads over its whole hand. Every active
    // queue gets CL / activeQueues seats: with k light queues the light flow gets 10k/(6+k)
    // seats; its demand is 600/s x 10 ms = 6 seats > 10*6/12 = 5, so it fills all 6 and both
    // flows get 50 %.
    const d = new Dealer(64, 6);
    const h0 = 123_456_789_012;
    const hand0 = new Set(d.dealIntoHand(h0, new Int32Array(6)));
    let h1 = h0;
    do h1 += 7_919_000_003;
    while (Array.from(d.dealIntoHand(h1, new Int32Array(6))).some((q) => hand0.has(q)));
    const r = run(6, [h0, h1], [6000, 600]);
    const total = r.dispatched[0] + r.dispatched[1];
    expect(Math.abs(r.dispatched[1] / total - 0.5)).toBeLessThan(0.02);
    // A light flow under its fair share (300/s = 3 seats < 10k/(6+k) for k >= 3) gets all it
    // asks for and no 429s, while the heavy flow takes the rest.
    const r2 = run(6, [h0, h1], [6000, 300]);
    const total2 = r2.dispatched[0] + r2.dispatched[1];
    expect(total2).toBeGreaterThan(17_900);
    expect(r2.rejected[1]).toBe(0);
    // 300/s over 18 s = 5400 +- sqrt(5400) = 73 (Poisson): within 4 sd.
    expect(Math.abs(r2.dispatched[1] - 5400)).toBeLessThan(4 * 73);
  });
});
