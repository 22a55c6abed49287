import { describe, expect, test } from "vitest";
import { EventQueue } from "../../src/core/event-queue.js";
import { LadderQueue, SLOT_LAYOUT, slotRecords } from "../../src/core/ladder-queue.js";
import { Engine } from "../../src/core/engine.js";
import { RandomStreams } from "../../src/core/random.js";
import seedrandom from "seedrandom";

/**
 * A reference queue: a sorted array by (time, seq). Slow, obviously right.
 */
class ReferenceQueue {
  private readonly items: { t: number; seq: number; id: number }[] = [];
  private seq = 0;
  push(t: number, id: number): number {
    const seq = this.seq++;
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.items[mid]!;
      if (m.t < t || (m.t === t && m.seq < seq)) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, { t, seq, id });
    return seq;
  }
  remove(id: number): void {
    const i = this.items.findIndex((x) => x.id === id);
    if (i >= 0) this.items.splice(i, 1);
  }
  pop(): { t: number; id: number } | undefined {
    return this.items.shift();
  }
}

/** Delays over many scales: zero (ties), ns, us, ms, s and hours, as a real run mixes them. */
function delay(u: () => number): number {
  const r = u();
  if (r < 0.15) return 0;
  if (r < 0.3) return Math.floor(u() * 10);
  if (r < 0.55) return Math.floor(u() * 1e6);
  if (r < 0.85) return Math.floor(u() * 1e9);
  if (r < 0.97) return Math.floor(u() * 6e10);
  return Math.floor(u() * 7.2e12);
}

describe("EventQueue over the ladder queue", () => {
  test.each([1, 2, 3])(
    "pops exactly the reference (time, seq) order under mixed scales, ties and cancellations (seed %i)",
    (seed) => {
      const rng = new RandomStreams(seed).stream("ladder");
      const u = (): number => rng.next();
      const q = new EventQueue(16);
      const ref = new ReferenceQueue();
      const handles = new Map<number, number>(); // id -> handle, for live events
      let nextId = 0;
      let now = 0;
      const push = (t: number): void => {
        const id = nextId++;
        handles.set(id, q.push(t, 0, id, 0));
        ref.push(t, id);
      };
      for (let i = 0; i < 3000; i++) push(Math.floor(u() * 1000));
      let mismatches = 0;
      for (let step = 0; step < 20_000; step++) {
        const slot = q.pop();
        const want = ref.pop();
        if (want === undefined) {
          expect(slot).toBe(-1);
          break;
        }
        if (q.timeOf(slot) !== want.t || q.targetOf(slot) !== want.id) mismatches++;
        handles.delete(want.id);
        now = want.t;
        const k = Math.floor(u() * 3.2);
        for (let j = 0; j < k; j++) push(now + delay(u));
        if (u() < 0.1 && handles.size > 0) {
          // Cancel a pseudo-random live event.
          const id = handles.keys().next().value!; // the oldest live event

          expect(q.cancel(handles.get(id)! as never)).toBe(true);
          handles.delete(id);
          ref.remove(id);
        }
        if (q.size !== handles.size) mismatches++;
      }
      expect(mismatches).toBe(0);
    },
  );

  test.each([1, 2, 3, 4])(
    "pops exactly the reference order when events come in dense clusters that split into deep rungs (seed %i)",
    (seed) => {
      const rng = new RandomStreams(seed).stream("clusters");
      const u = (): number => rng.next();
      const q = new EventQueue(16);
      const ref = new ReferenceQueue();
      let nextId = 0;
      const push = (t: number): void => {
        const id = nextId++;
        q.push(t, 0, id, 0);
        ref.push(t, id);
      };
      // Clusters of ~100 events within a few ns of each other, 5 us apart: buckets over the
      // threshold split again and again, down to width-1 buckets.
      for (let i = 0; i < 6000; i++) push(Math.floor(u() * 60) * 5000 + Math.floor(u() * (1 + 97 * u())));
      let mismatches = 0;
      for (let step = 0; step < 12_000; step++) {
        const slot = q.pop();
        const want = ref.pop();
        if (want === undefined) break;
        if (q.timeOf(slot) !== want.t || q.targetOf(slot) !== want.id) mismatches++;
        const r = u();
        if (r < 0.5) push(want.t + Math.floor(u() * 40));
        else if (r < 0.7) push(want.t + Math.floor(u() * 3e5));
      }
      expect(mismatches).toBe(0);
    },
  );

  test("the earliest time is right after every kind of operation (peek between pop and push)", () => {
    const q = new EventQueue(16);
    for (let i = 0; i < 500; i++) q.push(1000 + ((i * 7919) % 500), 0, i, 0);
    let last = -1;
    for (let i = 0; i < 500; i++) {
      const t = q.peekTime();
      const slot = q.pop();
      expect(q.timeOf(slot)).toBe(t);
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
      if (i % 3 === 0) q.push(t, 0, -1, 0); // same instant: must come after the ones already queued at t
      if (i % 3 === 0) {
        const again = q.pop();
        expect(q.timeOf(again)).toBeGreaterThanOrEqual(t);
      }
    }
  });

  test("popUntil leaves a later event in place and returns -2, then -1 when empty", () => {
    const q = new EventQueue(16);
    q.push(100, 0, 1, 0);
    q.push(50, 0, 2, 0);
    expect(q.targetOf(q.popUntil(60))).toBe(2);
    expect(q.popUntil(60)).toBe(-2);
    expect(q.size).toBe(1);
    expect(q.targetOf(q.popUntil(100))).toBe(1);
    expect(q.popUntil(Infinity)).toBe(-1);
  });

  test("far-future events (hours ahead) wait in Top while near events are served in order", () => {
    const q = new EventQueue(16);
    const hour = 3.6e12;
    q.push(2 * hour, 0, 99, 0);
    for (let i = 0; i < 1000; i++) q.push(i * 1000, 0, i, 0);
    for (let i = 0; i < 1000; i++) expect(q.targetOf(q.pop())).toBe(i);
    q.push(hour, 0, 98, 0);
    expect(q.targetOf(q.pop())).toBe(98);
    expect(q.targetOf(q.pop())).toBe(99);
    expect(q.pop()).toBe(-1);
  });
});

describe("Engine hold model", () => {
  test("1e4 pending events, 2e5 holds: the clock never goes back and the pending count stays constant", () => {
    const e = new Engine(16);
    const rng = new RandomStreams(1).stream("hold");
    let last = 0;
    let fired = 0;
    let backwards = 0;
    const k = e.register("hold", () => {
      if (e.now < last) backwards++;
      last = e.now;
      fired++;
      e.schedule(Math.round(-1e6 * Math.log(1 - rng.next())), k);
    });
    for (let i = 0; i < 10_000; i++) e.schedule(Math.round(-1e6 * Math.log(1 - rng.next())), k);
    for (let i = 0; i < 200_000; i++) e.step();
    expect(fired).toBe(200_000);
    expect(backwards).toBe(0);
    expect(e.pending).toBe(10_000);
  });
});

describe("LadderQueue with low split thresholds (deep rungs everywhere)", () => {
  // The oracle: pops must come out in non-decreasing (time, seq) order and none may be lost.
  // (An event served late shows as a step backwards when it finally pops.)
  test.each([
    [1, "1"],
    [1, "3"],
    [4, "1"],
    [48, "2"],
  ])(
    "threshold %i, seed %s: 300,000 pops in (time, seq) order, none lost, under mixed scales and ties",
    (threshold, seed) => {
      const cap = 1 << 18;
      const records = slotRecords(cap);
      const words = new Float64Array(records);
      const { words: w, time: tw, seq: sw } = SLOT_LAYOUT;
      const time = (s: number): number => words[s * w + tw]!;
      const seq = (s: number): number => words[s * w + sw]!;
      const q = new LadderQueue(records, threshold);
      const free = new Int32Array(cap);
      let freeTop = 0;
      for (let i = cap - 1; i >= 0; i--) free[freeTop++] = i;
      const rng = seedrandom.alea(seed);
      let n = 0;
      let pending = 0;
      const push = (t: number): void => {
        const s = free[--freeTop]!;
        words[s * w + tw] = t;
        words[s * w + sw] = n++;
        q.push(t, s);
        pending++;
      };
      for (let i = 0; i < 2000; i++) push(Math.floor(rng() * 1000));
      let backwards = 0;
      let popped = 0;
      let prevT = -1;
      let prevSeq = -1;
      for (let step = 0; step < 300_000; step++) {
        const s = q.popTop();
        if (s < 0) break;
        popped++;
        pending--;
        const t = time(s);
        if (t < prevT || (t === prevT && seq(s) < prevSeq)) backwards++;
        prevT = t;
        prevSeq = seq(s);
        free[freeTop++] = s;
        const r = rng();
        const k = r < 0.3 ? 0 : r < 0.6 ? 1 : r < 0.9 ? 2 : 3;
        for (let j = 0; j < k; j++) {
          const u = rng();
          push(
            t +
              (u < 0.2
                ? 0
                : u < 0.4
                  ? Math.floor(rng() * 10)
                  : u < 0.7
                    ? Math.floor(rng() * 1e6)
                    : u < 0.95
                      ? Math.floor(rng() * 1e9)
                      : Math.floor(rng() * 7.2e12)),
          );
        }
      }
      expect(backwards).toBe(0);
      expect(popped).toBe(300_000);
      // Drain: everything still pending comes out, in order.
      let drained = 0;
      for (let s = q.popTop(); s >= 0; s = q.popTop()) {
        const t = time(s);
        if (t < prevT || (t === prevT && seq(s) < prevSeq)) backwards++;
        prevT = t;
        prevSeq = seq(s);
        drained++;
      }
      expect(backwards).toBe(0);
      expect(drained).toBe(pending);
    },
  );
});
