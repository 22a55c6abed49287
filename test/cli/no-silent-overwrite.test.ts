import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { ensureDist, REPO, simctl } from "./simctl.js";
import { tmpDir } from "../tmp-dir.js";

const SCENARIO = join(REPO, "test/study/fixtures/tiny.yaml");
const root = tmpDir("simctl-overwrite-");
beforeAll(() => ensureDist(), 180_000);

test("run --scale 0.5 does not replace the full run's results under the same name and seed, unless --force", async () => {
  const out = join(root, "runs");
  const full = await simctl(["run", SCENARIO, "--out", out, "--json"]);
  expect(full.code).toBe(0);
  const dir = join(out, "tiny-7");
  const before = readFileSync(join(dir, "summary.json"), "utf8");
  const scaled = await simctl(["run", SCENARIO, "--scale", "0.5", "--out", out, "--json"]);
  expect(scaled.code).toBe(2);
  expect(scaled.stderr).toContain(`${dir} holds the results of a different scenario`);
  expect(scaled.stderr).toContain("--force");
  expect(readFileSync(join(dir, "summary.json"), "utf8")).toBe(before);
  // The same scenario again replaces its own results; --force replaces another's.
  expect((await simctl(["run", SCENARIO, "--out", out, "--json"])).code).toBe(0);
  expect((await simctl(["run", SCENARIO, "--scale", "0.5", "--out", out, "--json", "--force"])).code).toBe(0);
  expect(readFileSync(join(dir, "summary.json"), "utf8")).not.toBe(before);
}, 60_000);
