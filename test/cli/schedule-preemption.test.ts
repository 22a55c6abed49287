import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { ensureDist, simctl } from "./simctl.js";
import { tmpDir } from "../tmp-dir.js";

const NODES = ["node1", "node2"]
  .map(
    (n) => `apiVersion: v1\nkind: Node\nmetadata: { name: ${n} }\nstatus:\n  allocatable: { cpu: "1", memory: 4Gi }\n`,
  )
  .join("---\n");
const POD = (name: string, priority: number, node: string, labels: string, status = "") =>
  `apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: { ${labels} } }
spec:
  nodeName: ${node}
  priority: ${priority}
  containers: [{ name: c, resources: { requests: { cpu: "1" } } }]
${status}`;

describe("simctl schedule --json: DefaultPreemption's decision, PDBs and pod status read from the files", () => {
  beforeAll(() => ensureDist(), 180_000);

  test("the node whose victims violate no PDB is nominated; the victims by name", async () => {
    const dir = tmpDir("simctl-preempt-");
    const f = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const existing = [
      POD("web-1", 10, "node1", "app: web", "status:\n  startTime: 2024-05-01T10:00:00Z\n"),
      POD("batch-1", 50, "node2", "app: batch", "status:\n  startTime: 2024-05-01T09:00:00Z\n"),
    ].join("---\n");
    const pdbs = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web }
spec: { minAvailable: 1, selector: { matchLabels: { app: web } } }
status: { disruptionsAllowed: 0 }
`;
    const pod = `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  priority: 1000\n  containers: [{ name: c, resources: { requests: { cpu: "1" } } }]\n`;
    const args = ["schedule", "--nodes", f("nodes.yaml", NODES), "--pod", f("pod.yaml", pod), "--json"];
    const withPdb = await simctl([...args, "--existing", f("pods.yaml", existing), "--pdbs", f("pdbs.yaml", pdbs)]);
    expect(withPdb.code).toBe(4);
    expect(JSON.parse(withPdb.stdout).preemption).toEqual({
      nominatedNode: "node2",
      victims: ["batch-1"],
      pdbViolations: 0,
      code: "Success",
      message: "",
    });
    // Without the budget the lower-priority victim wins.
    const without = await simctl([...args, "--existing", join(dir, "pods.yaml")]);
    expect(JSON.parse(without.stdout).preemption).toMatchObject({ nominatedNode: "node1", victims: ["web-1"] });
  }, 60_000);
});
