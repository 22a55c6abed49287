import { describe, expect, it } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { containerReadyNs, type ProbeTimes } from "../../src/node/probes.js";
import type { ProbeManifest } from "../../src/scenario/manifests.js";

const S = NS_PER.s;
const probe = (o: Partial<ProbeManifest> = {}): ProbeManifest => ({
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
  ...o,
});
const times = (o: Partial<ProbeTimes> = {}): ProbeTimes => ({
  workerStartNs: 0,
  observedRunningNs: 4 * S,
  startedNs: 3 * S,
  appUpNs: 3 * S,
  probeLatencyNs: 0,
  ...o,
});

describe("probes delay Ready", () => {
  it("without probes a container is ready when the kubelet's status first shows it running", () => {
    expect(containerReadyNs(undefined, undefined, times())).toBe(4 * S);
  });

  it("a readiness probe with no result yet runs at once (manual trigger) and succeeds if the app is up", () => {
    expect(containerReadyNs(undefined, probe(), times({ probeLatencyNs: 5_000_000 }))).toBe(4 * S + 5_000_000);
  });

  it("an app that is not up yet waits for the probe ticker: the first tick after it is up", () => {
    // Worker ticks at 0, 10, 20 s; the app answers from 12 s: Ready at the 20 s tick.
    expect(containerReadyNs(undefined, probe(), times({ appUpNs: 12 * S }))).toBe(20 * S);
  });

  it("initialDelaySeconds counts whole seconds since the container started", () => {
    // Started at 3 s, delay 8 s: the manual run at 4 s is skipped; ticks (5 s period, from 0) at 10 s fail (7 s), 15 s pass.
    expect(containerReadyNs(undefined, probe({ initialDelaySeconds: 8, periodSeconds: 5 }), times())).toBe(15 * S);
  });

  it("successThreshold needs that many consecutive successes, one period apart", () => {
    expect(containerReadyNs(undefined, probe({ successThreshold: 3 }), times())).toBe(4 * S + 2 * 10 * S);
  });

  it("a startup probe gates readiness: started at its first passing tick, then the readiness probe runs at once", () => {
    // Startup ticks every 10 s from 0: the app is up at 25 s, so started at 30 s; readiness manual run at 30 s.
    const t = times({ appUpNs: 25 * S });
    expect(containerReadyNs(probe(), undefined, t)).toBe(30 * S);
    expect(containerReadyNs(probe(), probe({ periodSeconds: 3 }), t)).toBe(30 * S);
  });
});
