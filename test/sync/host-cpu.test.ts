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
