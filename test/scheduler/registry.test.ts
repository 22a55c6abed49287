import { describe, expect, test } from "vitest";
import { EXTENSION_POINTS, type ExtensionPoint } from "../../src/scheduler/plugin.js";
import { implementsPoint, REGISTRY } from "../../src/scheduler/registry.js";
import { cluster, makeNode } from "./fixtures/cluster.js";

/** The method whose presence means an extension point is implemented. */
const METHOD: Record<ExtensionPoint, string> = {
  queueSort: "less",
  preFilter: "preFilter",
  filter: "filterNodes",
  postFilter: "postFilter",
  preScore: "preScore",
  score: "score",
  reserve: "reserve",
  permit: "permit",
  bind: "bind",
};

describe("plugin registry", () => {
  const { fw } = cluster([makeNode("node1", { cpu: "4", memory: "8Gi" })]);
  for (const [name, entry] of REGISTRY) {
    test(`${name} declares exactly the extension points it implements`, () => {
      const p = entry.factory(fw, null) as unknown as Record<string, unknown>;
      const implemented = EXTENSION_POINTS.filter((pt) => typeof p[METHOD[pt]] === "function");
      expect([...entry.points].sort()).toEqual([...implemented].sort());
      for (const pt of EXTENSION_POINTS) expect(implementsPoint(name, pt)).toBe(implemented.includes(pt));
    });
  }
});
