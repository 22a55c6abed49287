import { describe, expect, test } from "vitest";
import { RingQueue } from "../../src/sync/ring-queue.js";

describe("RingQueue", () => {
  test("FIFO against an array model across wrap-around and growth, from any initial capacity", () => {
    for (const cap of [0, 1, 4, 5]) {
      const q = new RingQueue(cap);
      const model: number[] = [];
      let next = 0;
      // Push 3, shift 2, repeatedly: the head wraps around, and the ring grows while wrapped.
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 3; i++) {
          q.push(next);
          model.push(next++);
        }
        for (let i = 0; i < 2; i++) expect(q.shift()).toBe(model.shift());
        expect(q.size).toBe(model.length);
        for (let i = 0; i < model.length; i++) expect(q.at(i)).toBe(model[i]);
      }
      while (model.length > 0) expect(q.shift()).toBe(model.shift());
      expect(q.size).toBe(0);
    }
  });

  test("shift from an empty queue throws", () => {
    const q = new RingQueue();
    expect(() => q.shift()).toThrow(RangeError);
    q.push(1);
    q.shift();
    expect(() => q.shift()).toThrow(RangeError);
  });
});
