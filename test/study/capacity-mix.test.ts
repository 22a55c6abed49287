import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { beforeAll, describe, expect, it } from "vitest";
import { searchCheapestMix } from "../../src/study/capacity.js";
import { parseSlo } from "../../src/study/slo.js";
import { ensureDist, simctl } from "../cli/simctl.js";
import { tree } from "../scenario/fixture.js";
import { MIX_SCENARIO as SCENARIO, MIX_WEB as WEB } from "./mix-scenario.js";

beforeAll(ensureDist, 120_000);

describe("simctl capacity --pools small,big --cost", () => {
  const dir = tree({ "web.yaml": WEB, "s.yaml": SCENARIO });
  const file = join(dir, "s.yaml");

  it("finds the cheapest mix that holds the SLO, and prunes mixes that cannot be cheaper", async () => {
    const m = await searchCheapestMix({
      file,
      text: readFileSync(file, "utf8"),
      pools: ["small", "big"],
      slos: [parseSlo("allRunning <= 5m", 1)],
      seeds: [1],
      min: 1,
      max: 100,
      workers: 2,
    });
    expect(m.nodes).toEqual({ small: 2, big: 2 });
    expect(m.costPerHour).toBe(8);
    // small = 1: the single-pool search finds big = 3 (10 USD/h); small = 2 searches big only
    // below 3 (and 2 is cheaper: 8); small = 3 and 4 only try big = 1 (anything more costs >= 8),
    // which fails; small = 5 costs at least 5 + 3 = 8: the walk stops.
    const tried = m.points.map((p) => [p.nodes.small, p.nodes.big, p.costPerHour, p.pass]);
    expect(tried).toEqual([
      [1, 3, 10, true],
      [1, 2, 7, false],
      [1, 1, 4, false],
      [2, 2, 8, true],
      [2, 1, 5, false],
      [3, 1, 6, false],
      [4, 1, 7, false],
    ]);
  }, 120_000);

  it("--json prints nodes by pool; capacity.arrow holds every tried mix; a rerun is byte-identical", async () => {
    const args = ["capacity", file, "--pools", "small,big", "--cost", "--slo", "allRunning <= 5m", "--seeds", "1"];
    const one = await simctl([...args, "--json", "--out", join(dir, "a")]);
    const two = await simctl([...args, "--json", "--out", join(dir, "b")]);
    expect(one.code).toBe(0);
    const j = JSON.parse(one.stdout);
    expect(j.nodes).toEqual({ small: 2, big: 2 });
    expect(j.costPerHour).toBe(8);
    expect(j.points).toHaveLength(7);
    expect(two.stdout).toBe(one.stdout);
    const a = readFileSync(join(dir, "a", "capacity.arrow"));
    expect(readFileSync(join(dir, "b", "capacity.arrow")).equals(a)).toBe(true);
    const t = tableFromIPC(a);
    expect(t.schema.fields.map((f) => f.name)).toEqual([
      "order",
      "nodes_small",
      "nodes_big",
      "cost_per_hour",
      "slo",
      "mean",
      "half",
      "worst",
      "holds",
      "pass",
    ]);
    expect(t.schema.metadata.get("simctl.answer")).toBe("2,2");
    const table = await simctl([...args, "--out", join(dir, "c")]);
    expect(table.stdout).toContain("answer: 2 nodes of small + 2 nodes of big, 8.00 USD/hour");
    expect(table.stdout).toMatch(/^\s+2\s+2\s+8\.00\s+.*pass\s*$/m);
  }, 120_000);

  it.each([
    ["no costPerHour on a pool", ["--pools", "small,big", "--cost"], "      costPerHour: 3\n", "has no costPerHour"],
    ["a negative price", ["--pools", "small,big", "--cost"], "costPerHour: 3", "costPerHour"],
    ["--pools without --cost", ["--pools", "small,big"], "", "add --cost"],
    ["--pool and --pools", ["--pool", "small", "--pools", "small,big", "--cost"], "", "one of them"],
  ])(
    "%s exits 2 before anything runs",
    async (_, flags, cut, message) => {
      const text = cut === "" ? SCENARIO : SCENARIO.replace(cut, cut.includes("\n") ? "" : "costPerHour: -3");
      const at = tree({ "web.yaml": WEB, "s.yaml": text });
      const r = await simctl(["capacity", join(at, "s.yaml"), ...flags, "--slo", "pending == 0"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    },
    60_000,
  );
});
