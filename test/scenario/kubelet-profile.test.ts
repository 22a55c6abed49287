import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { KUBELET_DEFAULTS } from "../../src/scenario/sections/kubelet.js";
import { deployment, issuesOf, scenario, tree } from "./fixture.js";

const withKubelet = (kubelet: string) => scenario("web.yaml", `kubelet:\n${kubelet}\n`);

describe("kubelet.profile", () => {
  test("a shipped name and its file's path give the same settings; the scenario's keys override them", () => {
    const profile = "scenarios/profiles/runtime-docker-2015.yaml";
    const dir = tree({
      "byname.yaml": withKubelet("  profile: docker-2015"),
      "bypath.yaml": withKubelet("  profile: profiles/runtime-docker-2015.yaml"),
      "override.yaml": withKubelet("  profile: docker-2015\n  qps: 50\n  runtime: { maxConcurrentOps: 2 }"),
      "web.yaml": deployment(),
      "profiles/runtime-docker-2015.yaml": readFileSync(profile, "utf8"),
    });
    const byName = loadScenario(join(dir, "byname.yaml")).kubelet;
    expect(loadScenario(join(dir, "bypath.yaml")).kubelet).toEqual(byName);
    expect(byName.qps).toBe(5);
    expect(byName.runtime.maxConcurrentOps).toBe(1);
    expect(byName.cni).toEqual({ kind: "constant", value: 0 });
    const over = loadScenario(join(dir, "override.yaml")).kubelet;
    expect(over.qps).toBe(50);
    expect(over.runtime.maxConcurrentOps).toBe(2);
    expect(over.runtime.podSyncPeriod).toBe(byName.runtime.podSyncPeriod);
  });

  test("containerd is the built-in default", () => {
    const dir = tree({ "s.yaml": withKubelet("  profile: containerd"), "web.yaml": deployment() });
    expect(loadScenario(join(dir, "s.yaml")).kubelet).toEqual(KUBELET_DEFAULTS);
  });

  test("an unknown profile name is a located error", () => {
    const dir = tree({ "s.yaml": withKubelet("  profile: docker-1999"), "web.yaml": deployment() });
    const issues = issuesOf(join(dir, "s.yaml"));
    expect(issues.map((i) => i.path)).toEqual(["kubelet.profile"]);
  });
});
