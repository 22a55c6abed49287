import { describe, expect, it } from "vitest";
import { RandomStreams } from "../../src/core/random.js";
import { HostCpu } from "../../src/sync/host-cpu.js";
import { erlangC } from "./erlang-c.js";

describe("HostCpu", () => {
  it("matches Erlang C's mean wait for an M/M/c queue", () => {
    const rng = new RandomStreams(7).stream("mmc");
    const exp = (mean: number) => -mean * Math.log(1 - rng.next());
    for (const [cores, rho] of [
      [1, 0.7],
      [2, 0.8],
      [8, 0.9],
    ] as const) {
      const serviceNs = 10_000;
      const lambda = (rho * cores) / serviceNs;
      const cpu = new HostCpu("mmc", cores);
      let t = 0;
      const n = 400_000;
      for (let i = 0; i < n; i++) {
        t += exp(1 / lambda);
        cpu.run(t, exp(serviceNs));
      }
      const wq = erlangC(cores, lambda * serviceNs) / (cores / serviceNs - lambda);
      expect(cpu.waitNs / n / wq).toBeGreaterThan(0.95);
      expect(cpu.waitNs / n / wq).toBeLessThan(1.05);
      expect(cpu.utilization(t)).toBeCloseTo(rho, 1);
    }
  });

  it("runMany(ready, cost, n) is n calls of run(ready, cost): same finishes, counters and later answers", () => {
    const rng = new RandomStreams(3).stream("many");
    const int = (n: number) => Math.floor(rng.next() * n);
    for (let trial = 0; trial < 300; trial++) {
      const cores = 1 + int(12);
      const many = new HostCpu("many", cores);
      const one = new HostCpu("one", cores);
      // Some cores busy, some idle, ties included (times on a coarse grid).
      for (let i = int(3 * cores); i > 0; i--) {
        const ready = 100 * int(20);
        const cost = 100 * int(10);
        expect(many.run(ready, cost)).toBe(one.run(ready, cost));
      }
      const ready = 100 * int(20);
      const cost = trial % 10 === 0 ? 0 : 100 * int(10) + int(2);
      // Fewer bursts than idle cores, or more than all cores.
      const count = 2 + int(trial % 2 === 0 ? cores : 3 * cores);
      let done = -Infinity;
      for (let i = 0; i < count; i++) done = Math.max(done, one.run(ready, cost));
      expect(many.runMany(ready, cost, count)).toBe(done);
      expect([many.bursts, many.busyNs, many.waitNs]).toEqual([one.bursts, one.busyNs, one.waitNs]);
      // The cores are left alike: every later burst is answered alike.
      for (let i = 0; i < 2 * cores; i++) {
        const r = 50 * int(60); // before the bursts too: which idle cores they took shows
        const c = 100 * int(10);
        expect(many.run(r, c)).toBe(one.run(r, c));
      }
    }
  });

  it("runMany gives fewer bursts than idle cores the cores that went idle last (best fit)", () => {
    const cpu = new HostCpu("three", 3);
    for (const cost of [100, 500, 1000]) cpu.run(0, cost);
    expect(cpu.runMany(2000, 10, 2)).toBe(2010);
    // The core idle since 100 is left, so a burst ready at 300 starts at once.
    expect(cpu.run(300, 5)).toBe(305);
    expect(cpu.run(300, 5)).toBe(310); // the other two are busy until 2010
  });

  it("gives a burst the core that frees first and starts it no earlier than it is ready", () => {
    const cpu = new HostCpu("two", 2);
    expect(cpu.run(0, 100)).toBe(100);
    expect(cpu.run(0, 50)).toBe(50);
    expect(cpu.run(10, 30)).toBe(80); // waits for core 2, free at 50
    expect(cpu.run(200, 5)).toBe(205); // both idle by then
    expect(cpu.waitNs).toBe(40);
    expect(cpu.busyNs).toBe(185);
  });

  it("refuses a host without cores", () => {
    expect(() => new HostCpu("none", 0)).toThrow(/positive integer/);
  });
});
