import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { tmpDir } from "../tmp-dir.js";

test("the same scenario read from another directory gives byte-identical Arrow files", () => {
  const dir = tmpDir("simctl-path-");
  mkdirSync(join(dir, "profiles"));
  copyFileSync("scenarios/binpack-vs-spread.yaml", join(dir, "copy.yaml"));
  const out = tmpDir("simctl-path-out-");
  const a = runScenario(loadScenario("scenarios/binpack-vs-spread.yaml"), { outRoot: join(out, "a") });
  const b = runScenario(loadScenario(join(dir, "copy.yaml")), { outRoot: join(out, "b") });
  for (const table of ["pods", "scheduler", "api", "etcd", "timeseries", "nodes", "registry"]) {
    const x = readFileSync(join(a.outDir!, `${table}.arrow`));
    const y = readFileSync(join(b.outDir!, `${table}.arrow`));
    expect(y.equals(x), `${table}.arrow differs`).toBe(true);
  }
});
