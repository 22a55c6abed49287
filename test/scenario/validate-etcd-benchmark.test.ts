import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test } from "vitest";
import { ScenarioError } from "../../src/scenario/scenario-error.js";
import { validateScenarioFile } from "../../src/scenario/validate-file.js";

test("validate accepts the repo's etcd benchmark scenario", () => {
  const v = validateScenarioFile("scenarios/etcd-benchmark.yaml");
  expect(v.kind).toBe("etcdBenchmark");
});

test("validate rejects a bad etcd benchmark scenario with a located error", () => {
  const dir = mkdtempSync(join("test", ".tmp-validate-"));
  const file = relative(process.cwd(), join(dir, "bad.yaml"));
  writeFileSync(
    file,
    "name: b\nseed: 1\netcd:\n  members: 3\nbenchmark:\n  - { clients: 0, total: 10, keySize: 8, valueSize: 256 }\n",
  );
  expect(() => validateScenarioFile(file)).toThrow(ScenarioError);
  try {
    validateScenarioFile(file);
  } catch (e) {
    expect((e as ScenarioError).issues[0]).toMatchObject({ path: "benchmark[0].clients", line: 6 });
  } finally {
    rmSync(dir, { recursive: true });
  }
});
