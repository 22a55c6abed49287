import { describe, expect, test } from "vitest";
import { KUBELET_DEFAULTS } from "../../src/scenario/sections/kubelet.js";
import { gkeReservedCpu, NodeRuntime, type RuntimeCosts } from "../../src/node/node-runtime.js";

const MS = 1e6;
const S = 1e9;
const IDLE: RuntimeCosts = {
  ...KUBELET_DEFAULTS.runtime,
  relistCpu: 0,
  relistCpuPerContainer: 0,
  podSyncCpu: 0,
  podSyncCpuPerContainer: 0,
  statsCpuPerContainerPerSecond: 0,
  podLoopsCpuPerPodPerSecond: 0,
};

describe("NodeRuntime", () => {
  test.each([
    [1, 0.06],
    [2, 0.07],
    [4, 0.08],
    [8, 0.09],
    [64, 0.23],
  ])("GKE reserves %d cores -> %f cores for system daemons", (cores, reserved) => {
    expect(gkeReservedCpu(cores)).toBeCloseTo(reserved, 10);
  });

  test.each([
    [10, 1],
    [10, 3],
    [7, 7],
    [1, 4],
  ])("%d simultaneous sandboxes with concurrency %d and cost c finish at ceil(N/k) * c", (n, k) => {
    const rt = new NodeRuntime([1], { ...IDLE, maxConcurrentOps: k }, 1 * S);
    const c = 300 * MS;
    let last = 0;
    for (let i = 0; i < n; i++) last = Math.max(last, rt.operation(0, 0, 0, c));
    expect(last).toBe(Math.ceil(n / k) * c);
  });

  test("without a concurrency limit, operations queue only for the agents' CPU: the i-th ends at i * cpu / cores", () => {
    const rt = new NodeRuntime([0.05], IDLE, 1 * S);
    for (let i = 1; i <= 5; i++) expect(rt.operation(0, 0, 1 * MS, 7 * MS)).toBe(i * 20 * MS + 7 * MS);
  });

  test("background work slows an operation's CPU by 1 / (1 - rho), from the node's pods and containers", () => {
    // 0.1 cores; 10 pods at 1 ms per pod per second and 20 containers at 2 ms: 50 ms/s = rho 0.5.
    const costs = { ...IDLE, podLoopsCpuPerPodPerSecond: 1 * MS, statsCpuPerContainerPerSecond: 2 * MS };
    const rt = new NodeRuntime([0.1], costs, 1 * S);
    for (let i = 0; i < 10; i++) rt.addPod(0);
    rt.addContainers(0, 20);
    expect(rt.backgroundCpu(0)).toBeCloseTo(0.05, 12);
    expect(rt.operation(0, 0, 10 * MS, 0)).toBe(200 * MS);
    rt.removePod(0, 20);
    expect(rt.backgroundCpu(0)).toBeCloseTo(0.009, 12);
  });

  test("PLEG relist cost grows with the containers and holds a share of a serialised runtime", () => {
    const costs = { ...IDLE, maxConcurrentOps: 1, relistCpu: 10 * MS, relistCpuPerContainer: 1 * MS };
    const rt = new NodeRuntime([1], costs, 1 * S);
    rt.addContainers(0, 40);
    // (10 + 40) ms per 1 s relist: the lock is held 5% of the time, the CPU busy 5%.
    expect(rt.backgroundRuntimeShare(0)).toBeCloseTo(0.05, 12);
    expect(rt.operation(0, 0, 0, 95 * MS)).toBe(100 * MS);
  });

  test("a pass of kubelet 1.0's sync loop syncs every pod worker, and the resync is no steady share then", () => {
    const costs = { ...IDLE, maxConcurrentOps: 1, podSyncCpu: 10 * MS, podSyncCpuPerContainer: 1 * MS };
    const steady = new NodeRuntime([1], costs, 1 * S);
    const passes = new NodeRuntime([1], { ...costs, syncAllOnUpdate: true }, 1 * S);
    for (const rt of [steady, passes]) {
      for (let i = 0; i < 3; i++) rt.addPod(0);
      rt.addContainers(0, 6);
    }
    // Without passes, 3 pods x (10 + 6 x 1) ms per 60 s resync of 1 core run in the background.
    expect(steady.backgroundCpu(0)).toBeCloseTo((3 * 16 * MS) / (60 * S), 12);
    expect(passes.backgroundCpu(0)).toBe(0);
    expect(passes.backgroundRuntimeShare(0)).toBe(0);
    passes.syncAll(0, 0);
    // Three pod syncs of 16 ms of CPU hold the daemon before the next operation.
    expect(passes.operation(0, 0, 0, 100 * MS)).toBe(3 * 16 * MS + 100 * MS);
  });

  test.each([
    [null, 0.05],
    [1, 1],
    [0.01, 0.05],
  ])(
    "with cpuBurstCores %s a SyncPod on a 0.05-core reservation runs on %f cores less the background",
    (burst, cores) => {
      // 31 pods at 800 us per pod per second: 24.8 ms of CPU per second in the background.
      const costs = { ...IDLE, syncPodCpu: 2 * MS, podLoopsCpuPerPodPerSecond: 0.8 * MS, cpuBurstCores: burst };
      const rt = new NodeRuntime([0.05], costs, 1 * S);
      for (let i = 0; i < 31; i++) rt.addPod(0);
      const rho = 0.0248 / cores;
      expect(rt.syncPod(0, 0)).toBe(Math.round((2 * MS) / (cores * (1 - rho))));
    },
  );
});
