import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { checkOutputDir } from "../../src/metrics/result-dir.js";
import { ensureDist, REPO, simctl, start, waitFor } from "./simctl.js";
import { tmpDir } from "../tmp-dir.js";

// The tiny study scenario: 4 nodes, 24 pods, a few hundred ms per run.
const SCENARIO = join(REPO, "test/study/fixtures/tiny.yaml");
const FILES = [
  "api.arrow",
  "etcd.arrow",
  "inputs.json",
  "nodes.arrow",
  "pods.arrow",
  "registry.arrow",
  "scenario.json",
  "scheduler.arrow",
  "summary.json",
  "timeseries.arrow",
];
const root = tmpDir("simctl-atomic-");

beforeAll(() => ensureDist(), 180_000);

/** A result directory with an old complete run (seed 1 renamed to tiny-7) to be replaced. */
async function withOldRun(name: string): Promise<{ out: string; run: string; oldSummary: string }> {
  const out = join(root, name);
  const r = await simctl(["run", SCENARIO, "--out", out, "--json"]);
  expect(r.code).toBe(0);
  const run = join(out, "tiny-7");
  // Mark the old run so that old and new can be told apart.
  writeFileSync(join(run, "OLD"), "");
  return { out, run, oldSummary: readFileSync(join(run, "summary.json"), "utf8") };
}

function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Exactly the old directory (with its OLD mark) or exactly a new complete one. */
function oldOrNew(run: string): "old" | "new" {
  const files = entries(run);
  if (files.includes("OLD")) {
    expect(files).toEqual([...FILES, "OLD"].sort());
    return "old";
  }
  expect(files).toEqual(FILES);
  return "new";
}

describe("result directories are replaced atomically", () => {
  test("SIGTERM at the swap: the old directory is restored, the temporary one removed, exit 143", async () => {
    const { out, run } = await withOldRun("term");
    const p = start(["run", SCENARIO, "--out", out], { env: { SIMCTL_TEST_PAUSE: "swap" } });
    await waitFor(join(out, ".swap-paused"));
    expect(entries(out).some((e) => e.startsWith("tiny-7.aside-"))).toBe(true);
    p.child.kill("SIGTERM");
    const r = await p.done;
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/^simctl: interrupted \(SIGTERM\); unfinished results removed\n$/);
    rmSync(join(out, ".swap-paused"));
    expect(entries(out)).toEqual(["tiny-7"]);
    expect(oldOrNew(run)).toBe("old");
  });

  test("SIGINT at the swap exits 130, no stack trace; old results intact", async () => {
    const { out, run } = await withOldRun("int");
    const p = start(["run", SCENARIO, "--out", out], { env: { SIMCTL_TEST_PAUSE: "swap" } });
    await waitFor(join(out, ".swap-paused"));
    p.child.kill("SIGINT");
    const r = await p.done;
    expect(r.code).toBe(130);
    expect(r.stderr).not.toMatch(/at |Error/);
    rmSync(join(out, ".swap-paused"));
    expect(entries(out)).toEqual(["tiny-7"]);
    expect(oldOrNew(run)).toBe("old");
  });

  test("SIGKILL at the swap: the next run restores the old directory, removes the leftovers, then replaces it", async () => {
    const { out, run } = await withOldRun("kill");
    const p = start(["run", SCENARIO, "--out", out], { env: { SIMCTL_TEST_PAUSE: "swap" } });
    await waitFor(join(out, ".swap-paused"));
    p.child.kill("SIGKILL");
    expect((await p.done).signal).toBe("SIGKILL");
    rmSync(join(out, ".swap-paused"));
    // Cut between the two renames: no tiny-7, its aside and temporary directories left behind.
    const left = entries(out);
    expect(left).not.toContain("tiny-7");
    expect(left.map((e) => e.replace(/-[A-Za-z0-9_]+-[0-9]+-[0-9]+$/, ""))).toEqual(["tiny-7.aside", "tiny-7.tmp"]);
    // Another run with a different seed recovers the directory without touching it otherwise.
    const other = await simctl(["run", SCENARIO, "--out", out, "--seed", "8", "--json"]);
    expect(other.code).toBe(0);
    expect(entries(out)).toEqual(["tiny-7", "tiny-8"]);
    expect(oldOrNew(run)).toBe("old");
    // And a run of the same seed replaces it completely.
    expect((await simctl(["run", SCENARIO, "--out", out, "--json"])).code).toBe(0);
    expect(oldOrNew(run)).toBe("new");
  });

  test("leftovers of a live process, or of another host, are left alone", async () => {
    const out = join(root, "live");
    const host = hostname()
      .replace(/[^A-Za-z0-9]/g, "_")
      .slice(0, 32);
    const mine = join(out, `tiny-9.tmp-${host}-${process.pid}-0`);
    // Another host's leftover (a shard on a shared file system), with a pid not alive here.
    const theirs = join(out, "tiny-9.aside-otherhost-999999999-1");
    cpSync(join(REPO, "test/study/fixtures"), theirs, { recursive: true });
    cpSync(join(REPO, "test/study/fixtures"), mine, { recursive: true });
    expect((await simctl(["run", SCENARIO, "--out", out, "--json"])).code).toBe(0);
    expect(existsSync(mine)).toBe(true);
    expect(existsSync(theirs)).toBe(true);
  });
});

describe("--out is checked before simulating", () => {
  const cases: [string, string, RegExp][] = [
    ["a file", "FILE", /^simctl: --out .*FILE: expected a directory, found a file\n$/],
    ["below a file", "FILE/x", /^simctl: --out .*FILE\/x: a part of the path is a file, not a directory\n$/],
    ["under /proc", "/proc/nope", /^simctl: --out \/proc\/nope: cannot create directories in \/proc \(ENOENT\)\n$/],
  ];
  for (const [what, out, message] of cases) {
    // validate runs the same check: once is enough.
    for (const command of out === "FILE" ? ["run", "validate"] : ["run"])
      test(`${command} --out ${what}: one line, exit 2, quickly`, async () => {
        const file = join(root, "FILE");
        writeFileSync(file, "not a directory\n");
        const started = Date.now();
        const r = await simctl([command, SCENARIO, "--out", out.replace("FILE", file)]);
        expect(r.stderr).toMatch(message);
        expect(r.code).toBe(2);
        expect(Date.now() - started).toBeLessThan(5000);
      });
  }

  test("a scenario name too long for a run directory is a located error, before anything is written", async () => {
    const dir = mkdtempSync(join(root, "long-"));
    const text = readFileSync(SCENARIO, "utf8").replace("name: tiny", `name: ${"n".repeat(240)}`);
    writeFileSync(join(dir, "long.yaml"), text);
    const r = await simctl(["run", join(dir, "long.yaml"), "--out", join(dir, "out")]);
    expect(r.stderr).toMatch(/long\.yaml:2:7: name: expected a name .*\(at most 128 characters\)/);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  test("a run directory name too long for the file system is refused by the --out check", () => {
    const dir = mkdtempSync(join(root, "long-"));
    expect(() => checkOutputDir("--out", join(dir, "out"), ["n".repeat(240)])).toThrow(
      /^--out .*: the run directory name "n+\.\.\." is too long for the file system \(240 bytes; at most [0-9]+ fit with its temporary suffix\)$/,
    );
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});

describe("an interrupted sweep", () => {
  test("SIGTERM while workers write: they are stopped, their temporary directories removed, exit 143", async () => {
    const out = join(root, "sweep");
    const p = start(["sweep", join(REPO, "test/study/fixtures/nodes-sweep.yaml"), "--out", out, "--workers", "2"], {
      env: { SIMCTL_TEST_PAUSE: "swap" },
    });
    await waitFor(join(out, "runs", ".swap-paused"));
    expect(entries(join(out, "runs")).some((e) => /\.tmp-[A-Za-z0-9_]+-[0-9]+-[0-9]+$/.test(e))).toBe(true);
    p.child.kill("SIGTERM");
    const r = await p.done;
    expect(r.code).toBe(143);
    rmSync(join(out, "runs", ".swap-paused"));
    expect(entries(join(out, "runs")).filter((e) => !/^[0-9]+-[0-9a-f]{16}$/.test(e))).toEqual([]);
  });
});
