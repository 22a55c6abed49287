import { describe, expect, it } from "vitest";
import { type Component, Lifecycle } from "../../src/core/component.js";

/** A component that logs its lifecycle calls into `log`. */
function logged(name: string, log: string[], initStages?: number): Component {
  return {
    name,
    ...(initStages === undefined ? {} : { initStages }),
    initialize: (s) => log.push(`${name}.init${s}`),
    start: () => log.push(`${name}.start`),
    finish: () => log.push(`${name}.finish`),
  };
}

describe("Lifecycle", () => {
  it("runs initialize stage by stage across components, then start in assembly order, then finish once", () => {
    const log: string[] = [];
    const lc = new Lifecycle();
    lc.add(logged("a", log, 2));
    lc.add(logged("b", log));
    lc.add({ name: "c", start: () => log.push("c.start") });
    lc.initializeAndStart();
    lc.finish();
    lc.finish();
    expect(log).toEqual(["a.init0", "b.init0", "a.init1", "a.start", "b.start", "c.start", "a.finish", "b.finish"]);
  });

  it("refuses components added after start, and a second start", () => {
    const lc = new Lifecycle();
    lc.initializeAndStart();
    expect(() => lc.add({ name: "late" })).toThrow(/late added after start/);
    expect(() => lc.initializeAndStart()).toThrow(/started twice/);
  });
});
