import { describe, expect, it } from "vitest";
import { PodStage } from "../../src/cluster/pod-table.js";
import { NS_PER } from "../../src/core/time.js";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { smallScenario } from "./node-scenario.js";

const S = NS_PER.s;
const MiB = 2 ** 20;

describe("image pull storm: many nodes pull one image from one registry", () => {
  // A reduced scenarios/image-pull-storm.yaml: 150 nodes, a 100 MiB image in two layers,
  // registry 400 Mbps (50 MB/s) shared, nodes 1 Gbps.
  const B = 400e6 / 8;
  const run = runScenario(
    smallScenario({
      name: "pull-storm-small",
      nodes: 150,
      replicas: 150,
      pool: "      images: [registry.k8s.io/pause:3.9]",
      image: "registry.example/model:1",
      images:
        '  - name: registry.example/model:1\n    layers:\n      - { digest: "sha256:aa", size: 30Mi }\n      - { digest: "sha256:bb", size: 70Mi }',
      registry: "  bandwidth: 400Mbps\n  perNodeBandwidth: 1Gbps",
      cpu: "4",
    }),
    { write: false },
  );
  const { simulation: sim, summary } = run;

  it("the registry is the bottleneck: the last pull ends no earlier than N*S/B after the first began", () => {
    const nodesPulling = summary.node.pulls.started;
    expect(nodesPulling).toBeGreaterThan(100);
    const bytes = nodesPulling * 100 * MiB;
    expect(summary.node.registry.bytesServed).toBe(bytes);
    let first = Infinity;
    let last = -Infinity;
    for (let p = 0; p < sim.pods.size; p++) {
      first = Math.min(first, sim.pods.time(p, PodStage.sandboxReady));
      last = Math.max(last, sim.pods.time(p, PodStage.imagesPulled));
    }
    expect(last - first).toBeGreaterThanOrEqual((bytes * S) / B);
  });

  it("the summary shows saturation: peak throughput at the bandwidth for (almost) the whole transfer", () => {
    const reg = summary.node.registry;
    expect(reg.peakUtilization).toBe(1);
    expect(reg.peakThroughputBytesPerSec).toBe(Math.round(B));
    expect(reg.saturatedNs).toBeGreaterThanOrEqual(0.99 * ((reg.bytesServed * S) / B));
    expect(reg.saturatedNs).toBeLessThanOrEqual(reg.activeNs);
    // Startup with pulls is minutes; without them it is the usual seconds.
    expect(summary.podStartup.p50Ns!).toBeGreaterThan(60 * S);
    expect(summary.podStartupExcludingPulls.p99Ns!).toBeLessThan(10 * S);
  });

  it("scenarios/image-pull-storm.yaml loads (the full run is a CLI study)", () => {
    const s = loadScenario("scenarios/image-pull-storm.yaml");
    expect(s.nodePools[0]!.count).toBe(2000);
    expect(s.images.find((i) => i.name === "registry.example.com/inference:3.1")!.layers).toHaveLength(3);
  });
});
