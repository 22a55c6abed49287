import { describe, expect, it } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { IMAGE_BACKOFF_PERIOD_NS, ImageBackOff, MAX_IMAGE_BACKOFF_NS } from "../../src/node/image-backoff.js";

const S = NS_PER.s;

describe("ImageBackOff (client-go flowcontrol.Backoff, kubelet image constants)", () => {
  it("uses the kubelet's 10 s / 300 s", () => {
    expect(IMAGE_BACKOFF_PERIOD_NS).toBe(10 * S);
    expect(MAX_IMAGE_BACKOFF_NS).toBe(300 * S);
  });

  it("doubles from 10 s and caps at 300 s for failures at the end of each window", () => {
    const b = new ImageBackOff();
    let t = 0;
    const seq: number[] = [];
    for (let i = 0; i < 8; i++) {
      const p = b.next(1, t);
      seq.push(p / S);
      expect(b.isInBackOff(1, t + p - 1)).toBe(true);
      expect(b.isInBackOff(1, t + p)).toBe(false);
      t += p;
    }
    expect(seq).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it("restarts at 10 s after more than 2 x max (600 s) without a failure, not at exactly 600 s", () => {
    const b = new ImageBackOff();
    b.next(1, 0);
    b.next(1, 10 * S); // 20 s
    expect(b.next(1, 10 * S + 600 * S)).toBe(40 * S); // exactly 2 x max: not expired
    expect(b.next(1, 10 * S + 600 * S + 600 * S + 1)).toBe(10 * S);
  });

  it("keys are independent", () => {
    const b = new ImageBackOff();
    b.next(1, 0);
    b.next(1, 0);
    expect(b.periodOf(1)).toBe(20 * S);
    expect(b.periodOf(2)).toBe(0);
    expect(b.isInBackOff(2, 0)).toBe(false);
  });
});
