import { describe, expect, it } from "vitest";
import { Engine, type EventKind } from "../../../src/core/engine.js";
import { NS_PER } from "../../../src/core/time.js";
import { PriorityAndFairness, type PriorityLevelSpec } from "../../../src/apiserver/flowcontrol/index.js";

/** One queuing level with `cl` seats (shares 1 of serverCL = cl) and no borrowing. */
function oneLevel(cl: number, queues: number, handSize: number, queueLengthLimit: number, extra = {}) {
  const engine = new Engine();
  const levels: PriorityLevelSpec[] = [
    {
      name: "test",
      exempt: false,
      nominalConcurrencyShares: 1,
      lendablePercent: 0,
      queuing: { queues, handSize, queueLengthLimit },
    },
  ];
  const apf = new PriorityAndFairness(engine, { serverConcurrencyLimit: cl, levels, borrowing: false, ...extra });
  const log: [number, number, number][] = [];
  const kind = engine.register("test.dispatch", (id, arg) => log.push([id, arg, engine.now]));
  return { engine, apf, log, kind };
}

describe("PriorityAndFairness queuing", () => {
  it("rejects with 429 when seats are busy and the chosen queue is at its length limit", () => {
    const { engine, apf, log, kind } = oneLevel(2, 1, 1, 3);
    expect(apf.concurrencyLimit(0)).toBe(2);
    expect(apf.admit(0, 0, 0, 1, kind)).toBe("dispatched");
    expect(apf.admit(1, 0, 0, 1, kind)).toBe("dispatched");
    expect(apf.admit(2, 0, 0, 1, kind)).toBe("queued");
    expect(apf.admit(3, 0, 0, 1, kind)).toBe("queued");
    expect(apf.admit(4, 0, 0, 1, kind)).toBe("queued");
    expect(apf.admit(5, 0, 0, 1, kind)).toBe("rejected");
    expect(apf.stats(0)).toMatchObject({ executingSeats: 2, waitingRequests: 3, rejected: 1, dispatched: 2 });
    // A finish hands the seat to the oldest waiter, through an event at the same instant.
    apf.finish(0);
    engine.run({ untilNs: 0 });
    expect(log).toEqual([[2, 0, 0]]);
    expect(apf.admit(6, 0, 0, 1, kind)).toBe("queued");
    expect(apf.waitingRequests(0)).toBe(3);
  });

  it("enqueues beyond the length limit while seats are free (upstream's two-part test)", () => {
    const { engine, apf, log, kind } = oneLevel(2, 1, 1, 1);
    expect(apf.admit(0, 0, 0, 1, kind)).toBe("dispatched");
    // 3 seats > CL 2: waits until nothing else executes (canAccommodateSeatsLocked).
    expect(apf.admit(1, 0, 0, 3, kind)).toBe("queued");
    // Queue is at its limit (1) but only 1 of 2 seats is in use: enqueued, not rejected; it waits
    // behind the wide request at the head of the queue.
    expect(apf.admit(2, 0, 0, 1, kind)).toBe("queued");
    expect(apf.waitingRequests(0)).toBe(2);
    apf.finish(0);
    engine.run({ untilNs: 0 });
    expect(log).toEqual([[1, 0, 0]]);
    expect(apf.executingSeats(0)).toBe(3);
    apf.finish(1);
    engine.run({ untilNs: 0 });
    expect(log).toEqual([
      [1, 0, 0],
      [2, 0, 0],
    ]);
  });

  it("dispatches by virtual finish time, not arrival order", () => {
    // CL 1, G = 3 ms, service exactly 3 ms. Flow A (queue 0) sends A1..A3 at t=0, flow B
    // (queue 1) sends B1 at t=0. A1 runs; A's next dispatch R = 0 + 3 ms. B's queue starts at
    // R = 0. When A1 ends, A2 would finish at R 6 ms, B1 at R 3 ms: B1 goes before A2 and A3.
    const { engine, apf, log, kind } = oneLevel(1, 2, 1, 50);
    const order: number[] = [];
    const finishKind = engine.register("test.finish", (id) => apf.finish(id)) as EventKind;
    const started = engine.register("test.started", (id, arg) => {
      expect(arg).toBe(0);
      order.push(id);
      engine.schedule(3 * NS_PER.ms, finishKind, id, 0);
    });
    for (const [id, hash] of [
      [1, 0],
      [2, 0],
      [3, 0],
      [11, 1],
    ] as const) {
      if (apf.admit(id, 0, hash, 1, started) === "dispatched") {
        order.push(id);
        engine.schedule(3 * NS_PER.ms, finishKind, id, 0);
      }
    }
    engine.run();
    expect(order).toEqual([1, 11, 2, 3]);
    expect(log).toEqual([]);
    void kind;
  });

  it("times a queued request out after a quarter of the request timeout (15 s) with a 429", () => {
    const { engine, apf, log, kind } = oneLevel(1, 4, 2, 50);
    expect(apf.queueWaitLimitNs).toBe(15 * NS_PER.s);
    apf.admit(0, 0, 0, 1, kind); // holds the only seat forever
    const admitAt = engine.register("test.admit", (id) => apf.admit(id, 0, id, 1, kind));
    engine.schedule(1 * NS_PER.s, admitAt, 1, 0);
    engine.schedule(5 * NS_PER.s, admitAt, 2, 0);
    engine.run();
    expect(log).toEqual([
      [1, -1, 16 * NS_PER.s],
      [2, -1, 20 * NS_PER.s],
    ]);
    expect(apf.stats(0)).toMatchObject({ rejected: 2, timedOut: 2, waitingRequests: 0, executingRequests: 1 });
    // A shorter request timeout shortens the wait: 8 s / 4 = 2 s.
    expect(oneLevel(1, 4, 2, 50, { requestTimeoutNs: 8 * NS_PER.s }).apf.queueWaitLimitNs).toBe(2 * NS_PER.s);
  });

  it("serves a queue normally after one of its requests timed out", () => {
    const { engine, apf, log, kind } = oneLevel(1, 1, 1, 50);
    const at = (t: number, f: () => void): void => {
      engine.schedule(t - engine.now, engine.register(`test.at${t}`, f), 0, 0);
    };
    apf.admit(0, 0, 0, 1, kind);
    at(1 * NS_PER.s, () => expect(apf.admit(1, 0, 0, 1, kind)).toBe("queued"));
    at(20 * NS_PER.s, () => apf.finish(0));
    at(21 * NS_PER.s, () => {
      expect(apf.admit(2, 0, 0, 1, kind)).toBe("dispatched");
      expect(apf.admit(3, 0, 0, 1, kind)).toBe("queued");
    });
    at(22 * NS_PER.s, () => apf.finish(2));
    at(23 * NS_PER.s, () => apf.finish(3));
    engine.run();
    expect(log).toEqual([
      [1, -1, 16 * NS_PER.s],
      [3, 0, 22 * NS_PER.s],
    ]);
    expect(apf.stats(0)).toMatchObject({
      dispatched: 3,
      rejected: 1,
      timedOut: 1,
      executingRequests: 0,
      waitingRequests: 0,
    });
    // Nothing is left pending: the timeout timer was dropped once the queue emptied.
    expect(engine.pending).toBe(0);
  });

  it("catch-all rejects when its seats are busy, and exempt never waits", () => {
    const engine = new Engine();
    const apf = new PriorityAndFairness(engine, { borrowing: false });
    const kind = engine.register("test.dispatch", () => undefined);
    const catchAll = apf.levelIndex("catch-all");
    expect(apf.concurrencyLimit(catchAll)).toBe(13);
    for (let i = 0; i < 13; i++) expect(apf.admit(i, catchAll, 0, 1, kind)).toBe("dispatched");
    expect(apf.admit(13, catchAll, 0, 1, kind)).toBe("rejected");
    apf.finish(5);
    expect(apf.admit(14, catchAll, 0, 1, kind)).toBe("dispatched");
    expect(apf.admit(15, catchAll, 0, 2, kind)).toBe("rejected");
    expect(apf.stats(catchAll).rejected).toBe(2);
    const exempt = apf.levelIndex("exempt");
    for (let i = 100; i < 2000; i++) expect(apf.admit(i, exempt, 0, 1, kind)).toBe("dispatched");
    expect(apf.executingSeats(exempt)).toBe(1900);
  });

  it("fails loud on a finish of a request that is not executing", () => {
    const { apf, kind } = oneLevel(1, 1, 1, 5);
    apf.admit(0, 0, 0, 1, kind);
    apf.admit(1, 0, 0, 1, kind);
    expect(() => apf.finish(1)).toThrow(/not executing/);
    apf.finish(0);
    expect(() => apf.finish(0)).toThrow(/not executing/);
    expect(() => apf.admit(1, 0, 0, 1, kind)).toThrow(/already in flight/);
  });

  it("keeps per-request state for far more ids than the initial table", () => {
    const { engine, apf, kind } = oneLevel(4, 8, 2, 100_000, { queueWaitLimitNs: NS_PER.h });
    const finishKind = engine.register("test.finish", (id) => apf.finish(id));
    const started = engine.register("test.started", (id, arg) => {
      expect(arg).toBe(0);
      engine.schedule(NS_PER.ms, finishKind, id, 0);
    });
    for (let i = 0; i < 5000; i++) {
      if (apf.admit(i, 0, i % 97, 1, started) === "dispatched") engine.schedule(NS_PER.ms, finishKind, i, 0);
    }
    expect(apf.waitingRequests(0)).toBe(4996);
    engine.run();
    // 5000 requests, 4 at a time, 1 ms each.
    expect(engine.now).toBe(1250 * NS_PER.ms);
    expect(apf.stats(0)).toMatchObject({ dispatched: 5000, rejected: 0, waitingRequests: 0, executingRequests: 0 });
    void kind;
  });
});

describe("PriorityAndFairness borrowing", () => {
  it("moves seats to a level with sustained demand at the 10 s adjustment", () => {
    const engine = new Engine();
    const apf = new PriorityAndFairness(engine);
    const kind = engine.register("test.dispatch", () => undefined);
    const wl = apf.levelIndex("workload-low");
    expect(apf.concurrencyLimit(wl)).toBe(56);
    // 300 one-seat requests at t=0 from 300 flows; none finishes before the adjustment at 10 s.
    for (let i = 0; i < 300; i++) apf.admit(i, wl, i * 7919, 1, kind);
    expect(apf.executingSeats(wl)).toBe(56);
    expect(apf.waitingRequests(wl)).toBe(244);
    engine.run({ untilNs: 10 * NS_PER.s });
    // At 10 s workload-low's demand was 300 seats throughout: avg 300, stdDev 0, high watermark
    // 300, smoothed max(300, 0.977*0 + 0.023*300) = 300. Its lower bound is
    // max(minCL 24, min(nominal 245, 300)) = 245, target 300; the other levels have lower bound =
    // target = minCL (50, 73, 25, 49, 24, 13; exempt target 0.001). fairProp = 602 / (50+73+25+49+
    // 300+24+13+0.001) = 602 / 534.001; no bound binds (lower/target <= 1 <= fairProp, uppers far).
    const fairProp = 602 / 534.001;
    const targets = [0.001, 50, 73, 25, 49, 300, 24, 13];
    const expected = targets.map((t) => Math.round(t * fairProp));
    expect(expected).toEqual([0, 56, 82, 28, 55, 338, 27, 15]);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((l) => apf.concurrencyLimit(l))).toEqual(expected);
    // The raised limit lets every waiter run at once.
    expect(apf.executingSeats(wl)).toBe(300);
    expect(apf.waitingRequests(wl)).toBe(0);
  });

  it("stops adjusting while idle, so the engine drains, and catches up on the next request", () => {
    const engine = new Engine();
    const apf = new PriorityAndFairness(engine);
    const kind = engine.register("test.dispatch", () => undefined);
    const finishKind = engine.register("test.finish", (id) => apf.finish(id));
    const wl = apf.levelIndex("workload-low");
    for (let i = 0; i < 300; i++) apf.admit(i, wl, i, 1, kind);
    const done = engine.register("test.finishAll", () => {
      for (let i = 0; i < 300; i++) engine.schedule(0, finishKind, i, 0);
    });
    engine.schedule(15 * NS_PER.s, done, 0, 0);
    const r = engine.run();
    expect(r.reason).toBe("empty");
    // Ticks at 10 s (busy: CL 338) and 20 s (idle since 15 s: demand avg 150 over the period,
    // so workload-low still gets more than its zero-demand share), then none.
    expect(r.endNs).toBe(20 * NS_PER.s);
    expect(apf.concurrencyLimit(wl)).toBeGreaterThan(56);
    // Much later (an hour of idle adjustments, smoothed demand decayed by 0.977^360 ~ 2e-4),
    // the limits are back to the zero-demand allocation.
    const late = engine.register("test.late", () => apf.admit(1000, wl, 1, 1, kind));
    engine.schedule(3600 * NS_PER.s, late, 0, 0);
    engine.run({ untilNs: 3620 * NS_PER.s + 1 });
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((l) => apf.concurrencyLimit(l))).toEqual([0, 117, 170, 58, 114, 56, 56, 30]);
  });
});
