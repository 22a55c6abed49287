/** model: k8s.io/apiserver/pkg/util/shufflesharding/shufflesharding.go MaxHashBits = 60. */
export const MAX_HASH_BITS = 60;
/** model: shufflesharding.go `Deal` keeps its remainders in a [15]int: 15 is the largest hand. */
export const MAX_HAND_SIZE = 15;

/**
 * Conservative count of hash bits a deal consumes. model: shufflesharding.go
 * `RequiredEntropyBits` = ceil(log2(deckSize) * handSize).
 */
export function requiredEntropyBits(deckSize: number, handSize: number): number {
  return Math.ceil(Math.log2(deckSize) * handSize);
}

/**
 * Shuffle sharding: deals a hand of `handSize` distinct cards (queue indices) out of a deck of
 * `deckSize`, using a flow's hash as the only source of entropy, so one flow always lands on the
 * same few queues.
 *
 * model: shufflesharding.go `NewDealer` checks and `Deal`: the hash is read as mixed-radix digits
 * `h mod deckSize`, `(h / deckSize) mod (deckSize - 1)`, ...; card i is digit i raised by one for
 * each earlier digit (j from i down to 1) that it is not below, which makes the cards distinct.
 * The hash is a non-negative integer below 2^53 here (upstream: a uint64); the deal depends only
 * on `hash mod (deckSize * (deckSize-1) * ... * (deckSize-handSize+1))`, so a 64-bit hash
 * reduced by that period (see flow-hash.ts) deals exactly upstream's hand.
 */
export class Dealer {
  readonly deckSize: number;
  readonly handSize: number;
  private readonly remainders = new Float64Array(MAX_HAND_SIZE);

  constructor(deckSize: number, handSize: number) {
    if (!(deckSize > 0) || !(handSize > 0) || !Number.isInteger(deckSize) || !Number.isInteger(handSize)) {
      throw new RangeError(`deckSize ${deckSize} or handSize ${handSize} is not positive`);
    }
    if (handSize > deckSize) throw new RangeError(`handSize ${handSize} is greater than deckSize ${deckSize}`);
    if (deckSize > 1 << 26) throw new RangeError(`deckSize ${deckSize} is impractically large`);
    if (requiredEntropyBits(deckSize, handSize) > MAX_HASH_BITS) {
      throw new RangeError(
        `required entropy bits of deckSize ${deckSize} and handSize ${handSize} is greater than ${MAX_HASH_BITS}`,
      );
    }
    if (handSize > MAX_HAND_SIZE) throw new RangeError(`handSize ${handSize} is greater than ${MAX_HAND_SIZE}`);
    this.deckSize = deckSize;
    this.handSize = handSize;
  }

  /**
   * Writes the hand for `hash` into `hand[0..handSize)` in dealing order and returns `hand`.
   * Contract: `hash` is an integer in [0, 2^53); `hand.length >= handSize`.
   * perf: no allocation; exact integer division in doubles with a remainder correction.
   */
  dealIntoHand(hash: number, hand: Int32Array): Int32Array {
    const rem = this.remainders;
    const deck = this.deckSize;
    const n = this.handSize;
    let h = hash;
    for (let i = 0; i < n; i++) {
      const d = deck - i;
      let q = Math.floor(h / d);
      let r = h - q * d;
      if (r < 0) {
        q--;
        r += d;
      } else if (r >= d) {
        q++;
        r -= d;
      }
      rem[i] = r;
      h = q;
    }
    for (let i = 0; i < n; i++) {
      let card = rem[i]!;
      for (let j = i; j > 0; j--) {
        if (card >= rem[j - 1]!) card++;
      }
      hand[i] = card;
    }
    return hand;
  }

  /**
   * The period of the deal: the product deckSize * (deckSize-1) * ... over the hand, as a BigInt.
   * Two hashes congruent modulo it deal the same hand.
   */
  period(): bigint {
    let p = 1n;
    for (let i = 0; i < this.handSize; i++) p *= BigInt(this.deckSize - i);
    return p;
  }
}
