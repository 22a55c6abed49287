import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { checkNumber, SEED_RULE } from "../../src/cli/input-options.js";
import { ensureDist, simctl, start } from "./simctl.js";
import { tmpDir } from "../tmp-dir.js";

// Numeric flags are checked like the scenario's YAML numbers: a clear usage error (exit 1)
// before anything runs, never a stack trace.

const S = "scenarios/binpack-vs-spread.yaml";
let tmp: string;

beforeAll(() => {
  ensureDist();
  tmp = tmpDir("simctl-flags-");
});

describe("numeric flags are refused with a usage error (exit 1) before anything runs", () => {
  test.each([
    [["run", S, "--seed", "abc"], '--seed: expected a whole number >= 0, found "abc"'],
    [["run", S, "--seed", "-4"], '--seed: expected a whole number >= 0, found "-4"'],
    [["run", S, "--seed", "1.5"], '--seed: expected a whole number >= 0, found "1.5"'],
    [["run", S, "--seed", "0x10"], '--seed: expected a whole number >= 0, found "0x10"'],
    [["run", S, "--seed"], "--seed: expected a whole number >= 0, found no value"],
    [["run", S, "--scale", "-1"], '--scale: expected a number > 0, found "-1"'],
    [["run", S, "--scale", "0"], '--scale: expected a number > 0, found "0"'],
    [["run", S, "--scale", "abc"], '--scale: expected a number > 0, found "abc"'],
    [["validate", S, "--scale", "0"], '--scale: expected a number > 0, found "0"'],
    [
      ["sweep", "scenarios/capacity-sweep.yaml", "--workers", "0"],
      '--workers: expected a whole number >= 1, found "0"',
    ],
    [["sweep", "scenarios/capacity-sweep.yaml", "--scale", "-0.5"], '--scale: expected a number > 0, found "-0.5"'],
    [["compare", S, S, "--seeds", "1"], '--seeds: expected a whole number >= 2, found "1"'],
    [["compare", S, S, "--first-seed", "-1"], '--first-seed: expected a whole number >= 0, found "-1"'],
    [["compare", S, S, "--confidence", "1"], '--confidence: expected a number > 0 and < 1, found "1"'],
    [["bench", "--rounds", "two", "--no-build"], '--rounds: expected a whole number >= 1, found "two"'],
    [["bench", "--round-ms", "0", "--no-build"], '--round-ms: expected a number > 0, found "0"'],
    [
      ["calibrate", "etcd", "bench/data/etcd/etcd-puts.csv", "--out", "x.yaml", "--seed", "-1"],
      '--seed: expected a whole number >= 0, found "-1"',
    ],
    [
      ["schedule", "--nodes", "n.yaml", "--pod", "p.yaml", "--seed", "1e400"],
      '--seed: expected a whole number >= 0, found "1e400"',
    ],
    [["baseline", S, "--seeds", "1"], '--seeds: expected a whole number >= 2, found "1"'],
    [["gate", "baseline.json", "--workers", "-2"], '--workers: expected a whole number >= 1, found "-2"'],
  ])("simctl %j", async (args, message) => {
    const out = join(tmp, "out");
    const r = await simctl([...args, ...(args[0] === "run" ? ["--out", out] : [])]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`simctl: ${message}\nsee: simctl --help\n`);
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
  });

  test("valid values pass the check unchanged", () => {
    expect(checkNumber("--seed", "7", SEED_RULE)).toBe(7);
    expect(checkNumber("--seed", 1, SEED_RULE)).toBe(1);
    expect(checkNumber("--scale", "0.1", { min: 0, minExclusive: true })).toBe(0.1);
    expect(checkNumber("--seed", ["1", "9"], SEED_RULE)).toBe(9);
  });
});

describe("a closed pipe on stdout is not an error", () => {
  test("`simctl run ... | head -1`: the reader goes away, the run finishes with exit 0 and no stack trace", async () => {
    const { child, done } = start(["run", S, "--out", join(tmp, "runs")]);
    child.stdout!.destroy();
    const r = await done;
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(0);
  });
});
