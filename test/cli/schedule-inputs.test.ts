import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { formatIssue, ScenarioError } from "../../src/scenario/scenario-error.js";
import { readBoundPods, readNodes, readPod } from "../../src/scheduler/k8s-objects.js";
import { ensureDist, simctl } from "./simctl.js";
import { tmpDir } from "../tmp-dir.js";

const F = "test/scheduler/fixtures";
const nodes = readNodes(`${F}/nodes.yaml`);

/** The formatted issues a reader throws. */
function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map(formatIssue);
    throw e;
  }
  throw new Error("no error");
}

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n${spec}`;

describe("simctl schedule inputs are checked like scenarios", () => {
  test("a negative quantity is a located error", () => {
    const text = pod("  containers:\n    - name: c\n      resources: { requests: { cpu: -500m } }\n");
    expect(issues(() => readPod("pod.yaml", text))).toEqual([
      'pod.yaml:7:37: spec.containers[0].resources.requests.cpu: expected a non-negative Kubernetes quantity such as 500m, 4 or 16Gi, found "-500m"',
    ]);
  });

  test("a negative node allocatable is a located error", () => {
    const text = "kind: Node\nmetadata: { name: n }\nstatus:\n  allocatable: { cpu: 4, memory: -1Gi }\n";
    expect(issues(() => readNodes("nodes.yaml", text))).toEqual([
      'nodes.yaml:4:34: status.allocatable.memory: expected a non-negative Kubernetes quantity such as 500m, 4 or 16Gi, found "-1Gi"',
    ]);
  });

  test("unknown keys are reported with a did-you-mean, at every level read", () => {
    const text = pod(
      "  nodeSelecter: { a: b }\n  containers:\n    - name: c\n      resource: { requests: { cpu: 1 } }\n      ports: [{ containerPort: 80, hostport: 80 }]\n",
    );
    const got = issues(() => readPod("pod.yaml", text));
    expect(got).toHaveLength(3);
    expect(got[0]).toMatch(
      /^pod\.yaml:5:3: spec\.nodeSelecter: expected one of the keys .*, found unknown key "nodeSelecter" \(did you mean "nodeSelector"\?\)$/,
    );
    expect(got[1]).toMatch(/^pod\.yaml:8:7: spec\.containers\[0\]\.resource: .* \(did you mean "resources"\?\)$/);
    expect(got[2]).toMatch(
      /^pod\.yaml:9:36: spec\.containers\[0\]\.ports\[0\]\.hostport: .* \(did you mean "hostPort"\?\)$/,
    );
    const node =
      "kind: Node\nmetadata: { name: n, lables: { a: b } }\nspec: { unschedulabel: true }\nstatus: { allocatable: { cpu: 1 } }\n";
    expect(issues(() => readNodes("nodes.yaml", node)).map((m) => m.replace(/expected .*, found/, "..."))).toEqual([
      'nodes.yaml:2:22: metadata.lables: ... unknown key "lables" (did you mean "labels"?)',
      'nodes.yaml:3:9: spec.unschedulabel: ... unknown key "unschedulabel" (did you mean "unschedulable"?)',
    ]);
  });

  test("the fields kubectl prints and the scheduler does not read are accepted", () => {
    const text = pod(
      "  restartPolicy: Always\n  dnsPolicy: ClusterFirst\n  volumes: []\n  containers:\n    - { name: c, image: x, imagePullPolicy: IfNotPresent, env: [] }\nstatus: { phase: Pending }\n",
    );
    expect(readPod("pod.yaml", text).containers).toHaveLength(1);
  });

  test("on the host's network every container port is a host port, and another hostPort is refused", () => {
    const hostNet = (port: string) => pod(`  hostNetwork: true\n  containers:\n    - { name: c, ports: [${port}] }\n`);
    expect(readPod("pod.yaml", hostNet("{ containerPort: 53, protocol: UDP }")).containers[0]!.ports).toEqual([
      { containerPort: 53, hostPort: 53, protocol: "UDP", hostIP: "" },
    ]);
    expect(
      readPod("pod.yaml", pod("  containers:\n    - { name: c, ports: [{ containerPort: 53 }] }\n")).containers[0]!
        .ports![0]!.hostPort,
    ).toBe(0);
    expect(issues(() => readPod("pod.yaml", hostNet("{ containerPort: 53, hostPort: 5353 }")))).toEqual([
      "pod.yaml:7:57: spec.containers[0].ports[0].hostPort: expected hostPort equal to containerPort (53) when hostNetwork is true, found 5353",
    ]);
  });

  test("an existing pod bound to an unknown node is a located error with a did-you-mean, not a crash", () => {
    const text = `kind: PodList\nitems:\n  - kind: Pod\n    metadata: { name: e }\n    spec:\n      nodeName: node4\n      containers: [{ name: c }]\n`;
    expect(issues(() => readBoundPods("pods.yaml", text, nodes))).toEqual([
      'pods.yaml:6:17: items[0].spec.nodeName: expected the name of one of the 3 nodes given with --nodes, found "node4" (did you mean "node1"?)',
    ]);
  });
});

describe("simctl schedule on bad input", () => {
  beforeAll(() => ensureDist(), 180_000);

  test("exits 2 with the located problem and no stack trace", async () => {
    const dir = tmpDir("simctl-schedule-");
    const existing = join(dir, "pods.yaml");
    writeFileSync(existing, "kind: Pod\nmetadata: { name: e }\nspec: { nodeName: gone, containers: [{ name: c }] }\n");
    const r = await simctl([
      "schedule",
      "--nodes",
      `${F}/nodes.yaml`,
      "--pod",
      `${F}/pod.yaml`,
      "--existing",
      existing,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `simctl: invalid scenario (1 problem):\n${existing}:3:19: spec.nodeName: expected the name of one of the 3 nodes given with --nodes, found "gone"\n`,
    );
  });
});
