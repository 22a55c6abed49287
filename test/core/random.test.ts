import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { RandomStreams } from "../../src/core/random.js";

describe("RandomStreams", () => {
  test.each([
    [42, "etcd"],
    [1, "kubelet/17"],
    [7, "scheduler"],
    ["text-seed", "registry"],
  ])("seed %s, stream %s: the same 100,000 doubles as seedrandom's alea", (seed, name) => {
    const ours = new RandomStreams(seed).stream(name);
    const ref = seedrandom.alea(`${seed}\u0000${name}`);
    let differ = 0;
    for (let i = 0; i < 100_000; i++) if (ours.next() !== ref()) differ++;
    expect(differ).toBe(0);
  });

  test("a name always returns the same stream; different names give different sequences", () => {
    const r = new RandomStreams(3);
    expect(r.stream("a")).toBe(r.stream("a"));
    const a = new RandomStreams(3).stream("a");
    const b = new RandomStreams(3).stream("b");
    expect([a.next(), a.next()]).not.toEqual([b.next(), b.next()]);
  });

  test("draws are in [0, 1)", () => {
    const s = new RandomStreams(9).stream("x");
    let bad = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = s.next();
      if (!(u >= 0 && u < 1)) bad++;
    }
    expect(bad).toBe(0);
  });
});
