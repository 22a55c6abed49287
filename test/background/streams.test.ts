import { describe, expect, test } from "vitest";
import { Resource, RESOURCE_NAMES, Status, Verb, VERB_NAMES } from "../../src/apiserver/request-table.js";
import { summarize } from "../../src/metrics/summary.js";
import { Simulation } from "../../src/sim/simulation.js";
import { clusterScenario } from "./cluster.js";

const s = 1e9;

function run(controlPlane: string, nodes = 20, pods = 40, seconds = 120) {
  const sim = new Simulation(clusterScenario({ nodes, pods, seconds, controlPlane }));
  const result = sim.run();
  return { sim, summary: summarize(sim, result) };
}

/** Per "verb resource by client kind": the APF priority levels its requests were classified into. */
function levels(sim: Simulation): Record<string, string[]> {
  const r = sim.api.requests;
  const names = sim.api.apf[0]!.levelNames;
  const out: Record<string, Set<string>> = {};
  for (let i = 0; i < r.size; i++) {
    const who = sim.clients.names[r.client[i]!]!.startsWith("system:node:")
      ? "kubelet"
      : sim.clients.names[r.client[i]!]!;
    const key = `${VERB_NAMES[r.verb[i]!]} ${RESOURCE_NAMES[r.resource[i]!]} by ${who}`;
    const set = out[key] ?? new Set<string>();
    set.add(names[r.level[i]!]!);
    out[key] = set;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]]));
}

describe("background streams through the request path", () => {
  test("each stream is classified by APF as upstream's bootstrap FlowSchemas assign it", () => {
    const { sim } = run("  background: { mode: perRequest }", 10, 20, 30);
    expect(levels(sim)).toMatchObject({
      "update leases by kubelet": ["node-high"],
      "get nodes by kubelet": ["node-high"],
      "update leases by system:kube-controller-manager": ["leader-election"],
      "update leases by system:kube-scheduler": ["leader-election"],
      "create events by kubelet": ["system"],
      "create events by system:kube-scheduler": ["workload-high"],
    });
  });

  test("renewals follow their periods: node Leases every 10 s + up to 4% jitter, leaders every 2 s", () => {
    for (const mode of ["perRequest", "aggregate"]) {
      const { summary } = run(`  background: { mode: ${mode} }`);
      const b = summary.background;
      // Mean period 10 s x 1.02 (JitterUntil, factor 0.04) plus the renewal's latency.
      expect(b.nodeLeaseRenewals! / ((20 * 120) / 10.2)).toBeGreaterThan(0.97);
      expect(b.nodeLeaseRenewals! / ((20 * 120) / 10.2)).toBeLessThan(1.03);
      expect(b.leaderElectionRenewals).toBeGreaterThanOrEqual(2 * 59);
      expect(b.leaderElectionRenewals).toBeLessThanOrEqual(2 * 60);
      expect(summary.writeMix.leases).toBe(b.nodeLeaseRenewals! + b.leaderElectionRenewals!);
      // Every 10 s a GET of the Node; a status PATCH only when the node's pods changed, or every 5 min.
      expect(b.nodeStatusGets! / ((20 * 120) / 10.2)).toBeGreaterThan(0.97);
      expect(b.nodeStatusPatches).toBeLessThan(b.nodeStatusGets! / 4);
      expect(b.nodeStatusPatches).toBeGreaterThanOrEqual(20);
      expect(summary.writeMix["nodes/status"]).toBe(b.nodeStatusPatches);
      // Scheduled, then Pulled, Created, Started of the one container (image pre-pulled).
      expect(b.events).toEqual({ recorded: 40 * 4, spamFiltered: 0, written: 40 * 4 });
      expect(summary.writeMix.events).toBe(160);
      expect(b.leaseRenewalLatency.p99Ns).toBeLessThan(0.05 * s);
      expect(b.notReadyTransitions).toBe(0);
    }
  });

  test("each stream can be turned off, and its period changed", () => {
    const off = run(
      "  background: { nodeLeases: { enabled: false }, nodeStatus: { enabled: false }, leaderElection: { enabled: false }, events: { enabled: false } }",
    );
    expect(off.summary.writeMix.leases).toBeUndefined();
    expect(off.summary.writeMix.events).toBeUndefined();
    expect(off.summary.writeMix["nodes/status"]).toBeUndefined();
    expect(off.summary.background.nodeLeaseRenewals).toBeNull();
    const fast = run("  background: { nodeLeases: { period: 5s } }");
    expect(fast.summary.background.nodeLeaseRenewals! / ((20 * 120) / 5.1)).toBeGreaterThan(0.97);
  });
});

describe("random streams", () => {
  test("each stream draws from its own named stream: turning the others off leaves the Leases' phases alone", () => {
    const firstRenewals = (cp: string) => {
      const { sim } = run(cp, 20, 40, 12);
      const r = sim.api.requests;
      const first = new Map<string, number>();
      for (let i = 0; i < r.size; i++) {
        const who = sim.clients.names[r.client[i]!]!;
        if (r.resource[i] === Resource.leases && who.startsWith("system:node:") && !first.has(who))
          first.set(who, r.submitNs[i]!);
      }
      return [...first.entries()].sort();
    };
    const all = firstRenewals("  background: { mode: perRequest }");
    const leasesOnly = firstRenewals(
      "  background: { mode: perRequest, nodeStatus: { enabled: false }, leaderElection: { enabled: false }, events: { enabled: false } }",
    );
    expect(all.length).toBe(20);
    expect(leasesOnly).toEqual(all);
  });
});

describe("aggregate mode against one request each (50 nodes)", () => {
  test("etcd throughput, commit latency and APF wait agree within 5%", () => {
    // Few seats, so that requests do wait in APF; Events off: only the periodic streams differ.
    const cp = (mode: string) =>
      `  apiserver: { maxRequestsInflight: 8, maxMutatingRequestsInflight: 4 }\n  background: { mode: ${mode}, events: { enabled: false } }`;
    const figures = (mode: string) => {
      const { sim } = run(cp(mode), 50, 500, 120);
      const lat = sim.etcd.commitLatency;
      const r = sim.api.requests;
      let wait = 0;
      let n = 0;
      for (let i = 0; i < r.size; i++) {
        if (Number.isNaN(r.doneNs[i])) continue;
        wait += r.seatWaitNs[i]! * r.count[i]!;
        n += r.count[i]!;
      }
      return { throughput: sim.etcd.revision / 120, commitMeanNs: lat.sumNs / lat.commits, apfWaitMeanNs: wait / n };
    };
    const agg = figures("aggregate");
    const per = figures("perRequest");
    expect(per.apfWaitMeanNs).toBeGreaterThan(1e6);
    for (const k of ["throughput", "commitMeanNs", "apfWaitMeanNs"] as const)
      expect(Math.abs(agg[k] - per[k]) / per[k], k).toBeLessThan(0.05);
  });
});

describe("LISTs through the request path", () => {
  test("a LIST takes its client's FlowSchema, its serving CPU on the replica, and no etcd round trip", () => {
    const sim = new Simulation(clusterScenario({ nodes: 10, pods: 10, seconds: 5 }));
    const client = sim.clients.names.indexOf("system:node:n-3");
    let answered = -1;
    const kind = sim.engine.register("test.listed", (_t, req) => {
      answered = req;
    });
    const req = sim.api.list(client, Resource.pods, 5_000, 20e6, kind, 0);
    sim.run();
    const r = sim.api.requests;
    expect(answered).toBe(req);
    expect(r.verb[req]).toBe(Verb.list);
    expect(r.status[req]).toBe(Status.ok);
    expect(sim.api.apf[0]!.levelNames[r.level[req]!]).toBe("system");
    expect(r.doneNs[req]! - r.submitNs[req]!).toBeGreaterThan(20e6);
    expect(Number.isNaN(r.storageNs[req])).toBe(true);
  });
});
