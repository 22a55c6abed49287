import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { smallScenario } from "./node-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const S = NS_PER.s;

/** One column of an Arrow file's table as plain values. */
function columns(file: string) {
  const t = tableFromIPC(readFileSync(file));
  return {
    rows: t.numRows,
    col: (n: string) => Array.from({ length: t.numRows }, (_, i) => t.getChild(n)!.get(i) as unknown),
  };
}

/**
 * Per Deployment, the fewest pods Running at one instant from the first instant all `replicas`
 * ran: a sweep over pods.arrow's [running_ns, deletion_ns) intervals.
 */
function lowestRunning(podsArrow: string, replicas: number): Map<string, number> {
  const { rows, col } = columns(podsArrow);
  const dep = col("deployment");
  const running = col("running_ns");
  const deletion = col("deletion_ns");
  const events = new Map<string, [number, number][]>();
  for (let i = 0; i < rows; i++) {
    if (running[i] === null) continue;
    const list = events.get(dep[i] as string) ?? [];
    events.set(dep[i] as string, list);
    list.push([Number(running[i]), 1]);
    if (deletion[i] !== null) list.push([Number(deletion[i]), -1]);
  }
  const out = new Map<string, number>();
  for (const [d, ev] of events) {
    ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let full = false;
    let min = Infinity;
    for (let k = 0; k < ev.length; k++) {
      now += ev[k]![1];
      if (k + 1 < ev.length && ev[k + 1]![0] === ev[k]![0]) continue;
      full ||= now >= replicas;
      if (full) min = Math.min(min, now);
    }
    out.set(d, min);
  }
  return out;
}

function upgradeScenario(
  name: string,
  o: { nodes: number; replicas: number; pdb?: string; upgrade: string; kubelet?: string },
) {
  const steps = [
    ...(o.pdb === undefined ? [] : [`  - at: 0s\n    apply: pdb/${o.pdb}`]),
    `  - at: 60s\n    upgradePool: ${o.upgrade}`,
  ].join("\n");
  return smallScenario({
    name,
    nodes: o.nodes,
    replicas: o.replicas,
    steps,
    timeLimit: "6h",
    ...(o.kubelet === undefined ? {} : { kubelet: o.kubelet }),
  });
}

/** Runs {@link upgradeScenario} with its outputs in a new directory: the summary, its upgrade record and the run's directory. */
function runUpgrade(name: string, o: Parameters<typeof upgradeScenario>[1]) {
  const scenario = upgradeScenario(name, o);
  const out = tmpDir("simctl-upgrade-");
  const { summary } = runScenario(scenario, { outRoot: out });
  return { summary, up: summary.node.upgrades![0]!, dir: join(out, `${name}-1`) };
}

describe("upgradePool: a GKE-style surge upgrade of a node pool", () => {
  it("scenarios/node-pool-upgrade.yaml: no budget violated at any instant, every pod ends Running, the duration reported", () => {
    const scenario = loadScenario("scenarios/node-pool-upgrade.yaml");
    const out = tmpDir("simctl-upgrade-");
    const { summary } = runScenario(scenario, { outRoot: out });
    const up = summary.node.upgrades![0]!;
    expect(up.nodes).toBe(300);
    expect(up.nodesUpgraded).toBe(300);
    expect(up.batches).toBe(300);
    expect(up.durationNs).toBeGreaterThan(300 * 30 * S);
    expect(up.forcedDeletions).toBe(0);
    expect(up.podsDisrupted).toBeGreaterThanOrEqual(3000);
    expect(summary.stopReason).toBe("stopped");
    expect(summary.timeToAllRunningNs).toBeGreaterThanOrEqual(up.atNs + up.durationNs!);
    const dir = join(out, "node-pool-upgrade-15");
    // minAvailable 80% of 100 replicas: 80 Running at every instant once all 100 first were.
    const low = lowestRunning(join(dir, "pods.arrow"), 100);
    expect(low.size).toBe(30);
    for (const [d, n] of low) expect(n, d).toBeGreaterThanOrEqual(80);
    // Every pod not deleted is Running, on a new node; no old node is left.
    const { rows, col } = columns(join(dir, "pods.arrow"));
    const deletion = col("deletion_ns");
    const phase = col("phase");
    const node = col("node");
    let live = 0;
    for (let i = 0; i < rows; i++) {
      if (deletion[i] !== null) continue;
      live++;
      expect(phase[i]).toBe("Running");
      expect(Number((node[i] as string).split("-").pop())).toBeGreaterThanOrEqual(300);
    }
    expect(live).toBe(3000);
    expect(summary.node.availability).toHaveLength(30);
  }, 120_000);

  it("budgets hold the drains back: refused evictions retried, never fewer than minAvailable Running", () => {
    // 2 old nodes drained at once (maxUnavailable 2), 6 pods, minAvailable 5: one eviction at a time.
    const { summary, up, dir } = runUpgrade("upgrade-pdb", {
      nodes: 3,
      replicas: 6,
      pdb: "web-pdb-5.yaml",
      upgrade: "{ pool: n, maxSurge: 0, maxUnavailable: 2, provisioning: 20s }",
    });
    expect(up.batches).toBe(2);
    expect(up.nodesUpgraded).toBe(3);
    expect(up.evictionsRefused).toBeGreaterThan(0);
    expect(up.blockedByPdbNs).toBe(up.evictionsRefused * 5 * S);
    expect(up.blockedWallNs).toBeGreaterThan(0);
    expect(up.blockedWallNs).toBeLessThanOrEqual(up.durationNs!);
    expect(up.forcedDeletions).toBe(0);
    expect(lowestRunning(join(dir, "pods.arrow"), 6).get("web")).toBeGreaterThanOrEqual(5);
    expect(summary.node.availability![0]!.lowestRunning).toBeGreaterThanOrEqual(5);
    expect(summary.pods.running).toBe(6);
  });

  it("past drainTimeout the pods left are force-deleted and the upgrade goes on", () => {
    // minAvailable 100%: no eviction is ever admitted.
    const { summary, up } = runUpgrade("upgrade-forced", {
      nodes: 2,
      replicas: 4,
      pdb: "web-pdb-all.yaml",
      upgrade: "{ pool: n, drainTimeout: 2m, provisioning: 30s }",
    });
    expect(up.nodesUpgraded).toBe(2);
    expect(up.drainsTimedOut).toBe(2);
    expect(up.longestDrainNs).toBe(2 * 60 * S);
    expect(up.evictionRequests - up.evictionsRefused).toBe(0);
    // Each node's pods at its deadline are deleted with grace 0: the 4 pods, plus those that
    // landed on the second old node after the first node's pods were forced off it.
    expect(up.forcedDeletions).toBeGreaterThanOrEqual(4);
    expect(up.forcedDeletions).toBe(up.podsDisrupted);
    expect(summary.pods.running).toBe(4);
  });

  it.each([
    ["one surge node", "maxSurge: 1, maxUnavailable: 0"],
    ["one unavailable node", "maxSurge: 0, maxUnavailable: 1"],
  ])("closed form, %s: duration = nodes x (provisioning + drain) + the registrations' round trips", (_n, settings) => {
    // Constant provisioning 40 s; every container stops in 2 s, so each drain (cordon to the
    // poll that finds its pods deleted) is 3 s: the 1 s polls see them gone at the first poll
    // after 2 s plus the API round trips (well under 1 s). A node's upgrade is sequential:
    // provision + register + drain, one node after another.
    const nodes = 4;
    const { up, dir } = runUpgrade(`upgrade-closed-${settings.startsWith("maxSurge: 1") ? "surge" : "unavail"}`, {
      nodes,
      replicas: 40,
      upgrade: `{ pool: n, ${settings}, provisioning: 40s }`,
      kubelet: "  containerStop: 2s",
    });
    expect(up.batches).toBe(nodes);
    expect(up.longestDrainNs).toBe(3 * S);
    const { rows, col } = columns(join(dir, "api.arrow"));
    const resource = col("resource");
    const verb = col("verb");
    const submit = col("submit_ns");
    const done = col("done_ns");
    let registrations = 0;
    let roundTrips = 0;
    for (let i = 0; i < rows; i++) {
      if (resource[i] !== "nodes" || verb[i] !== "create") continue;
      registrations++;
      roundTrips += Number(done[i]) - Number(submit[i]);
    }
    expect(registrations).toBe(nodes);
    expect(up.durationNs).toBe(nodes * (40 * S + 3 * S) + roundTrips);
  });
});
