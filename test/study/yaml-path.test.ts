import { parse } from "yaml";
import { describe, expect, test } from "vitest";
import { formatYamlPath, getPath, parseYamlPath, setYamlPath } from "../../src/study/yaml-path.js";

describe("parseYamlPath", () => {
  test.each([
    ["cluster.nodePools[0].count", ["cluster", "nodePools", 0, "count"]],
    [
      'cluster.nodePools[0].labels["topology.kubernetes.io/zone"]',
      ["cluster", "nodePools", 0, "labels", "topology.kubernetes.io/zone"],
    ],
    ["workload[2].deployments[10].spec.replicas", ["workload", 2, "deployments", 10, "spec", "replicas"]],
    ["seed", ["seed"]],
  ])("%s", (path, segments) => {
    expect(parseYamlPath(path)).toEqual({ segments });
    expect(formatYamlPath(segments)).toBe(path);
  });

  test.each(["", ".a", "a..b", "a[x]", "a[0", "a b", 'a["x"', "a[-1]"])("rejects %j with a reason", (path) => {
    const r = parseYamlPath(path);
    expect("error" in r && r.error.length > 0).toBe(true);
  });
});

const DOC = `# comment kept
name: x
cluster:
  nodePools:
    - name: a
      count: 4            # nodes
      allocatable: { cpu: 4, memory: 16Gi }
stop: { when: allRunning }
`;

describe("setYamlPath", () => {
  test("replaces an existing scalar in place: comments and every other line unchanged", () => {
    const r = setYamlPath(DOC, ["cluster", "nodePools", 0, "count"], 5000);
    if ("error" in r) throw new Error(r.error);
    expect(r.text).toBe(DOC.replace("count: 4 ", "count: 5000 "));
    expect(getPath(parse(r.text), ["cluster", "nodePools", 0, "count"])).toBe(5000);
  });

  test("replaces inside a flow mapping and writes strings quoted", () => {
    const r = setYamlPath(DOC, ["cluster", "nodePools", 0, "allocatable", "memory"], "32Gi");
    if ("error" in r) throw new Error(r.error);
    expect(r.text.split("\n")[6]).toBe('      allocatable: { cpu: 4, memory: "32Gi" }');
  });

  test("creates absent keys (and absent parent mappings)", () => {
    const r = setYamlPath(DOC, ["controlPlane", "controllerManager", "qps"], 50);
    if ("error" in r) throw new Error(r.error);
    const data = parse(r.text) as Record<string, unknown>;
    expect(getPath(data, ["controlPlane", "controllerManager", "qps"])).toBe(50);
    expect(getPath(data, ["cluster", "nodePools", 0, "count"])).toBe(4);
    expect(r.text).toContain("# comment kept");
  });

  test("replaces a whole mapping with an object value", () => {
    const r = setYamlPath(DOC, ["stop"], { when: "timeLimit", timeLimit: "1m" });
    if ("error" in r) throw new Error(r.error);
    expect(getPath(parse(r.text), ["stop"])).toEqual({ when: "timeLimit", timeLimit: "1m" });
  });

  test.each([
    [["cluster", "nodePools", 3, "count"], "cluster.nodePools has 1 item, so index [3] is out of range"],
    [["cluster", "nodePools", "count"], 'cluster.nodePools is not a mapping, so key "count" does not exist'],
    [["name", 0], "name is not a list, so index [0] does not exist"],
  ] as const)("refuses %j", (segments, message) => {
    expect(setYamlPath(DOC, segments, 1)).toEqual({ error: message });
  });
});
