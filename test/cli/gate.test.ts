import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { ensureDist, REPO, simctl } from "./simctl.js";
import { tmpDir } from "../tmp-dir.js";

// `simctl baseline` then `simctl gate` on a small scenario (binpack-vs-spread: 60 nodes, 120
// pods, under a second a run), as a user's CI would: once unchanged, once with a scenario
// change that makes every container start take 1 s longer.

const XSD = join(REPO, "test", "fixtures", "junit.xsd");
const hasXmllint = spawnSync("xmllint", ["--version"]).status === 0;

function xmllint(file: string): void {
  execFileSync("xmllint", ["--noout", file]);
  execFileSync("xmllint", ["--noout", "--schema", XSD, file], { stdio: "pipe" });
}

let dir: string;

beforeAll(async () => {
  ensureDist();
  dir = tmpDir("simctl-gate-");
  copyFileSync(join(REPO, "scenarios", "binpack-vs-spread.yaml"), join(dir, "bp.yaml"));
  const r = await simctl(["baseline", "bp.yaml", "--seeds", "3", "--out", "baseline.json"], { cwd: dir });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}, 60_000);

describe("simctl baseline and simctl gate", () => {
  test("baseline.json holds each seed's summary.json results, the file relative to it", () => {
    const b = JSON.parse(readFileSync(join(dir, "baseline.json"), "utf8"));
    expect(b.format).toBe("simctl-baseline/1");
    expect(b.seeds).toEqual([1, 2, 3]);
    expect(b.cases.map((c: { name: string; file: string }) => [c.name, c.file])).toEqual([["bp", "bp.yaml"]]);
    expect(b.cases[0].runs.map((r: { results: { seed: number } }) => r.results.seed)).toEqual([1, 2, 3]);
  });

  test("an unchanged scenario passes (exit 0), with identical results, a JUnit file and a Markdown table", async () => {
    const r = await simctl(["gate", "baseline.json", "--junit", "unchanged.xml", "--markdown", "unchanged.md"], {
      cwd: dir,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("results identical to the baseline");
    expect(r.stdout).toContain("gate: passed");
    expect(r.stdout).not.toMatch(/ REGRESSION$/m);
    const junit = readFileSync(join(dir, "unchanged.xml"), "utf8");
    expect(junit).toContain('<testcase classname="simctl.gate.bp" name="startupP99" time="0"/>');
    expect(junit).not.toContain("<failure");
    const md = readFileSync(join(dir, "unchanged.md"), "utf8");
    expect(md).toContain("### simctl gate: passed");
    expect(md).toMatch(/^\| bp \| startupP99 \| .* \| ok \|$/m);
  });

  describe("a regressed scenario (container start 1 s slower)", () => {
    let slow: string;
    beforeAll(() => {
      slow = tmpDir("simctl-gate-slow-");
      copyFileSync(join(dir, "bp.yaml"), join(slow, "bp.yaml"));
      copyFileSync(join(dir, "baseline.json"), join(slow, "baseline.json"));
      appendFileSync(join(slow, "bp.yaml"), "kubelet:\n  containerStart: { dist: constant, value: 1s }\n");
    });

    test("fails (exit 1), naming the metrics, with a failure per regressed metric in the JUnit file", async () => {
      const r = await simctl(
        ["gate", "baseline.json", "--tolerance", "startupP99=+10%", "--junit", "slow.xml", "--markdown", "slow.md"],
        { cwd: slow },
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^bp +startupP99 .* \+10% +REGRESSION$/m);
      expect(r.stdout).toContain("the scenario file changed since the baseline");
      expect(r.stdout).toMatch(/gate: FAILED: \d+ regressions beyond tolerance: .*bp startupP50/);
      const junit = readFileSync(join(slow, "slow.xml"), "utf8");
      expect(junit).toMatch(
        /<testcase classname="simctl.gate.bp" name="startupP50" time="0">\n +<failure type="regression"/,
      );
      expect(readFileSync(join(slow, "slow.md"), "utf8")).toContain("**REGRESSION**");
    });

    test("passes when the tolerance allows the slow-down", async () => {
      const r = await simctl(["gate", "baseline.json", "--tolerance", "200%"], { cwd: slow });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("gate: passed");
    });

    test("compare --fail-if exits 1 when the paired difference lies beyond it, 0 when within", async () => {
      const args = ["compare", join(dir, "bp.yaml"), "bp.yaml", "--seeds", "3"];
      const r = await simctl([...args, "--fail-if", "startupP99>+5%", "--fail-if", "schedulerThroughput<-5%"], {
        cwd: slow,
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^--fail-if startupP99>\+5%: bp#2 - baseline \+.* \[.*\]: FAILED/m);
      expect(r.stdout).toMatch(/^--fail-if schedulerThroughput<-5%: .*: ok$/m);
      const ok = await simctl([...args, "--fail-if", "startupP99>+200%"], { cwd: slow });
      expect(ok.code).toBe(0);
      const bad = await simctl([...args, "--fail-if", "startupP99=+5%"], { cwd: slow });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--fail-if: expected METRIC>AMOUNT or METRIC<AMOUNT");
    });

    test.skipIf(!hasXmllint)(
      `the JUnit XML is well-formed and valid against the JUnit schema${hasXmllint ? "" : " (skipped: no xmllint here; apt-get install libxml2-utils)"}`,
      () => {
        xmllint(join(slow, "slow.xml"));
        xmllint(join(dir, "unchanged.xml"));
      },
    );
  });

  test.each([
    ["an unknown metric", ["--tolerance", "startupP98=+10%"], /unknown metric "startupP98".*known: timeToAllRunning/],
    ["a malformed tolerance", ["--tolerance", "startupP99=ten"], /--tolerance: expected METRIC=AMOUNT/],
    ["the wrong sign", ["--tolerance", "schedulerThroughput=+10%"], /schedulerThroughput gets worse as it falls/],
    ["a unit a duration lacks", ["--tolerance", "startupP99=+5"], /startupP99 is a duration/],
  ])("%s is bad input: exit 2 before anything runs", async (_what, flags, message) => {
    const r = await simctl(["gate", "baseline.json", ...flags], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  });

  test("a file that is not a baseline is bad input (exit 2), and so is a missing one", async () => {
    writeFileSync(join(dir, "not.json"), JSON.stringify({ format: "other" }));
    const r = await simctl(["gate", "not.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a baseline file: expected "format": "simctl-baseline/1"');
    writeFileSync(join(dir, "broken.json"), "{");
    expect((await simctl(["gate", "broken.json"], { cwd: dir })).stderr).toContain("invalid JSON");
    const missing = await simctl(["gate", "nosuch.json"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read the baseline file: ENOENT");
  });
});
