import { describe, expect, it } from "vitest";
import { ProposalRing } from "../../src/etcd/proposal-ring.js";

describe("ProposalRing", () => {
  it("keeps live entries intact across growth while the window slides", () => {
    const ring = new ProposalRing(16);
    let released = 0;
    for (let i = 1; i <= 1000; i++) {
      expect(ring.push(i * 3, i % 5, i * 10, i * 100, i * 100 + 1)).toBe(i);
      // Release slower than pushing, so the ring must grow with a wrapped window.
      if (i % 3 === 0) ring.release(++released);
      const live = ring.live;
      expect(live).toBe(i - released);
    }
    for (let seq = released + 1; seq <= 1000; seq++) {
      const s = ring.slot(seq);
      expect(ring.requestId[s]).toBe(seq * 3);
      expect(ring.kind[s]).toBe(seq % 5);
      expect(ring.bytes[s]).toBe(seq * 10);
      expect(ring.proposeNs[s]).toBe(seq * 100);
    }
    expect(ring.last).toBe(1000);
  });
});
