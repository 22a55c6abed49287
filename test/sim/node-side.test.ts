import { describe, expect, it } from "vitest";
import { PodPhase, PodReason, PodStage } from "../../src/cluster/pod-table.js";
import { Res } from "../../src/cluster/resources.js";
import { NS_PER } from "../../src/core/time.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { Simulation } from "../../src/sim/simulation.js";
import { summarize } from "../../src/metrics/summary.js";
import { smallScenario } from "./node-scenario.js";

const S = NS_PER.s;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe("node side end to end", () => {
  it("a /28 pod CIDR holds 13 pods: the other 7 of 20 fail RunPodSandbox and retry every 10-15 s", () => {
    const scenario = smallScenario({
      name: "cidr28",
      nodes: 1,
      pool: "      podCIDRPrefix: 28",
      replicas: 20,
      timeLimit: "2m",
    });
    const { simulation: sim, summary } = runScenario(scenario, { write: false });
    const pods = sim.pods;
    expect(pods.size).toBe(20);
    let ready = 0;
    const failing: number[] = [];
    for (let p = 0; p < pods.size; p++) {
      if (!Number.isNaN(pods.time(p, PodStage.sandboxReady))) {
        ready++;
        expect(pods.sandboxFailures[p]).toBe(0);
      } else failing.push(p);
    }
    expect(ready).toBe(13);
    expect(failing.length).toBe(7);
    expect(sim.kubelets.ipam.used(0)).toBe(13);
    expect(sim.nodes.podCidrFree[0]).toBe(0);
    for (const p of failing) {
      // model: pod worker back-off 10 s x (1 + 0.5 u), picked up by the next 1 s sync tick.
      const window = 120 * S - pods.time(p, PodStage.kubeletSeen);
      const n = pods.sandboxFailures[p]!;
      expect(n).toBeGreaterThanOrEqual(Math.floor(window / (16 * S)));
      expect(n).toBeLessThanOrEqual(Math.ceil(window / (10 * S)));
      expect(pods.phase[p]).toBe(PodPhase.Pending);
    }
    expect(summary.node.sandboxFailures).toBe(failing.reduce((a, p) => a + pods.sandboxFailures[p]!, 0));
    expect(summary.pods.running).toBe(13);
  });

  it("pre-pulling the image removes the pull from startup (two seeded runs)", () => {
    const common = {
      nodes: 4,
      replicas: 8,
      image: "registry.example/big:1",
      images: "  - { name: registry.example/big:1, size: 250Mi }",
      registry: "  perNodeBandwidth: 1Gbps",
    };
    const cold = runScenario(
      smallScenario({ ...common, name: "cold", seed: 3, pool: "      images: [registry.k8s.io/pause:3.9]" }),
      { write: false },
    );
    const warm = runScenario(
      smallScenario({
        ...common,
        name: "warm",
        seed: 3,
        pool: "      images: [registry.k8s.io/pause:3.9, registry.example/big:1]",
      }),
      { write: false },
    );
    const pullNs = (250 * 2 ** 20 * S) / (1e9 / 8); // S/b: one pull at the NIC rate
    const startup = (r: typeof cold) => {
      const out: number[] = [];
      for (let p = 0; p < r.simulation.pods.size; p++)
        out.push(r.simulation.pods.time(p, PodStage.running) - r.simulation.pods.time(p, PodStage.created));
      return out;
    };
    expect(warm.summary.node.registry.bytesServed).toBe(0);
    expect(cold.summary.node.registry.bytesServed).toBe(4 * 250 * 2 ** 20);
    for (let p = 0; p < warm.simulation.pods.size; p++) expect(warm.simulation.pods.pullWaitNs[p]).toBe(0);
    // Every cold pod waited for its node's pull; on each node the pull that started it took at
    // least S/b (a pod arriving later joins the pull in flight and waits less).
    const longest = new Float64Array(4);
    const cp = cold.simulation.pods;
    for (let p = 0; p < cp.size; p++) {
      expect(cp.pullWaitNs[p]).toBeGreaterThan(0);
      longest[cp.node[p]!] = Math.max(longest[cp.node[p]!]!, cp.pullWaitNs[p]!);
    }
    for (const w of longest) if (w > 0) expect(w).toBeGreaterThanOrEqual(pullNs - 1e3);
    expect(median(startup(cold)) - median(startup(warm))).toBeGreaterThan(0.9 * pullNs);
    // Excluding pulls, the two runs look alike.
    expect(
      Math.abs(cold.summary.podStartupExcludingPulls.p50Ns! - warm.summary.podStartupExcludingPulls.p50Ns!),
    ).toBeLessThan(1 * S);
    expect(warm.summary.podStartup.p50Ns).toBe(warm.summary.podStartupExcludingPulls.p50Ns);
  });

  it("with serialized pulls a node's images arrive no earlier than the sum of their pull times", () => {
    const images = ["a", "b", "c"]
      .map((x, i) => `  - { name: registry.example/${x}:1, size: ${(i + 1) * 40}Mi }`)
      .join("\n");
    const podSpec = ["a", "b"]
      .map((x) => `                - { name: init-${x}, image: registry.example/${x}:1 }`)
      .join("\n");
    const sim = new Simulation(
      smallScenario({
        nodes: 1,
        replicas: 1,
        image: "registry.example/c:1",
        images,
        podSpec: `              initContainers:\n${podSpec}`,
        registry: "  perNodeBandwidth: 1Gbps",
        kubelet: "  initContainerRuntime: 0s",
      }),
    );
    sim.run();
    const b = 1e9 / 8;
    const sum = ((40 + 80 + 120) * 2 ** 20 * S) / b;
    expect(sim.pods.pullWaitNs[0]).toBeGreaterThanOrEqual(sum - 1e3);
    expect(sim.pods.time(0, PodStage.imagesPulled) - sim.pods.time(0, PodStage.sandboxReady)).toBeGreaterThanOrEqual(
      sum,
    );
    // Init containers ran in order, each after its own pull: init time covers two PLEG-observed exits.
    expect(sim.pods.initNs[0]).toBeGreaterThan(0);
  });

  it("admission refuses a pod the node cannot fit (OutOfcpu), phase Failed", () => {
    const sim = new Simulation(smallScenario({ nodes: 1, replicas: 3, cpu: "1", timeLimit: "1m" }));
    // Something the scheduler does not see (say, a static pod) holds 15.5 of the node's 16 cpus.
    sim.kubelets.perNode.admitted[0 * sim.nodes.resourceCount + Res.cpu] = 15_500;
    const result = sim.run();
    const summary = summarize(sim, result);
    expect(summary.node.admissionRejections).toBeGreaterThanOrEqual(3);
    for (let p = 0; p < 3; p++) {
      expect(sim.pods.reason[p]).toBe(PodReason.outOfResourceBase + Res.cpu);
      expect(sim.pods.phase[p]).toBe(PodPhase.Failed);
      expect(sim.pods.time(p, PodStage.admitted)).toBeNaN();
    }
  });

  it("readiness probes delay Ready past Running: the app answers 7 s after start, the probe ticks every 5 s", () => {
    const sim = new Simulation(
      smallScenario({
        nodes: 2,
        replicas: 6,
        stopWhen: "timeLimit",
        timeLimit: "1m",
        kubelet: "  appStartup: 7s\n  probeLatency: 0s",
        container: "                  readinessProbe: { periodSeconds: 5, httpGet: { port: 80 } }",
      }),
    );
    sim.run();
    for (let p = 0; p < 6; p++) {
      const started = sim.pods.time(p, PodStage.containersStarted);
      const ready = sim.pods.time(p, PodStage.ready);
      const admitted = sim.pods.time(p, PodStage.admitted);
      expect(ready - started).toBeGreaterThanOrEqual(7 * S);
      expect(ready - started).toBeLessThanOrEqual(7 * S + 5 * S);
      expect((ready - admitted) % (5 * S)).toBe(0); // on the probe worker's ticker
      expect(ready).toBeGreaterThan(sim.pods.time(p, PodStage.running));
    }
  });

  it("drain evicts a node's pods; the kubelet stops them and frees their addresses; they run elsewhere", () => {
    const steps = "  - at: 60s\n    drain: { names: [n-0] }";
    const sim = new Simulation(smallScenario({ nodes: 3, replicas: 9, steps, stopWhen: "timeLimit", timeLimit: "3m" }));
    const result = sim.run();
    const summary = summarize(sim, result);
    expect(summary.node.evictions.drain).toBeGreaterThan(0);
    const pods = sim.pods;
    let evicted = 0;
    for (let p = 0; p < pods.size; p++) {
      if (pods.reason[p] === PodReason.EvictionByEvictionAPI) {
        evicted++;
        expect(pods.node[p]).toBe(0);
        expect(pods.time(p, PodStage.terminated)).toBeGreaterThanOrEqual(pods.deletionNs[p]!);
        expect(pods.deletedNs[p]).toBeGreaterThanOrEqual(pods.time(p, PodStage.terminated));
      } else if (pods.time(p, PodStage.created) > 60 * S) {
        expect(pods.node[p]).not.toBe(0);
      }
    }
    expect(evicted).toBe(summary.node.evictions.drain);
    expect(pods.size).toBe(9 + evicted);
    expect(sim.kubelets.ipam.used(0)).toBe(0);
    expect(sim.kubelets.perNode.admitted[Res.pods]).toBe(0);
    expect(summary.node.recovery).toHaveLength(1);
    expect(summary.node.recovery[0]!.timeToRecoveryNs).toBeGreaterThan(0);
  });

  it("hostNetwork pods take no pod IP and no CNI ADD: all 20 start on a /28 node, and their ports are host ports", () => {
    const scenario = smallScenario({
      name: "hostnet",
      nodes: 1,
      pool: "      podCIDRPrefix: 28",
      replicas: 20,
      podSpec: "              hostNetwork: true",
      timeLimit: "2m",
    });
    const { simulation: sim, summary } = runScenario(scenario, { write: false });
    expect(summary.pods.running).toBe(20);
    expect(sim.kubelets.ipam.used(0)).toBe(0);
    for (let p = 0; p < sim.pods.size; p++) expect(sim.pods.sandboxFailures[p]).toBe(0);
    // model: defaults.go sets hostPort = containerPort on the host's network, so two pods with
    // port 9100 never share a node (NodePorts): 3 replicas on 2 nodes leave one Pending.
    const ported = smallScenario({
      name: "hostports",
      nodes: 2,
      replicas: 3,
      podSpec: "              hostNetwork: true",
      container: "                  ports: [{ containerPort: 9100 }]",
      stopWhen: "timeLimit",
      timeLimit: "1m",
    });
    expect(
      ported.workload[0]!.action.kind === "create" &&
        ported.workload[0]!.action.deployments[0]!.pod.containers[0]!.hostPorts,
    ).toEqual([{ ip: "0.0.0.0", protocol: "TCP", port: 9100 }]);
    const r = runScenario(ported, { write: false });
    expect(r.summary.pods.running).toBe(2);
    const nodes = new Set<number>();
    for (let p = 0; p < r.simulation.pods.size; p++)
      if (r.simulation.pods.phase[p] === PodPhase.Running) nodes.add(r.simulation.pods.node[p]!);
    expect(nodes.size).toBe(2);
  });

  it("a sidecar's host port counts for NodePorts as an app container's does (kubernetes#132040)", () => {
    // 3 replicas whose sidecar holds host port 9100, on 2 nodes: one stays Pending.
    const scenario = smallScenario({
      name: "sidecar-port",
      nodes: 2,
      replicas: 3,
      podSpec:
        "              initContainers:\n                - { name: agent, image: registry.k8s.io/pause:3.9, restartPolicy: Always, ports: [{ containerPort: 9100, hostPort: 9100 }] }",
      stopWhen: "timeLimit",
      timeLimit: "1m",
    });
    expect(runScenario(scenario, { write: false }).summary.pods.running).toBe(2);
  });

  it("a hostPort other than its containerPort on the host's network is refused at its line, as validation refuses it", () => {
    expect(() =>
      smallScenario({
        name: "hostnet-bad",
        replicas: 1,
        podSpec: "              hostNetwork: true",
        container: "                  ports: [{ containerPort: 9100, hostPort: 9101 }]",
      }),
    ).toThrow(
      /hostnet-bad\.yaml:\d+:\d+: .*ports\[0\]\.hostPort: expected hostPort equal to containerPort \(9100\) when hostNetwork is true, found 9101/,
    );
  });
});
