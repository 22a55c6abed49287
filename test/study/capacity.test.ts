import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { beforeAll, describe, expect, it } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { lowerBound, searchCapacity } from "../../src/study/capacity.js";
import { parseSlo, sloHolds, sloMargin } from "../../src/study/slo.js";
import { ensureDist, simctl } from "../cli/simctl.js";
import { tmpDir } from "../tmp-dir.js";

const SCENARIO = "scenarios/capacity-search.yaml";
const text = readFileSync(SCENARIO, "utf8");
const tmp = tmpDir("simctl-capacity-");
beforeAll(ensureDist, 120_000);

describe("--slo expressions", () => {
  it("read a metric, an operator and a value in the metric's unit", () => {
    const s = parseSlo(" allRunning <= 30m", 1);
    // allRunning is the short spelling of simctl gate's timeToAllRunning: one metric table for both.
    expect([s.metric.name, s.op, s.value]).toEqual(["timeToAllRunning", "<=", 30 * NS_PER.m]);
    expect(parseSlo("schedulerThroughput >= 50", 4).value).toBe(50);
    expect(parseSlo("cpuAllocated<80%", 2).value).toBe(80);
    expect(parseSlo("pending == 0", 3).value).toBe(0);
  });

  it("hold, or not, as the operator says; a run that never got there fails every bound", () => {
    const le = parseSlo("startupP99 <= 5s", 1);
    expect(sloHolds(le, 5 * NS_PER.s)).toBe(true);
    expect(sloHolds(le, 5 * NS_PER.s + 1)).toBe(false);
    expect(sloHolds(parseSlo("startupP99 < 5s", 1), 5 * NS_PER.s)).toBe(false);
    expect(sloHolds(parseSlo("pending == 0", 1), 1)).toBe(false);
    expect(sloHolds(le, Number.NaN)).toBe(false);
    expect(sloMargin(le, 4 * NS_PER.s)).toBeCloseTo(0.2, 12);
  });

  it.each([
    ["allRunnin <= 30m", "column 1: expected a metric (allRunning, timeToAllRunning, startupP50, startupP90,"],
    ["allRunning 30m", 'column 12: expected an operator (<= >= == < >), found "30m"'],
    ["allRunning <= 30x", 'column 15: expected a duration such as 30m, 5s or 250ms for allRunning, found "30x"'],
    ["cpuAllocated <= 120%", 'column 17: expected a percentage from 0% to 100% for cpuAllocated, found "120%"'],
    ["pending == 1.5", 'column 12: expected a whole number of pods for pending, found "1.5"'],
  ])("%s is a located error (exit 2)", (expr, message) => {
    expect(() => parseSlo(expr, 2)).toThrow(`--slo 2 ${JSON.stringify(expr)}, ${message}`);
    if (expr === "allRunnin <= 30m")
      expect(() => parseSlo(expr, 2)).toThrow('pending, cpuAllocated), found "allRunnin"');
    try {
      parseSlo(expr, 2);
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });
});

describe("simctl capacity on scenarios/capacity-search.yaml (1,000 pods of 1 CPU, 8-CPU nodes)", () => {
  const slos = [parseSlo("allRunning <= 30m", 1)];
  const ask = (zoneLoss: boolean) =>
    searchCapacity({
      file: SCENARIO,
      text,
      pool: "workers",
      slos,
      seeds: [1, 2],
      min: 1,
      max: 10_000,
      zoneLoss,
      workers: 2,
    });

  it("the search starts at the resource lower bound: 125, or 188 to survive losing a zone of three", () => {
    const s = parseScenario(SCENARIO, text);
    expect(lowerBound(s, s.nodePools[0]!, false)).toBe(125);
    expect(lowerBound(s, s.nodePools[0]!, true)).toBe(188);
  });

  it("allRunning <= 30m needs exactly 125 nodes: 124 leave 8 pods Pending", async () => {
    const a = await ask(false);
    expect(a.nodes).toBe(125);
    const at = (n: number) => a.points.find((p) => p.nodes === n)!;
    expect(at(125).pass).toBe(true);
    expect(at(124).pass).toBe(false);
    // Every candidate ran the same two seeds; the answer's runs finished well inside the bound.
    expect(at(125).slos[0]!.values).toHaveLength(2);
    expect(at(125).slos[0]!.worst).toBeLessThan(30 * NS_PER.m);
    expect(at(124).slos[0]!.values.every(Number.isNaN)).toBe(true);
  }, 60_000);

  it("with --zone-loss 1, 188 nodes: 63 + 63 + 62 over three zones, and losing 63 leaves 125", async () => {
    const a = await ask(true);
    expect(a.nodes).toBe(188);
    const at = a.points.find((p) => p.nodes === 188)!;
    expect([at.lostZone, at.schedulableNodes]).toEqual(["zone-a", 125]);
    expect(a.points.find((p) => p.nodes === 187)!.pass).toBe(false);
    // Both halves of a candidate ran: the whole cluster and the one without zone-a, per seed.
    expect(at.slos[0]!.values).toHaveLength(4);
  }, 90_000);

  it("the CLI gives the same answer and a byte-identical capacity.arrow on a rerun", async () => {
    const args = ["capacity", SCENARIO, "--pool", "workers", "--slo", "allRunning <= 30m", "--seeds", "1", "--json"];
    const one = await simctl([...args, "--out", join(tmp, "a")]);
    const two = await simctl([...args, "--out", join(tmp, "b")]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).nodes).toBe(125);
    expect(two.stdout).toBe(one.stdout);
    const a = readFileSync(join(tmp, "a", "capacity.arrow"));
    expect(readFileSync(join(tmp, "b", "capacity.arrow")).equals(a)).toBe(true);
    const t = tableFromIPC(a);
    expect(t.schema.fields.map((f) => f.name)).toEqual([
      "order",
      "nodes",
      "schedulable_nodes",
      "slo",
      "mean",
      "half",
      "worst",
      "holds",
      "pass",
    ]);
    expect(t.schema.metadata.get("simctl.answer")).toBe("125");
  }, 60_000);

  it("a bad --slo or --pool exits 2 before anything runs", async () => {
    const bad = await simctl([
      "capacity",
      SCENARIO,
      "--pool",
      "workers",
      "--slo",
      "startupP99 <= soon",
      "--out",
      join(tmp, "c"),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--slo 1 "startupP99 <= soon", column 15');
    const pool = await simctl([
      "capacity",
      SCENARIO,
      "--pool",
      "gpu",
      "--slo",
      "pending == 0",
      "--out",
      join(tmp, "d"),
    ]);
    expect(pool.code).toBe(2);
    expect(pool.stderr).toContain("has no node pool of that name (it has workers)");
  }, 30_000);
});
