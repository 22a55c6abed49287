import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { CHROMIUM, haveChromium, inspectReport, launchChromium } from "./browser.js";
import { tmpDir } from "../tmp-dir.js";

// The README's study walkthrough (section "Studies"), command for command, at scale 0.01 so it
// finishes in seconds: sweep scenarios/capacity-sweep.yaml (3 node counts x 3 seeds) as three
// shards, merge them, export to Parquet, render the report, open it in headless Chromium.
const out = tmpDir("simctl-walkthrough-");

async function simctl(...argv: string[]): Promise<string> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  const before = process.exitCode;
  try {
    await main(argv);
  } finally {
    spy.mockRestore();
  }
  expect(process.exitCode ?? 0, `simctl ${argv.join(" ")}`).toBe(before ?? 0);
  return chunks.join("");
}

describe("README walkthrough: sweep, merge, export, report", () => {
  test("3 node counts x 3 seeds in three shards, merged, exported and reported; the report draws in Chromium", async () => {
    const shards = [0, 1, 2].map((i) => join(out, `shard-${i}`));
    for (let i = 0; i < 3; i++) {
      const text = await simctl(
        "sweep",
        "scenarios/capacity-sweep.yaml",
        "--scale",
        "0.01",
        "--shard",
        `${i}/3`,
        "--workers",
        i === 0 ? "2" : "1",
        "--out",
        shards[i]!,
      );
      expect(text).toContain(`shard ${i}/3: 3 runs`);
    }
    const merged = join(out, "merged");
    expect(await simctl("merge", ...shards, "--out", merged)).toContain("merged 9 runs");
    const runs = tableFromIPC(readFileSync(join(merged, "runs.arrow")));
    // Parameter columns hold the values as the study writes them; --scale 0.01 applied on top.
    expect([...runs.getChild("nodes")!].map(Number)).toEqual([1000, 1000, 1000, 2000, 2000, 2000, 5000, 5000, 5000]);
    expect([...runs.getChild("nodes_total")!].map(Number)).toEqual([10, 10, 10, 20, 20, 20, 50, 50, 50]);
    expect([...runs.getChild("pods_running")!].map(Number)).toEqual(Array(9).fill(100));
    expect(await simctl("export", merged, "--format", "parquet")).toMatch(/pods\.parquet\s+900 rows/);
    const report = await simctl("report", merged);
    expect(report).toContain("study report: 8 charts");
    const file = join(merged, "report.html");
    const files = readdirSync(merged);
    expect(files).toEqual(
      expect.arrayContaining(["pods.arrow", "pods.parquet", "report.html", "runs.arrow", "runs.parquet", "study.json"]),
    );
    for (const f of files) if (f.endsWith(".arrow")) expect(files).toContain(f.replace(/\.arrow$/, ".parquet"));
    if (!haveChromium) {
      console.warn(`walkthrough: ${CHROMIUM} cannot run, report not opened in a browser (.ci/run installs chromium)`);
      return;
    }
    const browser = await launchChromium();
    try {
      const seen = await inspectReport(browser, file);
      expect(seen.charts.map((c) => c[0])).toEqual([
        "sweep-time-to-all-running",
        "sweep-startup-p99",
        "sweep-startup-p99-excl-pulls",
        "sweep-nodes-used",
        "sweep-fragmentation",
        "sweep-scheduler-throughput",
        "sweep-scheduling-cycles",
        "startup-cdf",
      ]);
      for (const [id, n] of seen.charts) expect(n, id).toBeGreaterThan(0);
      expect(seen.requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
