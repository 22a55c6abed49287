import { describe, expect, it } from "vitest";
import { constant } from "../../src/core/distributions.js";
import { Engine } from "../../src/core/engine.js";
import { RandomStreams } from "../../src/core/random.js";
import { NS_PER } from "../../src/core/time.js";
import { CNI_PROFILES, Cni, CniResult, type CniConfig } from "../../src/node/cni.js";
import { HostLocalIpam } from "../../src/node/ipam.js";

function setup(prefix: number, config: Partial<CniConfig>, seed = 1) {
  const engine = new Engine();
  const ipam = new HostLocalIpam(2, prefix);
  const cni = new Cni(engine, new RandomStreams(seed), ipam, config);
  const done: { target: number; code: number; atNs: number }[] = [];
  const nodeOf = new Map<number, number>();
  // As the kubelet does, the handler of an ADD's end first tells the Cni (which frees its slot).
  const kind = engine.register("test.cniDone", (target, code) => {
    cni.ended(nodeOf.get(target)!, code);
    done.push({ target, code, atNs: engine.now });
  });
  const add = (node: number, target: number) => {
    nodeOf.set(target, node);
    cni.add(node, kind, target);
  };
  return { engine, ipam, cni, done, add };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) / 2]!;
}

describe("CNI ADD", () => {
  it("the bridge and ebpf profiles have medians of 1.5 s and 0.3 s (anecdote defaults)", () => {
    for (const [profile, p50] of [
      ["bridge", 1.5],
      ["ebpf", 0.3],
    ] as const) {
      const { engine, done, add } = setup(16, { profile });
      for (let i = 0; i < 2001; i++) add(0, i);
      engine.run();
      expect(done.every((d) => d.code === CniResult.ok)).toBe(true);
      expect(median(done.map((d) => d.atNs)) / NS_PER.s).toBeGreaterThan(p50 * 0.95);
      expect(median(done.map((d) => d.atNs)) / NS_PER.s).toBeLessThan(p50 * 1.05);
    }
    expect(CNI_PROFILES.bridge).toEqual({ kind: "lognormal", p50: 1.5e9, p99: 3e9 });
  });

  it("ADDs overlap by default; with maxConcurrentAddsPerNode 1 they run back to back", () => {
    const L = 200 * NS_PER.ms;
    const par = setup(24, { profile: constant(L) });
    for (let i = 0; i < 3; i++) par.add(0, i);
    par.engine.run();
    expect(par.done.map((d) => d.atNs)).toEqual([L, L, L]);

    const ser = setup(24, { profile: constant(L), maxConcurrentAddsPerNode: 1 });
    for (let i = 0; i < 3; i++) ser.add(0, i);
    ser.add(1, 9); // another node is not held up
    expect(ser.cni.queued(0)).toBe(2);
    ser.engine.run();
    expect(ser.done.filter((d) => d.target < 3).map((d) => d.atNs)).toEqual([L, 2 * L, 3 * L]);
    expect(ser.done.find((d) => d.target === 9)!.atNs).toBe(L);
  });

  it("an exhausted pod CIDR fails the ADD (FailedCreatePodSandBox); DEL frees the address", () => {
    const { engine, cni, done, add } = setup(30, { profile: constant(NS_PER.s) }); // 1 address
    add(0, 1);
    add(0, 2);
    engine.run();
    expect(done).toEqual([
      { target: 2, code: CniResult.FailedCreatePodSandBox, atNs: 0 },
      { target: 1, code: CniResult.ok, atNs: NS_PER.s },
    ]);
    expect(cni.totals.failures).toBe(1);
    cni.del(0);
    add(0, 3);
    engine.run();
    expect(done.at(-1)).toEqual({ target: 3, code: CniResult.ok, atNs: 2 * NS_PER.s });
  });

  it("the same seed draws the same latencies", () => {
    const draw = (seed: number) => {
      const { engine, done, add } = setup(24, { profile: "bridge" }, seed);
      for (let i = 0; i < 50; i++) add(i % 2, i);
      engine.run();
      return done.map((d) => d.atNs);
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });
});
