import { describe, expect, test } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { QueueLoc, Requeue, SchedulingQueue } from "../../src/scheduler/scheduling-queue.js";

const S = NS_PER.s;
function queue(priorities: number[] = []): SchedulingQueue {
  return new SchedulingQueue(
    { priority: (p) => priorities[p] ?? 0, less: (pa, ta, pb, tb) => pa > pb || (pa === pb && ta < tb) },
    1 * S,
    10 * S,
  );
}

describe("SchedulingQueue", () => {
  test("activeQ pops by priority, then by queue time", () => {
    const q = queue([0, 10, 0, 10]);
    q.add(0, 1);
    q.add(1, 5);
    q.add(2, 0);
    q.add(3, 2);
    expect([q.pop(), q.pop(), q.pop(), q.pop(), q.pop()]).toEqual([3, 1, 2, 0, -1]);
  });
  test("backoff doubles from 1 s per attempt up to 10 s, truncated to the 1 s window", () => {
    const q = queue();
    q.add(0, 0);
    const ts = 2.3 * S;
    const expiries: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      expect(q.pop()).toBe(0);
      q.addUnschedulable(0, 1, Requeue.afterBackoff, ts);
      expiries.push(q.backoffExpiry(0) / S);
      q.flushBackoffCompleted(1e6 * S);
    }
    // 2.3 + 1, 2, 4, 8, 10, 10 -> truncated to whole seconds
    expect(expiries).toEqual([3, 4, 6, 10, 12, 12]);
  });
  test("a pod backing off stays in backoffQ until its window has passed", () => {
    const q = queue();
    q.add(0, 0);
    q.pop();
    expect(q.addUnschedulable(0, 1, Requeue.afterBackoff, 0.5 * S)).toBe(QueueLoc.backoff);
    expect(q.isBackingOff(0, 1.9 * S)).toBe(true);
    expect(q.flushBackoffCompleted(1.9 * S)).toBe(0);
    expect(q.flushBackoffCompleted(2 * S)).toBe(1);
    expect(q.where(0)).toBe(QueueLoc.active);
  });
  test("with activeQ empty, Pop takes the head of backoffQ (SchedulerPopFromBackoffQ)", () => {
    const q = queue();
    q.add(0, 0);
    q.pop();
    q.addUnschedulable(0, 1, Requeue.afterBackoff, 0);
    expect(q.pop()).toBe(0);
  });
  test("errors go to the error backoff queue; rejections with no event to the unschedulable pool", () => {
    const q = queue();
    q.add(0, 0);
    q.add(1, 0);
    q.pop();
    q.pop();
    expect(q.addUnschedulable(0, 0, Requeue.skip, 0)).toBe(QueueLoc.errorBackoff);
    expect(q.addUnschedulable(1, 4, Requeue.skip, 0)).toBe(QueueLoc.unschedulable);
    expect(q.unschedulableSize).toBe(1);
  });
  test("the leftover flush moves pods unschedulable for more than 5 minutes", () => {
    const q = queue();
    for (const p of [0, 1]) {
      q.add(p, 0);
      q.pop();
    }
    q.addUnschedulable(0, 1, Requeue.skip, 0);
    q.addUnschedulable(1, 1, Requeue.skip, 100 * S);
    expect(q.flushUnschedulableLeftover(300 * S)).toBe(0);
    expect(q.flushUnschedulableLeftover(330 * S)).toBe(1);
    expect(q.where(0)).toBe(QueueLoc.active);
    expect(q.where(1)).toBe(QueueLoc.unschedulable);
  });
  test("a cluster event moves only the pods whose rejecting plugins care", () => {
    const q = queue();
    for (const p of [0, 1, 2]) {
      q.add(p, 0);
      q.pop();
    }
    q.addUnschedulable(0, 0b01, Requeue.skip, 0);
    q.addUnschedulable(1, 0b10, Requeue.skip, 0);
    q.addUnschedulable(2, 0b11, Requeue.skip, 0);
    expect(q.rejectorUnion()).toBe(0b11);
    // At 0.5 s the pods are still backing off: they go to backoffQ, not activeQ.
    expect(q.moveOnEvent(0.5 * S, (_p, r) => (r & 0b10) !== 0)).toBe(2);
    expect([q.where(0), q.where(1), q.where(2)]).toEqual([QueueLoc.unschedulable, QueueLoc.backoff, QueueLoc.backoff]);
    expect(q.rejectorUnion()).toBe(0b01);
  });
  test("delete removes a pod from any queue", () => {
    const q = queue();
    q.add(0, 0);
    q.add(1, 0);
    q.delete(0);
    expect(q.pop()).toBe(1);
    expect(q.delete(1)).toBe(true); // in flight
    expect(q.pop()).toBe(-1);
  });
});
