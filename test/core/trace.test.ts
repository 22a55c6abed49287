import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { Engine } from "../../src/core/engine.js";
import { NS_PER } from "../../src/core/time.js";
import { EventTrace, parseTraceWindow } from "../../src/core/trace.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { smallScenario } from "../sim/node-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const S = NS_PER.s;

describe("event trace", () => {
  it("records dispatched events in (time, seq) order within [from, to), by registered kind", () => {
    const engine = new Engine();
    const a = engine.register("a", () => {});
    const b = engine.register("b", (t) => {
      if (t < 3) engine.schedule(S, b, t + 1, 10 * t);
    });
    const trace = new EventTrace(engine, S, 3 * S);
    trace.start();
    const late = engine.register("late", () => {}); // registered while tracing: traced too
    engine.scheduleAt(2 * S, a, 7);
    engine.schedule(0, b, 0);
    engine.scheduleAt(2 * S, late, 8);
    engine.run();
    trace.finish();
    engine.scheduleAt(engine.now + S, a, 9);
    engine.run(); // after finish: not recorded
    const rows = Array.from({ length: trace.size }, (_, i) => [
      trace.timeNs[i],
      engine.kinds[trace.kind[i]!],
      trace.target[i],
      trace.arg[i],
    ]);
    // b(0) at 0 and b(3) at 3 s fall outside; at 2 s, in scheduling order: a, late, then b(2), scheduled at 1 s.
    expect(rows).toEqual([
      [S, "b", 1, 0],
      [2 * S, "a", 7, 0],
      [2 * S, "late", 8, 0],
      [2 * S, "b", 2, 10],
    ]);
  });

  it("parses windows in scenario duration units; a bad window says what was expected", () => {
    expect(parseTraceWindow("10s-20s")).toEqual({ fromNs: 10 * S, toNs: 20 * S });
    expect(parseTraceWindow("90s - 2m")).toEqual({ fromNs: 90 * S, toNs: 120 * S });
    expect(parseTraceWindow("0ms-1.5s")).toEqual({ fromNs: 0, toNs: 1.5 * S });
    expect(parseTraceWindow("10-20")).toMatch(/expected FROM-TO in duration units/);
    expect(parseTraceWindow("10s")).toMatch(/expected FROM-TO/);
    expect(parseTraceWindow("10s-20x")).toMatch(/found "10s-20x"/);
    expect(parseTraceWindow("20s-10s")).toMatch(/FROM before TO/);
  });

  const scenario = () => smallScenario({ name: "trace-small", nodes: 3, replicas: 12 });

  it("a traced run writes events.arrow in time order, registered kinds only, inside the window, and changes nothing", () => {
    const dir = tmpDir("simctl-trace-");
    const file = join(dir, "events.arrow");
    const plain = runScenario(scenario(), { write: false });
    const traced = runScenario(scenario(), { write: false, trace: { file, window: { fromNs: 0, toNs: 5 * S } } });
    expect(traced.summary).toEqual(plain.summary);
    expect(traced.simulation.engine.events).toBe(plain.simulation.engine.events);
    const t = tableFromIPC(readFileSync(file));
    expect(t.schema.fields.map((f) => f.name)).toEqual(["time_ns", "kind", "target", "arg"]);
    expect(t.numRows).toBeGreaterThan(100);
    const kinds = new Set(traced.simulation.engine.kinds);
    const time = t.getChild("time_ns")!.toArray() as BigInt64Array;
    const kind = t.getChild("kind")!;
    for (let i = 0; i < t.numRows; i++) {
      expect(Number(time[i])).toBeLessThan(5 * S);
      if (i > 0) expect(time[i]! >= time[i - 1]!).toBe(true);
      expect(kinds.has(kind.get(i) as string)).toBe(true);
    }
    // Without a window every event is there.
    const all = runScenario(scenario(), { write: false, trace: { file } });
    expect(tableFromIPC(readFileSync(file)).numRows).toBe(all.simulation.engine.events);
  });

  it("simctl run exits 2 on a bad --trace-window", async () => {
    const before = process.exitCode;
    await main(["run", "scenarios/10k-pods.yaml", "--trace", "/dev/null", "--trace-window", "20s-10s"]);
    expect(process.exitCode).toBe(2);
    await main(["run", "scenarios/10k-pods.yaml", "--trace-window", "1s-2s"]);
    expect(process.exitCode).toBe(2);
    process.exitCode = before;
  });
});
