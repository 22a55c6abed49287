import seedrandom from "seedrandom";

/** A uniform random source on [0, 1). */
export interface Rng {
  /** Next uniform in [0, 1). */
  next(): number;
}

/**
 * Named random streams derived from one scenario seed.
 *
 * Each component instance draws from its own stream (`"etcd"`, `"scheduler"`, `"kubelet/17"`),
 * seeded from (seed, name). A change in how one component draws therefore leaves every other
 * stream untouched: common random numbers when comparing policies.
 * model: Alea (from `seedrandom`) is used for its speed; its output is identical on any
 * IEEE-754 machine, so runs are byte-reproducible.
 */
export class RandomStreams {
  private readonly streams = new Map<string, Rng>();

  readonly seed: number | string;

  constructor(seed: number | string) {
    this.seed = seed;
  }

  /** The stream for `name`; the same name always returns the same stream object. */
  stream(name: string): Rng {
    let s = this.streams.get(name);
    if (s === undefined) {
      const prng = seedrandom.alea(`${this.seed}\u0000${name}`);
      s = { next: prng };
      this.streams.set(name, s);
    }
    return s;
  }
}
