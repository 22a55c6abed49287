import { describe, expect, it } from "vitest";
import { Dealer, foldHashForDeal, hashFlowId, requiredEntropyBits } from "../../../src/apiserver/flowcontrol/index.js";
import { RandomStreams } from "../../../src/core/random.js";

function deal(deck: number, hand: number, hash: number): number[] {
  return Array.from(new Dealer(deck, hand).dealIntoHand(hash, new Int32Array(hand)));
}

/** Upstream's Deal on a full uint64, in BigInt: the oracle for the folded-hash check. */
function dealBig(deck: number, hand: number, hash: bigint): number[] {
  const rem: number[] = [];
  let h = hash;
  for (let i = 0; i < hand; i++) {
    const d = BigInt(deck - i);
    rem.push(Number(h % d));
    h /= d;
  }
  const out: number[] = [];
  for (let i = 0; i < hand; i++) {
    let card = rem[i]!;
    for (let j = i; j > 0; j--) if (card >= rem[j - 1]!) card++;
    out.push(card);
  }
  return out;
}

describe("shuffle-sharding dealer", () => {
  it("deals the hands derived by hand from upstream's algorithm", () => {
    // deck 8, hand 3, hash 100: digits 100 % 8 = 4 (100/8 = 12), 12 % 7 = 5 (12/7 = 1), 1 % 6 = 1.
    // card0 = 4; card1 = 5, >= 4 -> 6; card2 = 1, not >= 5, not >= 4 -> 1.
    expect(deal(8, 3, 100)).toEqual([4, 6, 1]);
    // hash 0: all digits 0; card1 = 0 >= 0 -> 1; card2 = 0 >= 0 (digit 1) -> 1, >= 0 (digit 0) -> 2.
    expect(deal(8, 3, 0)).toEqual([0, 1, 2]);
    // deck 5, hand 5, hash 37: digits 37%5=2 (7), 7%4=3 (1), 1%3=1 (0), 0, 0.
    // card0 2; card1 3 -> (>=2) 4; card2 1 (not >=3, not >=2) 1; card3 0 -> 0;
    // card4 0: >=0 (digit3) -> 1, >=1 (digit2) -> 2, not >=3 (digit1), >=2 (digit0) -> 3.
    expect(deal(5, 5, 37)).toEqual([2, 4, 1, 0, 3]);
  });

  it("yields handSize distinct in-range cards, deterministically", () => {
    const rng = new RandomStreams(7).stream("deal");
    for (const [deck, hand] of [
      [64, 6],
      [128, 6],
      [16, 4],
      [10, 10],
    ] as const) {
      const d = new Dealer(deck, hand);
      const out = new Int32Array(hand);
      for (let i = 0; i < 2000; i++) {
        const hash = Math.floor(rng.next() * 2 ** 53);
        const a = Array.from(d.dealIntoHand(hash, out));
        expect(new Set(a).size).toBe(hand);
        for (const c of a) expect(c >= 0 && c < deck).toBe(true);
        expect(Array.from(d.dealIntoHand(hash, out))).toEqual(a);
      }
    }
  });

  it("deals each hand equally often over one full period (upstream TestUniformDistribution)", () => {
    // Over hashes 0 .. 64*63*62-1 every 3-card set appears exactly 3! = 6 times.
    const d = new Dealer(64, 3);
    const out = new Int32Array(3);
    const period = 64 * 63 * 62;
    const counts = new Map<number, number>();
    for (let h = 0; h < period; h++) {
      d.dealIntoHand(h, out);
      const s = Array.from(out).sort((a, b) => a - b);
      const key = (s[0]! << 14) | (s[1]! << 7) | s[2]!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe((64 * 63 * 62) / 6);
    for (const c of counts.values()) expect(c).toBe(6);
  });

  it("folds a 64-bit hash into one that deals exactly upstream's hand", () => {
    const rng = new RandomStreams(11).stream("hash64");
    for (const [deck, hand] of [
      [128, 6],
      [64, 6],
      [16, 4],
    ] as const) {
      const d = new Dealer(deck, hand);
      for (let i = 0; i < 500; i++) {
        const hi = BigInt(Math.floor(rng.next() * 2 ** 32));
        const lo = BigInt(Math.floor(rng.next() * 2 ** 32));
        const h64 = (hi << 32n) | lo;
        expect(deal(deck, hand, foldHashForDeal(h64, d.period()))).toEqual(dealBig(deck, hand, h64));
      }
    }
    // Division stays exact at the top of the double range.
    expect(deal(128, 6, 2 ** 53 - 1)).toEqual(dealBig(128, 6, 2n ** 53n - 1n));
  });

  it("rejects the configurations upstream rejects", () => {
    expect(() => new Dealer(100, 0)).toThrow(/not positive/);
    expect(() => new Dealer(100, 101)).toThrow(/greater than deckSize/);
    expect(() => new Dealer(2 ** 27, 2)).toThrow(/impractically large/);
    // ceil(log2(512) * 8) = 72 > MaxHashBits 60; 1024/6 needs exactly 60.
    expect(requiredEntropyBits(512, 8)).toBe(72);
    expect(requiredEntropyBits(1024, 6)).toBe(60);
    expect(() => new Dealer(512, 8)).toThrow(/entropy/);
    expect(() => new Dealer(1024, 6)).not.toThrow();
  });
});

describe("flow hash", () => {
  it("is upstream's hashFlowID: SHA-256(fs, 0x00, distinguisher), first 8 bytes little-endian", () => {
    // Reference values computed independently with Python:
    // struct.unpack('<Q', hashlib.sha256(b'system-nodes\x00system:node:n1').digest()[:8])
    expect(hashFlowId("system-nodes", "system:node:n1")).toBe(8967139723188866340n);
    expect(hashFlowId("kube-controller-manager", "default")).toBe(9092596950143628768n);
  });
});
