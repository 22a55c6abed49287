import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { ensureDist, REPO } from "./simctl.js";

// What `npm i -g simctl-k8s` and `npx simctl-k8s` get. Installing the packed tarball from a
// temporary directory (npm pack, then npm install of the .tgz: about 20 s with the registry)
// was checked by hand; this checks the tarball's contents and the bin without the network.

beforeAll(() => ensureDist(), 120_000);

describe("the npm package", () => {
  test("is simctl-k8s, with the bins simctl and simctl-k8s on the same entry", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    expect(pkg.name).toBe("simctl-k8s");
    expect(pkg.bin).toEqual({ simctl: "bin/simctl.js", "simctl-k8s": "bin/simctl.js" });
  });

  test("npm pack holds the bin, the compiled CLI with its worker entries and the scenarios, and no sources or tests", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: REPO,
      encoding: "utf8",
    });
    const files = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    for (const f of [
      "bin/simctl.js",
      "dist/cli/main.js",
      "dist/cli/run-worker.js",
      "dist/study/run-worker.js",
      "dist/cli/commands/gate.js",
      "dist/index.js",
      "scenarios/10k-pods.yaml",
    ])
      expect(files, f).toContain(f);
    expect([...files].filter((f) => /^(src|test|bench)\//.test(f))).toEqual([]);
  });

  test("run as simctl-k8s, the help names simctl-k8s", () => {
    const dir = mkdtempSync(join(tmpdir(), "simctl-bin-"));
    try {
      const bin = join(dir, "simctl-k8s");
      symlinkSync(join(REPO, "bin", "simctl.js"), bin);
      const help = execFileSync(process.execPath, [bin, "--help"], { cwd: dir, encoding: "utf8" });
      expect(help.split("\n")[0]).toBe("simctl-k8s <command>");
      expect(help).toContain("simctl-k8s gate <baseline>");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
