import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { effectiveRequests } from "../../src/cluster/pod-requests.js";
import { NS_PER } from "../../src/core/time.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { smallScenario } from "./node-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const S = NS_PER.s;

describe("effective pod requests (component-helpers resource.PodRequests)", () => {
  const c = (cpu: number, sidecar = false) => ({ requests: Float64Array.of(cpu), sidecar });
  it.each([
    ["app containers are summed", [c(1), c(2)], [], 3],
    ["a regular init container larger than the app", [c(1)], [c(5)], 5],
    ["a sidecar adds to the running sum", [c(1)], [c(1, true)], 2],
    ["a regular init container after a sidecar needs it too", [c(1)], [c(1, true), c(5)], 6],
    ["a regular init container before a sidecar does not", [c(1)], [c(5), c(1, true)], 5],
    ["sidecars accumulate, the init peak is the largest need", [c(1)], [c(1, true), c(2, true), c(1)], 4],
    ["a large sidecar can set the running sum above every init need", [c(1)], [c(3), c(4, true)], 5],
  ])("%s", (_n, app, init, want) => {
    expect(effectiveRequests(new Float64Array(1), app, init, undefined)[0]).toBe(want);
  });

  it("spec.overhead is added on top (RuntimeClass podFixed)", () => {
    expect(effectiveRequests(new Float64Array(1), [c(1)], [c(5)], Float64Array.of(0.25))[0]).toBe(5.25);
  });
});

/** pods.arrow's init_ns and running_ns of the run's pods. */
function podTimes(dir: string): { init: number[]; running: (number | null)[] } {
  const t = tableFromIPC(readFileSync(join(dir, "pods.arrow")));
  const get = (n: string) => Array.from({ length: t.numRows }, (_, i) => t.getChild(n)!.get(i) as unknown);
  return {
    init: get("init_ns").map((x) => Number(x)),
    running: get("running_ns").map((x) => (x === null ? null : Number(x))),
  };
}

describe("sidecar containers in the kubelet's start order", () => {
  const kubelet = "  initContainerRuntime: 30s\n  plegRelistPeriod: 1s";
  const run = (name: string, init: string) => {
    const out = tmpDir("simctl-sidecar-");
    const scenario = smallScenario({
      name,
      nodes: 1,
      replicas: 1,
      kubelet,
      podSpec: `              initContainers:\n${init}`,
    });
    expect(scenario.inputs!.fieldsNotModelled).toEqual([]);
    const { summary } = runScenario(scenario, { outRoot: out });
    return { summary, ...podTimes(join(out, `${name}-1`)) };
  };
  const initC = (name: string, extra = "") =>
    `                - name: ${name}\n                  image: registry.example/app:1\n${extra}`;

  it("a regular init container runs to its exit before the app starts", () => {
    const r = run("init-regular", initC("setup"));
    expect(r.init[0]).toBeGreaterThanOrEqual(30 * S);
  });

  it("a sidecar (restartPolicy Always) lets the next container start once it runs, without exiting", () => {
    const r = run("init-sidecar", initC("proxy", "                  restartPolicy: Always\n"));
    expect(r.summary.pods.running).toBe(1);
    expect(r.init[0]).toBeLessThan(2 * S);
  });

  it("a sidecar's startupProbe holds the next init container until it succeeds", () => {
    const probe =
      "                  restartPolicy: Always\n                  startupProbe: { httpGet: { path: /, port: 8080 }, initialDelaySeconds: 10, periodSeconds: 1 }\n";
    const r = run("init-sidecar-probe", `${initC("proxy", probe)}${initC("setup")}`);
    // The probe succeeds 10 s after the sidecar started; then the regular init container runs 30 s.
    expect(r.init[0]).toBeGreaterThanOrEqual(40 * S);
    expect(r.init[0]).toBeLessThan(43 * S);
  });

  it("a sidecar's readinessProbe holds the pod's Ready", () => {
    const probe =
      "                  restartPolicy: Always\n                  readinessProbe: { httpGet: { path: /, port: 8080 }, initialDelaySeconds: 20, periodSeconds: 1 }\n";
    const out = tmpDir("simctl-sidecar-");
    const scenario = smallScenario({
      name: "sidecar-ready",
      nodes: 1,
      replicas: 1,
      kubelet,
      podSpec: `              initContainers:\n${initC("proxy", probe)}`,
      stopWhen: "timeLimit",
      timeLimit: "2m",
    });
    runScenario(scenario, { outRoot: out });
    const t = tableFromIPC(readFileSync(join(out, "sidecar-ready-1", "pods.arrow")));
    const sandbox = Number(t.getChild("sandbox_ready_ns")!.get(0));
    const ready = Number(t.getChild("ready_ns")!.get(0));
    const started = Number(t.getChild("containers_started_ns")!.get(0));
    // The app starts at once (no startupProbe); Ready waits for the sidecar's probe, 20 s after it started.
    expect(started - sandbox).toBeLessThan(5 * S);
    expect(ready - sandbox).toBeGreaterThanOrEqual(20 * S);
  });

  it("restartPolicy on a regular container, or other than Always, is refused with its location", () => {
    expect(() =>
      smallScenario({
        name: "bad-restart",
        nodes: 1,
        replicas: 1,
        podSpec: `              initContainers:\n${initC("proxy", "                  restartPolicy: OnFailure\n")}`,
      }),
    ).toThrow(/restartPolicy/);
  });
});

describe("pod overhead from the RuntimeClass", () => {
  it("the scheduler's NodeResourcesFit counts it: 2 x (800m + 500m) do not fit a 2-CPU node", () => {
    const run = (runtimeClass: boolean) => {
      const scenario = smallScenario({
        name: runtimeClass ? "overhead-kata" : "overhead-none",
        nodes: 1,
        pool: "",
        replicas: 2,
        cpu: "800m",
        podSpec: runtimeClass ? "              runtimeClassName: kata\n" : "",
        steps: runtimeClass ? "  - at: 0s\n    apply: runtime/kata.yaml" : "",
        stopWhen: "timeLimit",
        timeLimit: "2m",
        nodeCpu: 2,
      });
      return runScenario(scenario, { write: false }).summary;
    };
    expect(run(false).pods.running).toBe(2);
    const kata = run(true);
    expect(kata.pods.running).toBe(1);
    expect(kata.pods.unschedulable).toBe(1);
  });

  it("spec.overhead without runtimeClassName, or a RuntimeClass no input gives, is refused as admission refuses it", () => {
    const load = (podSpec: string) => () =>
      smallScenario({
        name: "overhead-bad",
        nodes: 1,
        replicas: 1,
        podSpec,
        steps: "  - at: 0s\n    apply: runtime/kata.yaml",
      });
    expect(load("              overhead: { cpu: 500m }\n")).toThrow(
      /spec.overhead: expected no spec.overhead without spec.runtimeClassName/,
    );
    expect(load("              runtimeClassName: gvisor\n")).toThrow(
      /the name of a RuntimeClass given in the inputs \(kata\)/,
    );
    expect(load("              runtimeClassName: kata\n              overhead: { cpu: 1 }\n")).toThrow(
      /equal to RuntimeClass kata/,
    );
    expect(
      load("              runtimeClassName: kata\n              overhead: { cpu: 500m, memory: 120Mi }\n")(),
    ).toBeDefined();
  });
});
