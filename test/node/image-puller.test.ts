import { describe, expect, it } from "vitest";
import { lognormal } from "../../src/core/distributions.js";
import { NS_PER } from "../../src/core/time.js";
import { PullResult } from "../../src/node/image-puller.js";
import { MB, World } from "./world.js";

const S = NS_PER.s;

/** One node, NIC 10 MB/s, registry unlimited: an uncontended pull of s bytes takes s / 10 MB/s. */
function oneNode(puller: ConstructorParameters<typeof World>[0]["puller"] = {}) {
  return new World({
    nodes: 1,
    registry: { bandwidthBytesPerSec: Infinity, nodeBandwidthBytesPerSec: 10 * MB },
    puller,
    images: {
      a: [["sha256:a", 20 * MB]],
      b: [["sha256:b", 30 * MB]],
      c: [["sha256:c", 10 * MB]],
      d: [["sha256:d", 40 * MB]],
      base1: [
        ["sha256:base", 100 * MB],
        ["sha256:top1", 50 * MB],
      ],
      base2: [
        ["sha256:base", 100 * MB],
        ["sha256:top2", 30 * MB],
      ],
      six: [1, 2, 3, 4, 5, 6].map((i) => [`sha256:six${i}`, 10 * MB] as const),
    },
  });
}

describe("ImagePuller: serialized and parallel pulls", () => {
  it("serialized (default): k uncached images finish at the running sums of their pull times", () => {
    const w = oneNode();
    expect(w.puller.serialized).toBe(true);
    const names = ["a", "b", "c", "d"];
    names.forEach((name, i) => {
      w.pull(0, name, "IfNotPresent", i);
    });
    expect(w.puller.perNode.busy[0]).toBe(1);
    expect(w.puller.queueDepth(0)).toBe(3);
    w.engine.run();
    // 2 s, 3 s, 1 s, 4 s back to back.
    expect(w.done.map((d) => d.atNs)).toEqual([2 * S, 5 * S, 6 * S, 10 * S]);
    expect(w.done.every((d) => d.code === PullResult.ok)).toBe(true);
    expect(w.puller.queueDepth(0)).toBe(0);
  });

  it("serialized under registry contention: a node finishes no earlier than the sum of its pull times", () => {
    const w = new World({
      nodes: 11,
      registry: { bandwidthBytesPerSec: 50 * MB, nodeBandwidthBytesPerSec: 10 * MB },
      images: {
        a: [["sha256:a", 20 * MB]],
        b: [["sha256:b", 30 * MB]],
        big: [["sha256:big", 500 * MB]],
      },
    });
    w.pull(0, "a", "IfNotPresent", 0);
    w.pull(0, "b", "IfNotPresent", 1);
    for (let n = 1; n <= 10; n++) w.pull(n, "big", "IfNotPresent", 100 + n);
    w.engine.run();
    const uncontended = 5 * S; // (20 + 30) MB at 10 MB/s
    expect(w.doneOf(1).atNs).toBeGreaterThan(uncontended);
    // 11 flows share 50 MB/s: 50/11 MB/s each while the big pulls run.
    expect(w.doneOf(0).atNs).toBe(Math.ceil((20 * MB * S) / ((50 * MB) / 11)));
  });

  it("parallel pulls share the NIC: the same total, but no image is ready early", () => {
    const w = oneNode({ serializeImagePulls: false, maxParallelImagePulls: null });
    expect(w.puller.slotsPerNode).toBe(Infinity);
    ["a", "b", "c", "d"].forEach((name, i) => {
      w.pull(0, name, "IfNotPresent", i);
    });
    w.engine.run();
    // Four flows at 2.5 MB/s: c (10 MB) ends at 4 s; then a (10 MB left) at 3.33 MB/s -> 7 s;
    // b (10 MB left) at 5 MB/s -> 9 s; d (10 MB left) at 10 MB/s -> 10 s.
    expect(w.doneOf(2).atNs).toBe(4 * S);
    expect(w.doneOf(0).atNs).toBe(7 * S);
    expect(w.doneOf(1).atNs).toBe(9 * S);
    expect(w.doneOf(3).atNs).toBe(10 * S);
  });

  it("maxParallelImagePulls bounds the pulls running on a node", () => {
    const w = oneNode({ maxParallelImagePulls: 2 });
    expect(w.puller.serialized).toBe(false); // derived as upstream: maxParallelImagePulls >= 2
    ["a", "b", "c", "d"].forEach((name, i) => {
      w.pull(0, name, "IfNotPresent", i);
    });
    expect(w.puller.perNode.busy[0]).toBe(2);
    expect(w.puller.queueDepth(0)).toBe(2);
    w.engine.run();
    expect(Math.max(...w.done.map((d) => d.atNs))).toBe(10 * S);
  });

  it("rejects serializeImagePulls with maxParallelImagePulls > 1, as kubelet validation does", () => {
    expect(() => oneNode({ serializeImagePulls: true, maxParallelImagePulls: 3 })).toThrow(/maxParallelImagePulls/);
  });

  it("fetches at most maxConcurrentDownloads (3) layers of a pull at once", () => {
    const w = oneNode();
    w.pull(0, "six", "IfNotPresent", 0);
    w.engine.run({ untilNs: 0 });
    expect(w.registry.flowsOn(0)).toBe(3);
    w.engine.run();
    expect(w.doneOf(0).atNs).toBe(6 * S); // 60 MB at 10 MB/s, whatever the split
    expect(w.registry.totals.flowsStarted).toBe(6);
  });
});

describe("ImagePuller: layers, sharing and policies", () => {
  it("two images sharing a base layer fetch the base once (bytes counted)", () => {
    const w = oneNode();
    const r1 = w.pull(0, "base1", "IfNotPresent", 0);
    const r2 = w.pull(0, "base2", "IfNotPresent", 1);
    w.engine.run();
    expect(w.puller.requests.bytes[r1]!).toBe(150 * MB);
    expect(w.puller.requests.bytes[r2]!).toBe(30 * MB);
    expect(w.puller.perNode.bytesPulled[0]).toBe(180 * MB);
    expect(w.registry.totals.bytesServed).toBe(180 * MB);
    expect(w.doneOf(0).atNs).toBe(15 * S);
    expect(w.doneOf(1).atNs).toBe(18 * S);
  });

  it("parallel pulls sharing a base layer wait on one in-flight fetch of it", () => {
    const w = oneNode({ maxParallelImagePulls: 5 });
    const r1 = w.pull(0, "base1", "IfNotPresent", 0);
    const r2 = w.pull(0, "base2", "IfNotPresent", 1);
    w.engine.run();
    expect(w.registry.totals.flowsStarted).toBe(3); // base, top1, top2
    expect(w.puller.requests.bytes[r1]! + w.puller.requests.bytes[r2]!).toBe(180 * MB);
    expect(w.registry.totals.bytesServed).toBe(180 * MB);
    expect(Math.max(w.doneOf(0).atNs, w.doneOf(1).atNs)).toBe(18 * S);
  });

  it("a second request for an image being pulled joins that pull", () => {
    const w = oneNode();
    const r1 = w.pull(0, "b", "IfNotPresent", 0);
    const r2 = w.pull(0, "b", "IfNotPresent", 1);
    expect(w.puller.queueDepth(0)).toBe(0);
    w.engine.run();
    expect(w.doneOf(0).atNs).toBe(3 * S);
    expect(w.doneOf(1).atNs).toBe(3 * S);
    expect(w.puller.totals.pullsStarted).toBe(1);
    expect(w.registry.totals.flowsStarted).toBe(1);
    expect(w.puller.requests.bytes[r1]!).toBe(30 * MB);
    expect(w.puller.requests.bytes[r2]!).toBe(0);
  });

  it("IfNotPresent with the image pre-pulled succeeds at once without touching the registry", () => {
    const w = oneNode();
    w.cache.prePull(w.id("d"));
    w.pull(0, "d", "IfNotPresent", 0);
    w.engine.run();
    expect(w.done).toEqual([{ target: 0, code: PullResult.ok, atNs: 0 }]);
    expect(w.puller.totals.pullsStarted).toBe(0);
    expect(w.registry.totals.flowsStarted).toBe(0);
  });

  it("Always re-pulls a present image: a manifest round trip and a slot, zero bytes", () => {
    const w = oneNode({ manifestLatency: { kind: "constant", value: 50 * NS_PER.ms } });
    w.cache.prePull(w.id("d"));
    const r = w.pull(0, "d", "Always", 0);
    w.engine.run();
    expect(w.done).toEqual([{ target: 0, code: PullResult.ok, atNs: 50 * NS_PER.ms }]);
    expect(w.puller.totals.pullsStarted).toBe(1);
    expect(w.puller.requests.bytes[r]!).toBe(0);
    expect(w.registry.totals.bytesServed).toBe(0);
  });

  it("Never: ErrImageNeverPull when missing, ok when present", () => {
    const w = oneNode();
    w.cache.prePull(w.id("a"));
    w.pull(0, "a", "Never", 0);
    w.pull(0, "b", "Never", 1);
    w.engine.run();
    expect(w.doneOf(0).code).toBe(PullResult.ok);
    expect(w.doneOf(1).code).toBe(PullResult.ErrImageNeverPull);
    expect(w.registry.totals.flowsStarted).toBe(0);
  });

  it("pullOrSettle: a request settled at once fires no event; one that pulls fires as pull does", () => {
    const w = oneNode({ manifestLatency: { kind: "constant", value: 50 * NS_PER.ms } });
    w.cache.prePull(w.id("a"));
    const present = w.puller.pullOrSettle(0, w.id("a"), "IfNotPresent", w.onDone, 0);
    const never = w.puller.pullOrSettle(0, w.id("b"), "Never", w.onDone, 1);
    expect(w.puller.requests.result[present]).toBe(PullResult.ok);
    expect(w.puller.requests.result[never]).toBe(PullResult.ErrImageNeverPull);
    expect(w.engine.pending).toBe(0);
    const pulled = w.puller.pullOrSettle(0, w.id("c"), "IfNotPresent", w.onDone, 2);
    expect(w.puller.requests.result[pulled]).toBe(-1);
    w.engine.run();
    expect(w.done).toEqual([{ target: 2, code: PullResult.ok, atNs: 50 * NS_PER.ms + S }]);
  });

  it("an image whose layers came with other images still needs its pull, which moves no bytes", () => {
    const w = new World({
      nodes: 1,
      registry: { bandwidthBytesPerSec: Infinity, nodeBandwidthBytesPerSec: 10 * MB },
      images: { x: [["sha256:shared", 10 * MB]], y: [["sha256:shared", 10 * MB]] },
    });
    w.cache.prePull(w.id("x"));
    expect(w.cache.hasAllLayers(0, w.id("y"))).toBe(true);
    expect(w.cache.hasImage(0, w.id("y"))).toBe(false);
    const r = w.pull(0, "y", "IfNotPresent", 0);
    w.engine.run();
    expect(w.puller.totals.pullsStarted).toBe(1);
    expect(w.puller.requests.bytes[r]!).toBe(0);
    expect(w.cache.hasImage(0, w.id("y"))).toBe(true);
  });
});

describe("ImagePuller: registryPullQPS and failures", () => {
  it("registryPullQPS 5 / burst 10: the 11th and 12th simultaneous pulls fail with ErrImagePull", () => {
    const images: Record<string, [string, number][]> = {};
    for (let i = 0; i < 12; i++) images[`i${i}`] = [[`sha256:i${i}`, MB]];
    const w = new World({
      nodes: 1,
      registry: { bandwidthBytesPerSec: Infinity, nodeBandwidthBytesPerSec: 100 * MB },
      puller: { maxParallelImagePulls: 100 },
      images,
    });
    for (let i = 0; i < 12; i++) w.pull(0, `i${i}`, "IfNotPresent", i);
    w.engine.run();
    const failed = w.done.filter((d) => d.code === PullResult.ErrImagePull).map((d) => d.target);
    expect(failed).toEqual([10, 11]);
    expect(w.puller.totals.qpsRefusals).toBe(2);
    // A QPS refusal feeds the back-off like any failed pull.
    expect(w.puller.backOffPeriodNs(10, w.id("i10"))).toBe(10 * S);
    // 200 ms later one token has refilled (5/s).
    w.at(w.engine.now + 200 * NS_PER.ms, () => w.pull(0, "i0", "Always", 50));
    w.engine.run();
    expect(w.doneOf(50).code).toBe(PullResult.ok);
  });

  it("serialized pulls of 1 s each never exceed 5 QPS, so none is refused", () => {
    const images: Record<string, [string, number][]> = {};
    for (let i = 0; i < 30; i++) images[`i${i}`] = [[`sha256:i${i}`, 10 * MB]];
    const w = new World({
      nodes: 1,
      registry: { bandwidthBytesPerSec: Infinity, nodeBandwidthBytesPerSec: 10 * MB },
      images,
    });
    for (let i = 0; i < 30; i++) w.pull(0, `i${i}`, "IfNotPresent", i);
    w.engine.run();
    expect(w.puller.totals.qpsRefusals).toBe(0);
    expect(w.done.every((d) => d.code === PullResult.ok)).toBe(true);
    expect(w.engine.now).toBe(30 * S);
  });

  it("back-off after repeated failures: 10, 20, 40, 80, 160, 300, 300 s; ImagePullBackOff inside it", () => {
    const w = oneNode({ failureProbability: 1 });
    const pod = 7;
    const img = w.id("a");
    const periods: number[] = [];
    const codes: number[] = [];
    let t = 0;
    for (let i = 0; i < 7; i++) {
      w.at(t, () => w.pull(0, "a", "IfNotPresent", pod));
      w.engine.run();
      codes.push(w.done.at(-1)!.code);
      periods.push(w.puller.backOffPeriodNs(pod, img) / S);
      const until = w.puller.backOffUntilNs(pod, img);
      expect(until).toBe(t + w.puller.backOffPeriodNs(pod, img));
      // One ns before the window ends the kubelet is refused without a pull.
      w.at(until - 1, () => w.pull(0, "a", "IfNotPresent", pod));
      w.engine.run();
      expect(w.done.at(-1)!.code).toBe(PullResult.ImagePullBackOff);
      t = until;
    }
    expect(periods).toEqual([10, 20, 40, 80, 160, 300, 300]);
    expect(codes.every((c) => c === PullResult.ErrImagePull)).toBe(true);
    expect(w.puller.totals.injectedFailures).toBe(7);
    // Back-off is per (pod, image): another pod pulls at once.
    w.at(t, () => w.pull(0, "a", "IfNotPresent", pod + 1));
    w.engine.run();
    expect(w.done.at(-1)!.code).toBe(PullResult.ErrImagePull);
    expect(w.puller.backOffPeriodNs(pod + 1, img)).toBe(10 * S);
    // After 2 x 300 s without an update the entry has expired: the next failure starts at 10 s.
    w.at(t + 601 * S, () => w.pull(0, "a", "IfNotPresent", pod));
    w.engine.run();
    expect(w.puller.backOffPeriodNs(pod, img)).toBe(10 * S);
  });

  it("a request joining a failing pull fails with it and backs off on its own key", () => {
    const w = oneNode({ failureProbability: 1 });
    w.pull(0, "a", "IfNotPresent", 1);
    w.pull(0, "a", "IfNotPresent", 2);
    w.engine.run();
    expect(w.done.map((d) => d.code)).toEqual([PullResult.ErrImagePull, PullResult.ErrImagePull]);
    expect(w.puller.backOffPeriodNs(2, w.id("a"))).toBe(10 * S);
    expect(w.registry.totals.flowsStarted).toBe(0);
  });

  it("the failure fraction follows failureProbability", () => {
    const N = 4000;
    const w = new World({
      nodes: N,
      registry: { bandwidthBytesPerSec: Infinity, nodeBandwidthBytesPerSec: 100 * MB },
      puller: { failureProbability: 0.25 },
      seed: 3,
      images: { a: [["sha256:a", MB]] },
    });
    for (let n = 0; n < N; n++) w.pull(n, "a", "IfNotPresent", n);
    w.engine.run();
    const failed = w.done.filter((d) => d.code === PullResult.ErrImagePull).length;
    // Binomial(4000, 0.25): sd ~ 27; 5 sd.
    expect(Math.abs(failed - 1000)).toBeLessThan(140);
  });
});

describe("ImagePuller: determinism", () => {
  function run(seed: number): string {
    const images: Record<string, [string, number][]> = {
      base: [["sha256:os", 80 * MB]],
    };
    for (let i = 0; i < 5; i++) {
      images[`app${i}`] = [
        ["sha256:os", 80 * MB],
        [`sha256:rt${i % 2}`, 40 * MB],
        [`sha256:app${i}`, (5 + 7 * i) * MB],
      ];
    }
    const w = new World({
      nodes: 40,
      seed,
      registry: { bandwidthBytesPerSec: 400 * MB, nodeBandwidthBytesPerSec: 50 * MB, maxConcurrentRequests: 64 },
      puller: { failureProbability: 0.2, manifestLatency: lognormal(30 * NS_PER.ms, 300 * NS_PER.ms) },
      images,
    });
    for (let p = 0; p < 400; p++) {
      const node = (p * 7) % 40;
      w.at(p * 10 * NS_PER.ms, () => w.pull(node, `app${p % 5}`, p % 11 === 0 ? "Always" : "IfNotPresent", p));
    }
    w.engine.run();
    return JSON.stringify({
      done: w.done,
      bytes: w.registry.totals.bytesServed,
      peak: w.registry.totals.peakThroughputBytesPerSec,
    });
  }

  it("the same seed gives the same outcome; another seed a different one", () => {
    const a = run(42);
    expect(run(42)).toBe(a);
    expect(run(43)).not.toBe(a);
  });
});
