import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { NS_PER } from "../../src/core/time.js";
import { Resource, Verb } from "../../src/apiserver/request-table.js";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { Simulation } from "../../src/sim/simulation.js";
import { deployment, issuesOf, scenario, tree } from "../scenario/fixture.js";

// Two pods requesting 500m each.
const WEB = deployment("web", 2).replace("cpu: 100m", "cpu: 500m");

const hpa = (spec = "") => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 2
  maxReplicas: 20
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }
${spec}`;

/** The fixture's scenario (4 nodes of 4 CPU) with `steps` after its apply: step, stopping at 30 min. */
function scenarioText(steps: string, stop = "when: timeLimit\n  timeLimit: 30m"): string {
  return scenario("web.yaml")
    .replace("    apply: web.yaml\n", `    apply: web.yaml\n${steps}\n`)
    .replace("when: allRunning", stop);
}

// Total demand L(t): 0.5 CPU (50% of two 500m pods: the target), up to 5 CPU between 2 and 3 min,
// held until 10 min, back to 0.5 CPU by 11 min.
const LOAD = `  - at: 0s
    load:
      deployment: web
      total:
        - { at: 0s, cpu: 500m }
        - { at: 2m, cpu: 500m }
        - { at: 3m, cpu: 5 }
        - { at: 10m, cpu: 5 }
        - { at: 11m, cpu: 500m }`;

/** The target's spec.replicas, per second of simulated time (timeseries.arrow's hpa_web_replicas). */
function replicasPerSecond(sim: Simulation): number[] {
  const ts = sim.timeSeries;
  const g = ts.gauges.findIndex((x) => x.name === "hpa_web_replicas");
  const w = ts.gauges.length;
  return Array.from({ length: ts.size }, (_, i) => ts.values[i * w + g]!);
}

describe("HorizontalPodAutoscaler end to end", () => {
  test("a total load drives the replicas up to maxReplicas, and down to minReplicas only after the 5 min stabilization window", () => {
    const dir = tree({ "web.yaml": `${WEB}---\n${hpa()}`, "s.yaml": scenarioText(LOAD) });
    const sim = new Simulation(loadScenario(join(dir, "s.yaml")));
    sim.run();
    const r = replicasPerSecond(sim);
    const s = (sec: number) => r[sec]!;
    // Before the load rises the two pods sit at the target: no change.
    expect(s(120)).toBe(2);
    // 5 CPU over 500m requests at 50%: 20 pods, held at maxReplicas while the load stays up.
    expect(Math.max(...r)).toBe(20);
    const upAt = r.indexOf(20);
    expect(upAt).toBeGreaterThan(120);
    expect(upAt).toBeLessThan(300);
    for (let t = upAt; t < 660; t++) expect(s(t)).toBe(20);
    // Every recommendation up to 10 min is 20 (L = 5 CPU), so the count holds 20 until the
    // 300 s window has passed them all; by 11 min L is back at the target, so by then plus the
    // window (and one sync period) the count is down. Without spec.behavior nothing limits
    // the rate of the scale-down: it reaches minReplicas as the window's recommendations expire.
    const downAt = r.findIndex((x, t) => t > upAt && x < 20);
    expect(downAt).toBeGreaterThanOrEqual(10 * 60 + 300);
    expect(downAt).toBeLessThanOrEqual(11 * 60 + 300 + 15 + 1);
    const minAt = r.findIndex((x, t) => t > downAt && x === 2);
    expect(minAt).toBeLessThanOrEqual(11 * 60 + 300 + 15 + 1);
    expect(r[r.length - 1]).toBe(2);
    // Every change went through the scale subresource.
    const req = sim.api.requests;
    let updates = 0;
    let gets = 0;
    for (let i = 0; i < req.size; i++) {
      if (req.resource[i] !== Resource.deploymentsScale) continue;
      if (req.verb[i] === Verb.update) updates++;
      if (req.verb[i] === Verb.get) gets++;
    }
    const h = sim.autoscalers!.hpas[0]!;
    expect(updates).toBe(h.rescales);
    expect(gets).toBe(h.syncs);
    // A reconcile every 15 s plus its own round trips: 30 min hold about 120 of them.
    expect(h.syncs).toBeGreaterThan(100);
    expect(h.syncs).toBeLessThanOrEqual(121);
    expect(h.peakReplicas).toBe(20);
  }, 60_000);

  test("spec.behavior's scale-up policy limits the growth: 2 pods per 60 s", () => {
    const behavior = `  behavior:
    scaleUp:
      policies: [{ type: Pods, value: 2, periodSeconds: 60 }]`;
    const dir = tree({ "web.yaml": `${WEB}---\n${hpa(behavior)}`, "s.yaml": scenarioText(LOAD) });
    const sim = new Simulation(loadScenario(join(dir, "s.yaml")));
    sim.run();
    const r = replicasPerSecond(sim);
    // Each change adds at most 2 pods and no 60 s window adds more than 2.
    for (let t = 60; t < r.length; t++) expect(r[t]! - r[t - 60]!).toBeLessThanOrEqual(2);
    expect(r[10 * 60]!).toBeGreaterThan(2);
    expect(r[10 * 60]!).toBeLessThan(20);
  }, 60_000);

  test("the same scenario and seed give the same replica curve", () => {
    const dir = tree({ "web.yaml": `${WEB}---\n${hpa()}`, "s.yaml": scenarioText(LOAD) });
    const run = () => {
      const sim = new Simulation(loadScenario(join(dir, "s.yaml")));
      sim.run();
      return replicasPerSecond(sim);
    };
    expect(run()).toEqual(run());
  }, 60_000);
});

describe("scale: steps (kubectl scale on a schedule)", () => {
  test("each row patches the scale subresource at its time; the run waits for the last row's replicas", () => {
    const steps = `  - at: 1m
    scale:
      deployment: web
      schedule:
        - { at: 0s, replicas: 6 }
        - { at: 2m, replicas: 3 }
        - { at: 4m, replicas: 8 }`;
    const dir = tree({ "web.yaml": WEB, "s.yaml": scenarioText(steps, "when: allRunning\n  timeLimit: 30m") });
    const sim = new Simulation(loadScenario(join(dir, "s.yaml")));
    expect(sim.expectedPods).toBe(8);
    sim.run();
    const req = sim.api.requests;
    const patches: [number, number][] = [];
    for (let i = 0; i < req.size; i++)
      if (req.resource[i] === Resource.deploymentsScale && req.verb[i] === Verb.patch)
        patches.push([req.submitNs[i]!, req.operand[i]!]);
    expect(patches).toEqual([
      [1 * NS_PER.m, 6],
      [3 * NS_PER.m, 3],
      [5 * NS_PER.m, 8],
    ]);
    expect(sim.allRunning.atNs).toBeGreaterThan(5 * NS_PER.m);
    expect(sim.store.runningPods).toBe(8);
  }, 60_000);
});

describe("HPA, scale and load inputs: located errors", () => {
  const errors = (files: Record<string, string>) =>
    issuesOf(join(tree(files), "s.yaml")).map((i) => `${i.path}: ${i.expected}`);

  test("an HPA needs stop.when timeLimit, a known Deployment and supported metrics", () => {
    expect(errors({ "web.yaml": `${WEB}---\n${hpa()}`, "s.yaml": scenarioText(LOAD, "when: allRunning") })).toEqual([
      "stop.when: stop: { when: timeLimit } (a HorizontalPodAutoscaler changes the replicas at any time: no final count to wait for)",
    ]);
    const other = hpa().replace("name: web }\n  minReplicas", "name: api }\n  minReplicas");
    expect(errors({ "web.yaml": `${WEB}---\n${other}`, "s.yaml": scenarioText("") })[0]).toContain(
      "a Deployment created by this or an earlier step (web)",
    );
    const memory = hpa().replace("name: cpu", "name: memory");
    expect(errors({ "web.yaml": `${WEB}---\n${memory}`, "s.yaml": scenarioText("") })[0]).toContain('"cpu"');
    const pods = hpa().replace("type: Resource", "type: Pods");
    expect(errors({ "web.yaml": `${WEB}---\n${pods}`, "s.yaml": scenarioText("") })[0]).toContain(
      "Pods, Object, External and ContainerResource metrics are not simulated",
    );
    const noMax = hpa().replace("  maxReplicas: 20\n", "");
    expect(errors({ "web.yaml": `${WEB}---\n${noMax}`, "s.yaml": scenarioText("") })[0]).toContain("maxReplicas");
    const minAboveMax = hpa().replace("minReplicas: 2", "minReplicas: 30");
    expect(errors({ "web.yaml": `${WEB}---\n${minAboveMax}`, "s.yaml": scenarioText("") }).length).toBe(1);
  });

  test("a Utilization target needs a cpu request on every container", () => {
    const bare = WEB.replace(
      "resources: { requests: { cpu: 500m, memory: 64Mi } }",
      "resources: { requests: { memory: 64Mi } }",
    );
    expect(errors({ "web.yaml": `${bare}---\n${hpa()}`, "s.yaml": scenarioText("") })[0]).toContain(
      "a cpu request on every container of web for a Utilization target (container app has none)",
    );
  });

  test("load: needs an HPA on its Deployment and one curve; scale: rows in time order", () => {
    expect(errors({ "web.yaml": WEB, "s.yaml": scenarioText(LOAD) })).toEqual([
      "workload[1].load.deployment: a Deployment that a HorizontalPodAutoscaler targets (the load drives its metric; web has none)",
    ]);
    const both = `  - at: 0s
    load: { deployment: web, total: [{ at: 0s, cpu: 1 }], perPod: [{ at: 0s, cpu: 1 }] }`;
    expect(errors({ "web.yaml": `${WEB}---\n${hpa()}`, "s.yaml": scenarioText(both) })[0]).toContain(
      "exactly one curve",
    );
    const backwards = `  - at: 0s
    scale: { deployment: web, schedule: [{ at: 2m, replicas: 3 }, { at: 1m, replicas: 4 }] }`;
    expect(errors({ "web.yaml": WEB, "s.yaml": scenarioText(backwards) })).toEqual([
      "workload[1].scale.schedule[1].at: a time no earlier than the previous row's (rows run in order)",
    ]);
    const unknown = `  - at: 0s
    scale: { deployment: api, schedule: [{ at: 0s, replicas: 3 }] }`;
    expect(errors({ "web.yaml": WEB, "s.yaml": scenarioText(unknown) })).toEqual([
      "workload[1].scale.deployment: a Deployment created by an earlier step (web)",
    ]);
  });
});
