import { describe, expect, test } from "vitest";
import { parseScenario, loadScenario } from "../../src/scenario/load-scenario.js";
import { finalReplicas } from "../../src/scenario/sections/workload.js";
import { masterCpus } from "../../src/scenario/sections/api-server.js";
import { loadScaledScenario, scaleCount, scaleScenarioText } from "../../src/study/scale.js";
import { readFileSync } from "node:fs";

describe("scale", () => {
  test("scaleCount rounds to the nearest integer, keeps at least 1, keeps 0", () => {
    expect(scaleCount(2000, 0.01)).toBe(20);
    expect(scaleCount(1000, 0.0125)).toBe(13);
    expect(scaleCount(3, 0.01)).toBe(1);
    expect(scaleCount(0, 10)).toBe(0);
    expect(scaleCount(7, 2)).toBe(14);
  });

  test("10k-pods at scale 0.01: 20 nodes and 10 Deployments of 10 replicas, everything else unchanged", () => {
    const full = loadScenario("scenarios/10k-pods.yaml");
    const small = loadScaledScenario("scenarios/10k-pods.yaml", 0.01);
    expect(small.nodePools.map((p) => p.count)).toEqual([20]);
    expect(finalReplicas(small.workload)).toBe(100);
    expect(finalReplicas(full.workload)).toBe(10_000);
    // The manifest applied from a file was inlined with its replicas scaled; names and pods are as before.
    const names = (s: typeof full) =>
      s.workload.flatMap((w) => (w.action.kind === "create" ? w.action.deployments.map((d) => d.name) : []));
    expect(names(small)).toEqual(names(full));
    // The API server's default cores follow the (scaled) node count, as upstream sizes the
    // control plane for the cluster it creates.
    expect([small.apiserver.cpus, full.apiserver.cpus]).toEqual([masterCpus(20), masterCpus(2000)]);
    expect({ ...small, nodePools: undefined, workload: undefined, apiserver: { ...small.apiserver, cpus: 0 } }).toEqual(
      {
        ...full,
        nodePools: undefined,
        workload: undefined,
        apiserver: { ...full.apiserver, cpus: 0 },
      },
    );
  });

  test("scale 1 returns the text unchanged; inline replicas and node-event counts scale", () => {
    const text = readFileSync("test/study/fixtures/tiny.yaml", "utf8");
    expect(scaleScenarioText("test/study/fixtures/tiny.yaml", text, 1)).toBe(text);
    const s = parseScenario(
      "test/study/fixtures/tiny.yaml",
      scaleScenarioText("test/study/fixtures/tiny.yaml", text, 2.5),
    );
    expect(s.nodePools[0]!.count).toBe(10);
    expect(finalReplicas(s.workload)).toBe(60);
  });

  test("rejects a factor that is not positive", () => {
    expect(() => scaleScenarioText("x.yaml", "name: x", 0)).toThrow(RangeError);
    expect(() => scaleScenarioText("x.yaml", "name: x", Number.NaN)).toThrow(RangeError);
  });
});
