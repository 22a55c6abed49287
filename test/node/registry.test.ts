import { describe, expect, it } from "vitest";
import { Engine } from "../../src/core/engine.js";
import { NS_PER } from "../../src/core/time.js";
import { Registry } from "../../src/node/registry.js";
import { MB, World } from "./world.js";

/** Engine + registry + a recorder of (target, time) completions. */
function setup(nodes: number, cfg: ConstructorParameters<typeof Registry>[2]) {
  const engine = new Engine();
  const registry = new Registry(engine, nodes, cfg);
  const ends: { target: number; atNs: number }[] = [];
  const kind = engine.register("test.flowDone", (target) => ends.push({ target, atNs: engine.now }));
  return { engine, registry, ends, kind };
}

describe("Registry fluid model", () => {
  it("N equal flows limited by B all finish together at exactly N*S/B", () => {
    const N = 500;
    const S = 100 * MB;
    const B = 1000 * MB; // 1 GB/s
    const { engine, registry, ends, kind } = setup(N, { bandwidthBytesPerSec: B, nodeBandwidthBytesPerSec: Infinity });
    for (let n = 0; n < N; n++) registry.startFlow(n, S, kind, n);
    engine.run();
    const expected = (N * S * NS_PER.s) / B; // 50 s
    expect(ends).toHaveLength(N);
    for (const e of ends) expect(e.atNs).toBe(expected);
    expect(registry.totals.bytesServed).toBe(N * S);
    expect(registry.totals.peakThroughputBytesPerSec).toBeCloseTo(B, 6);
    expect(registry.activeFlows).toBe(0);
  });

  it("flows limited by their NIC each take S/b when b < B/N", () => {
    const N = 50;
    const S = 100 * MB;
    const b = 10 * MB; // B/N = 20 MB/s > b
    const { engine, registry, ends, kind } = setup(N, { bandwidthBytesPerSec: 1000 * MB, nodeBandwidthBytesPerSec: b });
    for (let n = 0; n < N; n++) registry.startFlow(n, S, kind, n);
    engine.run();
    for (const e of ends) expect(e.atNs).toBe(10 * NS_PER.s);
    expect(registry.totals.peakThroughputBytesPerSec).toBeCloseTo(N * b, 6);
  });

  it("max-min fairness: a NIC-capped node keeps b, the other node takes the rest of B", () => {
    const { engine, registry, ends, kind } = setup(2, {
      bandwidthBytesPerSec: 100,
      nodeBandwidthBytesPerSec: [10, Infinity],
    });
    const slow = registry.startFlow(0, 100, kind, 0);
    const fast = registry.startFlow(1, 450, kind, 1);
    engine.run({ untilNs: 0 });
    expect(registry.rateOf(slow)).toBeCloseTo(10, 9);
    expect(registry.rateOf(fast)).toBeCloseTo(90, 9);
    expect(registry.throughputBytesPerSec).toBeCloseTo(100, 9);
    engine.run();
    // The fast flow moves 450 B at 90 B/s = 5 s; the slow one stays NIC-bound: 100 B at 10 B/s.
    expect(ends).toEqual([
      { target: 1, atNs: 5 * NS_PER.s },
      { target: 0, atNs: 10 * NS_PER.s },
    ]);
    expect(registry.totals.bytesServed).toBe(550);
  });

  it("a node's flows share its NIC equally and speed up when one ends", () => {
    const { engine, registry, ends, kind } = setup(1, {
      bandwidthBytesPerSec: Infinity,
      nodeBandwidthBytesPerSec: 100,
    });
    registry.startFlow(0, 100, kind, 0); // 50 B/s for 2 s
    registry.startFlow(0, 300, kind, 1); // 50 B/s for 2 s (100 B), then 100 B/s for 2 s
    engine.run();
    expect(ends).toEqual([
      { target: 0, atNs: 2 * NS_PER.s },
      { target: 1, atNs: 4 * NS_PER.s },
    ]);
  });

  it("requests beyond the concurrency limit wait FIFO and each then gets all of B", () => {
    const S = 10 * MB;
    const B = 100 * MB;
    const { engine, registry, ends, kind } = setup(4, {
      bandwidthBytesPerSec: B,
      nodeBandwidthBytesPerSec: Infinity,
      maxConcurrentRequests: 1,
    });
    for (let n = 0; n < 4; n++) registry.startFlow(n, S, kind, n);
    expect(registry.activeFlows).toBe(1);
    expect(registry.waitingFlows).toBe(3);
    engine.run();
    const step = (S * NS_PER.s) / B;
    expect(ends).toEqual([0, 1, 2, 3].map((n) => ({ target: n, atNs: (n + 1) * step })));
  });

  it("completion instants are rounded up to whole ns, never early", () => {
    const { engine, registry, ends, kind } = setup(1, { bandwidthBytesPerSec: 3, nodeBandwidthBytesPerSec: Infinity });
    registry.startFlow(0, 1, kind, 0); // 1/3 s
    engine.run();
    expect(ends[0]!.atNs).toBe(Math.ceil(NS_PER.s / 3));
  });

  it("an empty transfer finishes at once", () => {
    const { engine, registry, ends, kind } = setup(1, { bandwidthBytesPerSec: 1, nodeBandwidthBytesPerSec: 1 });
    expect(registry.startFlow(0, 0, kind, 5)).toBe(-1);
    engine.run();
    expect(ends).toEqual([{ target: 5, atNs: 0 }]);
  });

  it("rejects a configuration with no bandwidth limit at all", () => {
    expect(
      () => new Registry(new Engine(), 1, { bandwidthBytesPerSec: Infinity, nodeBandwidthBytesPerSec: Infinity }),
    ).toThrow();
  });

  it("a storm of 2,000 nodes pulling a 5-layer image ends at N*S/B (work-conserving)", () => {
    const N = 2000;
    const layers = [30, 25, 20, 15, 10].map((m, i) => [`sha256:l${i}`, m * MB] as const);
    const S = 100 * MB;
    const B = 10_000 * MB; // 10 GB/s
    const w = new World({
      nodes: N,
      registry: { bandwidthBytesPerSec: B, nodeBandwidthBytesPerSec: Infinity },
      images: { app: layers },
    });
    for (let n = 0; n < N; n++) w.pull(n, "app", "IfNotPresent", n);
    w.engine.run();
    const last = Math.max(...w.done.map((d) => d.atNs));
    const closedForm = (N * S * NS_PER.s) / B; // 20 s
    expect(w.done).toHaveLength(N);
    expect(w.done.every((d) => d.code === 0)).toBe(true);
    expect(last).toBeGreaterThanOrEqual(closedForm);
    expect(last - closedForm).toBeLessThan(1000); // < 1 us of rounding over all stages
    expect(w.registry.totals.bytesServed).toBe(N * S);
    expect(w.registry.totals.flowsStarted).toBe(N * layers.length);
  });
});

/**
 * Reference fluid simulation, written independently: exact (unrounded) times, rates by
 * progressive filling over nodes sorted by their per-flow NIC share.
 */
function referenceFinishTimes(
  B: number,
  bw: number[],
  flows: { node: number; bytes: number; startS: number }[],
): number[] {
  const finish = new Array<number>(flows.length).fill(NaN);
  const rem = flows.map((f) => f.bytes);
  const started = new Array<boolean>(flows.length).fill(false);
  let t = 0;
  for (;;) {
    for (let i = 0; i < flows.length; i++) if (!started[i] && flows[i]!.startS <= t) started[i] = true;
    const active = flows.map((_, i) => i).filter((i) => started[i] && Number.isNaN(finish[i]!));
    const pending = flows.map((_, i) => i).filter((i) => !started[i]);
    if (active.length === 0 && pending.length === 0) return finish;
    const k = new Map<number, number>();
    for (const i of active) k.set(flows[i]!.node, (k.get(flows[i]!.node) ?? 0) + 1);
    const nodes = [...k.keys()].sort((a, b) => bw[a]! / k.get(a)! - bw[b]! / k.get(b)!);
    let remB = B;
    let remF = active.length;
    const rateOfNode = new Map<number, number>();
    let level = remF > 0 ? remB / remF : Infinity;
    for (const n of nodes) {
      const share = bw[n]! / k.get(n)!;
      if (share <= level) {
        rateOfNode.set(n, share);
        remB -= bw[n]!;
        remF -= k.get(n)!;
        level = remF > 0 ? remB / remF : Infinity;
      }
    }
    const rate = (i: number) => rateOfNode.get(flows[i]!.node) ?? level;
    let dt = Infinity;
    for (const i of active) dt = Math.min(dt, rem[i]! / rate(i));
    for (const i of pending) dt = Math.min(dt, flows[i]!.startS - t);
    for (const i of active) rem[i] = rem[i]! - rate(i) * dt;
    t += dt;
    for (const i of active) if (rem[i]! <= 1e-9 * flows[i]!.bytes) finish[i] = t;
  }
}

describe("Registry against an independent reference", () => {
  it("random flows, mixed NIC- and registry-bound, match the reference within rounding", async () => {
    const { RandomStreams } = await import("../../src/core/random.js");
    const rng = new RandomStreams(11).stream("ref");
    for (let trial = 0; trial < 5; trial++) {
      const nodes = 12;
      const bw = Array.from({ length: nodes }, (_, n) =>
        n % 4 === 0 ? Infinity : (5 + Math.floor(rng.next() * 50)) * MB,
      );
      const B = (40 + Math.floor(rng.next() * 200)) * MB;
      const flows = Array.from({ length: 60 }, () => ({
        node: Math.floor(rng.next() * nodes),
        bytes: Math.round((1 + rng.next() * 200) * MB),
        startS: Math.floor(rng.next() * 20_000) / 1000,
      }));
      const expected = referenceFinishTimes(B, bw, flows);
      const { engine, registry, ends, kind } = setup(nodes, { bandwidthBytesPerSec: B, nodeBandwidthBytesPerSec: bw });
      const startKind = engine.register("test.start", (i) => {
        const f = flows[i]!;
        registry.startFlow(f.node, f.bytes, kind, i);
      });
      flows.forEach((f, i) => {
        engine.scheduleAt(Math.round(f.startS * NS_PER.s), startKind, i, 0);
      });
      engine.run();
      expect(ends).toHaveLength(flows.length);
      for (const e of ends) {
        // Rounding up adds at most 1 ns per rate change; allow 1 us.
        expect(Math.abs(e.atNs - expected[e.target]! * NS_PER.s)).toBeLessThan(1000);
      }
      expect(registry.totals.bytesServed).toBe(flows.reduce((s, f) => s + f.bytes, 0));
    }
  });
});

describe("Registry saturation accounting", () => {
  it("saturated time is N*S/B when N equal flows share B; active time adds the NIC-bound tail", () => {
    const N = 20;
    const S = 10 * MB;
    const B = 50 * MB;
    const { engine, registry, kind } = setup(N + 1, { bandwidthBytesPerSec: B, nodeBandwidthBytesPerSec: 100 * MB });
    for (let n = 0; n < N; n++) registry.startFlow(n, S, kind, n);
    engine.run();
    const busy = (N * S * NS_PER.s) / B; // 4 s at B
    expect(registry.saturatedNs(engine.now)).toBe(busy);
    expect(registry.activeNs(engine.now)).toBe(busy);
    // One more flow alone is NIC-bound below B (here b > B: it saturates B again).
    registry.startFlow(N, S, kind, N);
    engine.run();
    expect(registry.saturatedNs(engine.now)).toBe(busy + (S * NS_PER.s) / B);
  });

  it("a single NIC-bound flow never saturates the registry; queued requests are counted", () => {
    const { engine, registry, kind } = setup(3, {
      bandwidthBytesPerSec: 100 * MB,
      nodeBandwidthBytesPerSec: 10 * MB,
      maxConcurrentRequests: 1,
    });
    registry.startFlow(0, 10 * MB, kind, 0);
    registry.startFlow(1, 10 * MB, kind, 1);
    registry.startFlow(2, 10 * MB, kind, 2);
    expect(registry.totals.peakWaitingFlows).toBe(2);
    engine.run();
    expect(registry.saturatedNs(engine.now)).toBe(0);
    expect(registry.activeNs(engine.now)).toBe(3 * NS_PER.s);
  });
});
