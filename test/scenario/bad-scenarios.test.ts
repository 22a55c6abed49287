import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { ScenarioError, type ScenarioIssue } from "../../src/scenario/scenario-error.js";
import { tmpDir } from "../tmp-dir.js";

const dir = tmpDir("simctl-bad-");

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: app
          image: registry.k8s.io/pause:3.9
          resources: { requests: { cpu: 100m, memory: 64Mi } }
`;

/** A valid scenario; each case replaces one line (given as [line number, new text]) or appends. */
const GOOD = `name: small
seed: 1
cluster:
  nodePools:
    - name: pool
      count: 4
      allocatable: { cpu: 4, memory: 8Gi }
images:
  - { name: registry.k8s.io/pause:3.9, size: 300Ki }
controlPlane:
  etcd:
    members: 3
    walFsync: { dist: lognormal, p50: 1ms, p99: 5ms }
workload:
  - at: 0s
    apply: web.yaml
stop:
  when: allRunning
`;
writeFileSync(join(dir, "web.yaml"), DEPLOYMENT);

function issuesOf(text: string, manifest?: string): ScenarioIssue[] {
  const file = join(dir, `case-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  if (manifest !== undefined) writeFileSync(join(dir, "web.yaml"), manifest);
  try {
    loadScenario(file);
  } catch (e) {
    if (e instanceof ScenarioError) {
      for (const i of e.issues) expect(i.file.startsWith(dir)).toBe(true);
      return [...e.issues];
    }
    throw e;
  } finally {
    writeFileSync(join(dir, "web.yaml"), DEPLOYMENT);
  }
  return [];
}

function replaceLine(n: number, line: string): string {
  const lines = GOOD.split("\n");
  lines[n - 1] = line;
  return lines.join("\n");
}

describe("scenario validation locates every error", () => {
  test("the good scenario loads", () => {
    expect(issuesOf(GOOD)).toEqual([]);
  });

  test("unknown key, with a did-you-mean", () => {
    const [i, ...rest] = issuesOf(replaceLine(6, "      cont: 4"));
    expect(rest.length).toBeGreaterThanOrEqual(1); // count is now missing, reported too
    expect(i).toMatchObject({
      path: "cluster.nodePools[0].cont",
      line: 6,
      column: 7,
      found: 'unknown key "cont"',
      hint: 'did you mean "count"?',
    });
  });

  test("wrong type: a word where an integer belongs", () => {
    expect(issuesOf(replaceLine(6, "      count: ten"))).toEqual([
      expect.objectContaining({
        path: "cluster.nodePools[0].count",
        line: 6,
        column: 14,
        expected: "an integer from 1 to 1000000",
        found: '"ten"',
      }),
    ]);
  });

  test("upgradePool: an unknown pool, and no parallelism (maxSurge and maxUnavailable both 0)", () => {
    const step = (body: string) => GOOD.replace("stop:", `  - at: 1m\n    upgradePool: ${body}\nstop:`);
    expect(issuesOf(step("{ pool: general }"))).toEqual([
      expect.objectContaining({
        path: "workload[1].upgradePool.pool",
        line: 18,
        column: 26,
        expected: "a node pool of cluster.nodePools (pool)",
      }),
    ]);
    expect(issuesOf(step("{ pool: pool, maxSurge: 0, maxUnavailable: 0 }"))).toEqual([
      expect.objectContaining({
        path: "workload[1].upgradePool",
        expected: "maxSurge + maxUnavailable of at least 1 (found 0 and 0)",
      }),
    ]);
    expect(issuesOf(step("{ pool: pool, drainTimeout: 0s }"))[0]).toMatchObject({
      path: "workload[1].upgradePool.drainTimeout",
    });
    expect(issuesOf(step("{ pool: pool, maxSurge: 2 }"))).toEqual([]);
  });

  test("a duration without its unit", () => {
    const [i] = issuesOf(replaceLine(15, "  - at: 30"));
    expect(i).toMatchObject({
      path: "workload[0].at",
      line: 15,
      column: 9,
      found: "30",
      hint: 'write the unit, e.g. "30ms" or "30s"',
    });
  });

  test("an enum value with the wrong case, with a did-you-mean", () => {
    const [i] = issuesOf(replaceLine(18, "  when: allrunning"));
    expect(i).toMatchObject({
      path: "stop.when",
      line: 18,
      column: 9,
      expected: "one of allRunning, timeLimit",
      hint: 'did you mean "allRunning"?',
    });
  });

  test("a lognormal whose p99 is below its p50", () => {
    const [i] = issuesOf(replaceLine(13, "    walFsync: { dist: lognormal, p50: 5ms, p99: 1ms }"));
    expect(i).toMatchObject({
      path: "controlPlane.etcd.walFsync.p99",
      line: 13,
      column: 49,
      expected: "a duration no less than p50 (5000000 ns)",
      found: '"1ms"',
    });
  });

  test("an even number of etcd members", () => {
    const [i] = issuesOf(replaceLine(12, "    members: 4"));
    expect(i).toMatchObject({
      path: "controlPlane.etcd.members",
      line: 12,
      column: 14,
      expected: "an odd number of members (1, 3, 5 or 7)",
      found: "4",
    });
  });

  test("a malformed quantity", () => {
    const [i] = issuesOf(replaceLine(7, "      allocatable: { cpu: 4 cores, memory: 8Gi }"));
    expect(i).toMatchObject({ path: "cluster.nodePools[0].allocatable.cpu", line: 7, column: 27, found: '"4 cores"' });
  });

  test("a required section missing", () => {
    const text = GOOD.split("\n")
      .filter((_, i) => i < 2 || i > 6)
      .join("\n");
    const [i] = issuesOf(text);
    expect(i).toMatchObject({ path: "cluster", expected: "a cluster with nodePools and/or nodes", found: "nothing" });
  });

  test("YAML syntax error", () => {
    const [i] = issuesOf(replaceLine(7, "      allocatable: { cpu: 4, memory: 8Gi"));
    expect(i).toMatchObject({ expected: "valid YAML" });
    expect(i!.line).toBeGreaterThanOrEqual(7);
  });

  test("a manifest file that does not exist", () => {
    const [i] = issuesOf(replaceLine(16, "    apply: nope.yaml"));
    expect(i).toMatchObject({ path: "workload[0].apply", line: 16, column: 12 });
    expect(i!.expected).toMatch(/^a manifest file: a readable file/);
  });

  test("an error inside the manifest is located in the manifest file", () => {
    const [i] = issuesOf(GOOD, DEPLOYMENT.replace("          image:", "          imag:"));
    expect(i).toMatchObject({
      path: "spec.template.spec.containers[0].imag",
      line: 12,
      column: 11,
      hint: 'did you mean "image"?',
    });
    expect(i!.file.endsWith("web.yaml")).toBe(true);
  });

  test("a container image that is not declared under images gets the default size, and is reported", () => {
    expect(issuesOf(GOOD, DEPLOYMENT.replace("pause:3.9", "pause:3.10"))).toEqual([]);
  });

  test("a selector that does not match the template labels", () => {
    const [i] = issuesOf(GOOD, DEPLOYMENT.replace("matchLabels: { app: web }", "matchLabels: { app: api }"));
    expect(i).toMatchObject({ path: "spec.selector.matchLabels.app", line: 6 });
  });

  test("several problems are all reported at once", () => {
    const text = replaceLine(18, "  when: allrunning").replace("seed: 1", "seed: -1");
    expect(issuesOf(text).map((i) => i.path)).toEqual(["seed", "stop.when"]);
  });
});
