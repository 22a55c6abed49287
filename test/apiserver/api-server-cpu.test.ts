import { describe, expect, test } from "vitest";
import { constant } from "../../src/core/distributions.js";
import { Engine, type EventKind } from "../../src/core/engine.js";
import { RandomStreams } from "../../src/core/random.js";
import { NS_PER } from "../../src/core/time.js";
import { ApiServer, apiServerCpus, type Storage } from "../../src/apiserver/api-server.js";
import { ApiClients } from "../../src/apiserver/clients.js";
import type { ObjectStore } from "../../src/apiserver/object-store.js";
import { Resource, Verb } from "../../src/apiserver/request-table.js";
import { API_SERVER_DEFAULTS, type ApiServerSpec } from "../../src/scenario/sections/api-server.js";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { Simulation } from "../../src/sim/simulation.js";
import { summarize } from "../../src/metrics/summary.js";

const { us, ms, s } = NS_PER;

/** Storage that commits at once, and a store that ignores what it is given: only the server's CPU is left. */
function instantStorage(engine: Engine): Storage {
  return { propose: (req: number, _bytes: number, onCommit: EventKind) => engine.schedule(0, onCommit, req, 1) };
}
const NO_STORE = { apply: () => {} } as unknown as ObjectStore;

/**
 * `clients` closed-loop clients, each sending its next create as soon as the answer to the last
 * one arrives, against a server whose every request costs `costNs` of CPU (half authentication,
 * half validation), over a constant 100 us network. Returns the answers received in [from, to).
 */
function closedLoop(spec: Partial<ApiServerSpec>, clients: number, costNs: number, from: number, to: number) {
  const engine = new Engine();
  const api: ApiServerSpec = {
    ...API_SERVER_DEFAULTS,
    ...spec,
    authentication: constant(costNs / 2),
    authorization: constant(0),
    validation: constant(costNs / 2),
    serializationPerKiBNs: 0,
    network: constant(100 * us),
  };
  const ids = new ApiClients();
  for (let c = 0; c < clients; c++) ids.add(`system:serviceaccount:load:client-${c}`, 1e9, 1e9);
  const cpus = apiServerCpus(api);
  const server = new ApiServer(engine, new RandomStreams(1), api, ids, NO_STORE, instantStorage(engine), cpus);
  let answered = 0;
  const reply = engine.register("reply", (client) => {
    if (engine.now >= from && engine.now < to) answered++;
    server.submit(client, Verb.create, Resource.pods, 0, 0, 5_000, reply, client);
  });
  for (let c = 0; c < clients; c++) server.submit(c, Verb.create, Resource.pods, 0, 0, 5_000, reply, c);
  engine.run({ untilNs: to });
  return { answered, cpus, server };
}

describe("API server replicas are CPU-bound", () => {
  test("a saturated 1-core replica answers 1/cost requests per second, and two 1-core replicas twice that", () => {
    // 16 clients in flight keep one core busy: X = min(N / (cost + 2 x network), cores / cost).
    const cost = 1 * ms;
    const one = closedLoop({ replicas: 1, cpus: 1 }, 16, cost, 1 * s, 3 * s);
    expect(Math.abs(one.answered - (2 * s) / cost)).toBeLessThanOrEqual(1);
    expect(one.cpus[0]!.utilization(3 * s)).toBeGreaterThan(0.99);
    // Clients are spread over the replicas by id (client mod replicas): 8 on each.
    const two = closedLoop({ replicas: 2, cpus: 1 }, 16, cost, 1 * s, 3 * s);
    expect(Math.abs(two.answered - (2 * 2 * s) / cost)).toBeLessThanOrEqual(2);
    for (const cpu of two.cpus) expect(cpu.utilization(3 * s)).toBeGreaterThan(0.99);
    expect(one.server.requests.size).toBeGreaterThan(0);
  });

  test("below saturation a client is bound by its round trip, not the cores", () => {
    // 1 client, 1 ms of CPU and 200 us of network a request: X = 1 / 1.2 ms, the core 83% busy.
    const { answered, cpus } = closedLoop({ replicas: 1, cpus: 1 }, 1, 1 * ms, 1 * s, 3 * s);
    expect(Math.abs(answered - (2 * s) / (1.2 * ms))).toBeLessThanOrEqual(1);
    expect(cpus[0]!.waitNs).toBe(0);
  });

  test("authentication happens before API Priority and Fairness: its CPU wait is not seat time", () => {
    // Every client sends at once: authentications queue on the one core, each then gets a seat.
    const engine = new Engine();
    const api: ApiServerSpec = {
      ...API_SERVER_DEFAULTS,
      cpus: 1,
      authentication: constant(1 * ms),
      authorization: constant(0),
      validation: constant(0),
      serializationPerKiBNs: 0,
      network: constant(0),
    };
    const ids = new ApiClients();
    for (let c = 0; c < 10; c++) ids.add(`system:serviceaccount:load:client-${c}`, 1e9, 1e9);
    const server = new ApiServer(
      engine,
      new RandomStreams(1),
      api,
      ids,
      NO_STORE,
      instantStorage(engine),
      apiServerCpus(api),
    );
    const sink = engine.register("sink", () => {});
    for (let c = 0; c < 10; c++) server.submit(c, Verb.create, Resource.pods, 0, 0, 5_000, sink, c);
    engine.run();
    const r = server.requests;
    for (let i = 0; i < 10; i++) {
      // Request i waited i ms for the core, then asked for its seat.
      expect(r.seatAskNs[i]).toBe((i + 1) * ms);
      expect(r.seatWaitNs[i]).toBe(0);
    }
    // Authentications waited 0 + 1 + ... + 9 ms; each request's (zero-cost) handler burst, ready
    // when its authentication ended, then waited for the authentications booked before it: 45 ms more.
    expect(server.cpus[0]!.waitNs).toBe(90 * ms);
  });
});

const LOADED = (apiserver: string) => `
name: cpu-bound
seed: 7
cluster:
  nodePools:
    - { name: n, count: 20, allocatable: { cpu: 16, memory: 64Gi } }
images:
  - { name: app:1, size: 10Mi }
controlPlane:
  apiserver: { validation: 2ms, ${apiserver} }
  controllerManager: { qps: 500, burst: 500 }
  scheduler: { qps: 500, burst: 500 }
workload:
  - at: 0s
    deployments:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: 400
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: c, image: app:1, resources: { requests: { cpu: 100m } } }]
`;

/** Mean client-view latency of every answered request, and the summary of the run. */
function loadedRun(apiserver: string) {
  const sim = new Simulation(parseScenario("cpu-bound.yaml", LOADED(apiserver)));
  const result = sim.run();
  const r = sim.api.requests;
  let total = 0;
  let answered = 0;
  for (let i = 0; i < r.size; i++) {
    // A request still in flight when the run stops (a kubelet's last status write) has no answer.
    if (Number.isNaN(r.doneNs[i])) continue;
    total += r.doneNs[i]! - r.submitNs[i]! - r.limiterWaitNs[i]!;
    answered++;
  }
  return { meanNs: total / answered, summary: summarize(sim, result), sim };
}

describe("cpus and replicas under load", () => {
  test("with the cores busy, more cores per replica or more replicas answer faster", () => {
    const one = loadedRun("cpus: 1");
    const four = loadedRun("cpus: 4");
    const twoReplicas = loadedRun("cpus: 1, replicas: 2");
    // 2 ms of validation per write on one core: ~500 writes/s at most, so writes queue for it.
    expect(one.summary.apiServerCpu[0]!.waitNs).toBeGreaterThan(10 * s);
    expect(four.meanNs).toBeLessThan(one.meanNs / 2);
    expect(twoReplicas.meanNs).toBeLessThan(one.meanNs * 0.8);
    expect(twoReplicas.summary.apiServerCpu.map((c) => c.name)).toEqual(["kube-apiserver-0", "kube-apiserver-1"]);
    // The CPU queues appear in "where the time went", with their mean wait per burst.
    const row = one.summary.waits.find((w) => w.component === "CPU queue: kube-apiserver-0 (mean per burst)")!;
    const cpu = one.sim.api.cpus[0]!;
    expect(row.totalNs).toBe(cpu.waitNs);
    expect(row.meanNs).toBe(Math.round(cpu.waitNs / cpu.bursts));
    expect(one.summary.apiServerCpu[0]!.utilization).toBeGreaterThan(four.summary.apiServerCpu[0]!.utilization);
  });

  test("the default cores follow upstream's control-plane sizing by node count, and cpus in the scenario wins", () => {
    const nodes = (n: number, extra = "") =>
      parseScenario("s.yaml", LOADED(extra || "replicas: 1").replace("count: 20", `count: ${n}`)).apiserver.cpus;
    expect([5, 6, 10, 11, 100, 101, 250, 251, 500, 501, 3000, 3001].map((n) => nodes(n))).toEqual([
      1, 2, 2, 4, 4, 8, 8, 16, 16, 32, 32, 64,
    ]);
    expect(nodes(2000, "cpus: 3")).toBe(3);
  });
});

describe("controlPlane.apiserver.cpus is validated", () => {
  const text = (cpus: string) => LOADED(`cpus: ${cpus}`);
  for (const [cpus, found] of [
    ["0", "0"],
    ["1.5", "1.5"],
    ["x", '"x"'],
  ] as const) {
    test(`cpus: ${cpus} is a located error`, () => {
      let issues: unknown[] = [];
      try {
        parseScenario("bad.yaml", text(cpus));
      } catch (e) {
        issues = (e as { issues: unknown[] }).issues;
      }
      expect(issues).toEqual([
        expect.objectContaining({
          file: "bad.yaml",
          path: "controlPlane.apiserver.cpus",
          line: 10,
          column: text(cpus).split("\n")[9]!.indexOf("cpus:") + 7,
          expected: "an integer from 1 to 256",
          found,
        }),
      ]);
    });
  }
});
