import { describe, expect, test } from "vitest";
import { Engine } from "../../src/core/engine.js";
import { EventQueue } from "../../src/core/event-queue.js";
import { RandomStreams } from "../../src/core/random.js";

describe("EventQueue", () => {
  test("pops in (time, seq) order: earlier time first, insertion order among equal times", () => {
    const q = new EventQueue(16);
    const rng = new RandomStreams(7).stream("q");
    const times: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rng.next() * 50); // many exact ties
      times.push(t);
      q.push(t, 0, i, 0);
    }
    const expected = times.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [t, i] of expected) {
      const slot = q.pop();
      expect(q.timeOf(slot)).toBe(t);
      expect(q.targetOf(slot)).toBe(i);
    }
    expect(q.pop()).toBe(-1);
  });

  test("a cancelled event never fires and its handle cannot cancel a recycled slot", () => {
    const q = new EventQueue(16);
    const a = q.push(10, 0, 1, 0);
    q.push(20, 0, 2, 0);
    expect(q.cancel(a)).toBe(true);
    expect(q.cancel(a)).toBe(false);
    expect(q.size).toBe(1);
    const slot = q.pop();
    expect(q.targetOf(slot)).toBe(2);
    // The freed slot is reused by the next push; the stale handle must not touch it.
    const c = q.push(30, 0, 3, 0);
    expect(q.cancel(a)).toBe(false);
    expect(q.size).toBe(1);
    expect(q.cancel(c)).toBe(true);
    expect(q.pop()).toBe(-1);
  });

  test("grows past its initial capacity without losing or reordering events", () => {
    const q = new EventQueue(16);
    for (let i = 0; i < 10_000; i++) q.push(10_000 - i, 0, i, i * 0.5);
    for (let i = 9_999; i >= 0; i--) {
      const slot = q.pop();
      expect(q.targetOf(slot)).toBe(i);
      expect(q.argOf(slot)).toBe(i * 0.5);
    }
  });
});

describe("Engine", () => {
  test("dispatches handlers with their target and argument and advances the clock", () => {
    const e = new Engine();
    const seen: [number, number, number][] = [];
    const k = e.register("test", (t, a) => seen.push([e.now, t, a]));
    e.schedule(5, k, 1, 10);
    e.schedule(3, k, 2, 20);
    e.scheduleAt(3, k, 3, 30);
    expect(e.peek()).toBe(3);
    const r = e.run();
    expect(r).toEqual({ reason: "empty", endNs: 5, events: 3 });
    expect(seen).toEqual([
      [3, 2, 20],
      [3, 3, 30],
      [5, 1, 10],
    ]);
  });

  test("run({ untilNs }) stops before later events and leaves the clock at untilNs", () => {
    const e = new Engine();
    let fired = 0;
    const k = e.register("test", () => fired++);
    e.schedule(10, k);
    e.schedule(100, k);
    expect(e.run({ untilNs: 50 })).toEqual({ reason: "until", endNs: 50, events: 1 });
    expect(e.now).toBe(50);
    expect(e.step()).toBe(true);
    expect(e.now).toBe(100);
    expect(e.step()).toBe(false);
    expect(fired).toBe(2);
  });

  test("stop() ends a run after the current event; cancel() removes a pending one", () => {
    const e = new Engine();
    const order: number[] = [];
    const k = e.register("test", (t) => {
      order.push(t);
      if (t === 2) e.stop();
    });
    const h = e.schedule(1, k, 1);
    e.schedule(2, k, 2);
    e.schedule(3, k, 3);
    e.cancel(h);
    expect(e.run().reason).toBe("stopped");
    expect(order).toEqual([2]);
    expect(e.pending).toBe(1);
  });

  test("refuses a negative or fractional delay and a time in the past, naming the event", () => {
    const e = new Engine();
    const k = e.register("kubelet.tick", () => {});
    expect(() => e.schedule(-1, k)).toThrow(/kubelet.tick/);
    expect(() => e.schedule(1.5, k)).toThrow(/bad delay/);
    e.schedule(10, k);
    e.run();
    expect(() => e.scheduleAt(5, k)).toThrow(/before now/);
  });
});
