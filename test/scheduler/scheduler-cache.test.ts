import { describe, expect, test } from "vitest";
import { StandaloneCluster } from "../../src/scheduler/standalone.js";
import { makeNode } from "./fixtures/cluster.js";

describe("SchedulerCache.groupCounts", () => {
  test("16-bit counts widen, values kept, when one node gets a group's 65,536th pod", () => {
    const c = new StandaloneCluster([makeNode("a", { pods: 100_000 }), makeNode("b", { pods: 10 })]);
    const pod = { name: "p", labels: { app: "p" }, containers: [{}] };
    c.addExistingPod(pod, "b");
    for (let i = 0; i < 0xffff; i++) c.addExistingPod(pod, "a");
    const g = c.groupFor(pod);
    expect(c.cache.groupCounts[g]).toBeInstanceOf(Uint16Array);
    expect([c.cache.count(g, 0), c.cache.count(g, 1)]).toEqual([0xffff, 1]);
    const last = c.addExistingPod(pod, "a");
    expect(c.cache.groupCounts[g]).toBeInstanceOf(Uint32Array);
    expect([c.cache.count(g, 0), c.cache.count(g, 1)]).toEqual([0x10000, 1]);
    c.cache.removePod(last);
    expect([c.cache.count(g, 0), c.cache.count(g, 1)]).toEqual([0xffff, 1]);
  });
});
