import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDist, simctl } from "../cli/simctl.js";
import { tmpDir } from "../tmp-dir.js";

// The bar of issue 11: a parameter file fitted on at most 3 points of one curve puts at least
// 10 of the 12 measured points (1 and 3 members) within 25% for throughput and for p50.
const DATA = "bench/data/etcd";
const tmp = tmpDir("simctl-calibrate-");
beforeAll(ensureDist, 120_000);

interface Row {
  members: number;
  clients: number;
  ops_per_s: number;
  p50_ms: number;
  p99_ms: number;
  predicted_ops_per_s: number;
  predicted_p50_ms: number;
  predicted_p99_ms: number;
}
const err = (predicted: number, measured: number) => predicted / measured - 1;

describe("simctl calibrate etcd on the committed measurements", () => {
  it("refits bench/data/etcd/fitted.yaml byte for byte from fit-points.csv and fixed.yaml", async () => {
    const out = join(tmp, "fitted.yaml");
    const r = await simctl([
      "calibrate",
      "etcd",
      `${DATA}/fit-points.csv`,
      "--fixed",
      `${DATA}/fixed.yaml`,
      "--out",
      out,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(readFileSync(`${DATA}/fitted.yaml`, "utf8"));
    // The table names each fitted point with its errors.
    expect(r.stdout).toMatch(/members clients/);
    expect(r.stdout.trim().split("\n")).toHaveLength(5);
  }, 60_000);

  it("--check predicts all 12 points: >= 10 within 25% for throughput and p50; p99 reported", async () => {
    const r = await simctl(["calibrate", "etcd", "--check", `${DATA}/fitted.yaml`, `${DATA}/etcd-puts.csv`, "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Row[];
    expect(rows.map((x) => `${x.members}:${x.clients}`)).toEqual(
      [1, 3].flatMap((m) => [1, 4, 16, 64, 256, 1000].map((c) => `${m}:${c}`)),
    );
    const ok = rows.filter(
      (x) =>
        Math.abs(err(x.predicted_ops_per_s, x.ops_per_s)) <= 0.25 &&
        Math.abs(err(x.predicted_p50_ms, x.p50_ms)) <= 0.25,
    );
    expect(ok.length).toBeGreaterThanOrEqual(10);
    // The model's tails are too short under load (it leaves out GC pauses and the Go
    // scheduler's unfairness): p99 is within 15% at one client and 60% low at worst.
    for (const x of rows) {
      const e = err(x.predicted_p99_ms, x.p99_ms);
      expect(e).toBeLessThan(0.15);
      expect(e).toBeGreaterThan(-0.65);
      if (x.clients === 1) expect(Math.abs(e)).toBeLessThan(0.15);
    }
  }, 60_000);
});

describe("simctl calibrate etcd: bad input exits 2 with file:line:column", () => {
  it("a CSV without a required column", async () => {
    const csv = join(tmp, "no-p99.csv");
    writeFileSync(csv, "members,clients,ops_per_s,p50_ms\n1,1,1000,0.5\n");
    const r = await simctl(["calibrate", "etcd", csv, "--out", join(tmp, "x.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${csv}:1:`);
    expect(r.stderr).toContain("p99_ms");
  });

  it("a FIXED file with a negative cost, before any fitting", async () => {
    const fixed = join(tmp, "fixed.yaml");
    writeFileSync(fixed, "cpus: 2\nrequestCost: -5us\n");
    const r = await simctl([
      "calibrate",
      "etcd",
      `${DATA}/fit-points.csv`,
      "--fixed",
      fixed,
      "--out",
      join(tmp, "y.yaml"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${fixed}:2:14`);
    expect(r.stdout).toBe("");
  });
});
