import { describe, expect, test } from "vitest";
import { defaultSchedulerConfig, parseSchedulerConfig } from "../../src/scheduler/config.js";
import { ScenarioError } from "../../src/scenario/scenario-error.js";

const head = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n";

describe("KubeSchedulerConfiguration", () => {
  test("the default profile has upstream's plugins, order and weights", () => {
    const p = defaultSchedulerConfig().profiles[0]!.resolved;
    expect(p.schedulerName).toBe("default-scheduler");
    expect(p.queueSort).toEqual(["PrioritySort"]);
    expect(
      p.filter.filter(
        (n) =>
          ![
            "SchedulingGates",
            "VolumeRestrictions",
            "NodeVolumeLimits",
            "VolumeBinding",
            "VolumeZone",
            "DynamicResources",
          ].includes(n),
      ),
    ).toEqual([
      "NodeUnschedulable",
      "NodeName",
      "TaintToleration",
      "NodeAffinity",
      "NodePorts",
      "NodeResourcesFit",
      "PodTopologySpread",
      "InterPodAffinity",
    ]);
    const w = Object.fromEntries(p.score.map((s) => [s.name, s.weight]));
    expect(w).toMatchObject({
      TaintToleration: 3,
      NodeAffinity: 2,
      NodeResourcesFit: 1,
      PodTopologySpread: 2,
      InterPodAffinity: 2,
      NodeResourcesBalancedAllocation: 1,
      ImageLocality: 1,
    });
    expect(p.postFilter).toEqual(["DefaultPreemption"]);
    expect(p.bind).toEqual(["DefaultBinder"]);
  });
  test("defaults: parallelism 16, adaptive percentage, backoff 1 s to 10 s", () => {
    const c = parseSchedulerConfig("c.yaml", head);
    expect([c.parallelism, c.percentageOfNodesToScore, c.podInitialBackoffSeconds, c.podMaxBackoffSeconds]).toEqual([
      16, 0, 1, 10,
    ]);
  });
  test("disabling a plugin at one extension point and reweighting at Score", () => {
    const c = parseSchedulerConfig(
      "c.yaml",
      `${head}profiles:
  - schedulerName: bin-packing
    percentageOfNodesToScore: 30
    plugins:
      score:
        disabled: [{ name: NodeResourcesBalancedAllocation }]
        enabled: [{ name: NodeResourcesFit, weight: 5 }]
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
            resources: [{ name: cpu, weight: 1 }, { name: memory, weight: 1 }]
`,
    );
    const p = c.profiles[0]!.resolved;
    expect(p.schedulerName).toBe("bin-packing");
    expect(p.percentageOfNodesToScore).toBe(30);
    expect(p.score.map((s) => s.name)).not.toContain("NodeResourcesBalancedAllocation");
    expect(p.preScore).toContain("NodeResourcesBalancedAllocation");
    // An explicitly enabled MultiPoint plugin moves to the front with its new weight.
    expect(p.score[0]).toEqual({ name: "NodeResourcesFit", weight: 5 });
    expect(c.profiles[0]!.args.get("NodeResourcesFit")!.get("scoringStrategy").get("type").value()).toBe(
      "MostAllocated",
    );
  });
  test("disabled '*' at multiPoint keeps only the listed plugins", () => {
    const c = parseSchedulerConfig(
      "c.yaml",
      `${head}profiles:
  - plugins:
      multiPoint:
        enabled: [{ name: PrioritySort }, { name: NodeResourcesFit, weight: 2 }, { name: DefaultBinder }]
        disabled: [{ name: "*" }]
`,
    );
    const p = c.profiles[0]!.resolved;
    expect([p.filter, p.score, p.preFilter, p.postFilter]).toEqual([
      ["NodeResourcesFit"],
      [{ name: "NodeResourcesFit", weight: 2 }],
      ["NodeResourcesFit"],
      [],
    ]);
  });
  test("several profiles need names; errors carry file, path, line", () => {
    const two = parseSchedulerConfig("c.yaml", `${head}profiles:\n  - schedulerName: a\n  - schedulerName: b\n`);
    expect(two.profiles.map((p) => p.resolved.schedulerName)).toEqual(["a", "b"]);
    let err: unknown;
    try {
      parseSchedulerConfig(
        "bad.yaml",
        `${head}profiles:\n  - schedulerName: a\n    pluginConfig:\n      - name: NodeResourceFit\n`,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const issue = (err as ScenarioError).issues[0]!;
    expect([issue.file, issue.path, issue.line]).toEqual(["bad.yaml", "profiles[0].pluginConfig[0].name", 6]);
  });
  test("unknown plugins are rejected", () => {
    expect(() =>
      parseSchedulerConfig(
        "c.yaml",
        `${head}profiles:\n  - plugins:\n      filter:\n        enabled: [{ name: Nope }]\n`,
      ),
    ).toThrow(/does not exist/);
  });
});
