import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { beforeAll, describe, expect, test } from "vitest";
import { POD_STAGE_COLUMNS } from "../../src/cluster/pod-table.js";
import { Res } from "../../src/cluster/resources.js";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario, type RunScenarioResult } from "../../src/sim/run-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const out = tmpDir("simctl-e2e-");
let run: RunScenarioResult;

beforeAll(() => {
  run = runScenario(loadScenario("scenarios/10k-pods.yaml"), { outRoot: out });
}, 60_000);

describe("scenarios/10k-pods.yaml end to end", () => {
  test("all 10,000 pods end Running and the summary says so", () => {
    expect(run.summary.pods).toMatchObject({ expected: 10_000, created: 10_000, scheduled: 10_000, running: 10_000 });
    expect(run.summary.timeToAllRunningNs).not.toBeNull();
    expect(run.summary.stopReason).toBe("stopped");
  });

  test("pods.arrow reads back with 10,000 rows and monotone lifecycle timestamps per row", () => {
    const table = tableFromIPC(readFileSync(join(run.outDir!, "pods.arrow")));
    expect(table.numRows).toBe(10_000);
    expect(table.schema.metadata.get("simctl.seed")).toBe("42");
    const cols = POD_STAGE_COLUMNS.map((c) => table.getChild(c)!);
    for (let r = 0; r < table.numRows; r++) {
      let prev = -1n;
      for (const c of cols) {
        const v = c.get(r) as bigint | null;
        expect(v).not.toBeNull();
        expect(v! >= prev).toBe(true);
        prev = v!;
      }
    }
    const summary = JSON.parse(readFileSync(join(run.outDir!, "summary.json"), "utf8"));
    expect(summary.results.pods.running).toBe(10_000);
  });

  test("no node is over-committed on any resource", () => {
    const { nodes, pods, templates } = run.simulation;
    const R = nodes.resourceCount;
    const used = new Float64Array(nodes.size * R);
    for (let p = 0; p < pods.size; p++) {
      const n = pods.node[p]!;
      const req = templates[pods.template[p]!]!.requests;
      for (let r = 0; r < R; r++) used[n * R + r]! += req[r]!;
    }
    for (let i = 0; i < used.length; i++) expect(used[i]).toBeLessThanOrEqual(nodes.allocatable[i]!);
    // The scheduler's own accounting agrees with the bound pods.
    expect(Array.from(nodes.requested)).toEqual(Array.from(used));
    expect(Math.max(...Array.from({ length: nodes.size }, (_, i) => used[i * R + Res.pods]!))).toBeLessThanOrEqual(110);
  });

  test("every created pod is accounted for exactly once", () => {
    const { pods, replicaSetController, store } = run.simulation;
    expect(pods.size).toBe(10_000);
    expect(replicaSetController.creates).toBe(10_000);
    const table = tableFromIPC(readFileSync(join(run.outDir!, "pods.arrow")));
    const names = new Set<string>();
    for (const n of table.getChild("pod")!) names.add(n as string);
    expect(names.size).toBe(10_000);
    for (const rs of store.replicaSets) expect(rs.observedPods).toBe(rs.replicas);
  });

  test.each(["replicaset-controller", "deployment-controller"])(
    "the %s never exceeds its QPS budget: at most burst + qps*T requests in any window T",
    (controller) => {
      const { api, clients } = run.simulation;
      const r = api.requests;
      const client = clients.names.indexOf(`system:serviceaccount:kube-system:${controller}`);
      expect(client).toBeGreaterThanOrEqual(0);
      const sent: number[] = [];
      for (let i = 0; i < r.size; i++) if (r.client[i] === client) sent.push(r.submitNs[i]! + r.limiterWaitNs[i]!);
      sent.sort((a, b) => a - b);
      // For sorted send times t, every window [t_i, t_j] must hold j - i + 1 <= burst + qps (t_j - t_i):
      // equivalently max_j (j - qps t_j) - min_{i<=j} (i - qps t_i) <= burst - 1.
      const qps = 20 / 1e9;
      let minSoFar = Infinity;
      let worst = -Infinity;
      for (let j = 0; j < sent.length; j++) {
        minSoFar = Math.min(minSoFar, j - qps * sent[j]!);
        worst = Math.max(worst, j - qps * sent[j]! - minSoFar);
      }
      expect(worst).toBeLessThanOrEqual(30 - 1 + 1e-6);
    },
  );

  test("summary.json's write mix holds the Lease renewals: nodes x (simulated seconds / 10) within 2%", () => {
    const summary = JSON.parse(readFileSync(join(run.outDir!, "summary.json"), "utf8"));
    const { writeMix, background, simulatedNs } = summary.results;
    const seconds = simulatedNs / 1e9;
    expect(Math.abs(writeMix.leases / ((2000 * seconds) / 10) - 1)).toBeLessThan(0.02);
    // The node Leases alone: JitterUntil's factor 0.04 makes the mean period 10.2 s (plus the
    // renewal's latency), so they come 2% under nodes x T / 10; the leaders' renewals are the rest.
    expect(Math.abs(background.nodeLeaseRenewals / ((2000 * seconds) / 10.2) - 1)).toBeLessThan(0.005);
    expect(writeMix.leases).toBe(background.nodeLeaseRenewals + background.leaderElectionRenewals);
    expect(background.notReadyTransitions).toBe(0);
  });

  test("pod creation is paced by the replicaset controller's client limiter", () => {
    // Its 20 qps / 30 burst bucket alone needs (10000 - 30) / 20 s for the creates.
    expect(run.summary.timeToAllRunningNs!).toBeGreaterThanOrEqual(((10_000 - 30) / 20) * 1e9);
    // The wait names the setting that would change it.
    expect(run.summary.waits[0]!.component).toBe(
      "client rate limiter: system:serviceaccount:kube-system:replicaset-controller (controlPlane.controllerManager.qps = 20, burst 30)",
    );
  });

  test("the same seed gives byte-identical pods.arrow; another seed does not", () => {
    const again = runScenario(loadScenario("scenarios/10k-pods.yaml"), { outRoot: join(out, "again") });
    const other = runScenario(loadScenario("scenarios/10k-pods.yaml", { seed: 43 }), { outRoot: out });
    const a = readFileSync(join(run.outDir!, "pods.arrow"));
    expect(readFileSync(join(again.outDir!, "pods.arrow")).equals(a)).toBe(true);
    expect(readFileSync(join(other.outDir!, "pods.arrow")).equals(a)).toBe(false);
  }, 60_000);
});
