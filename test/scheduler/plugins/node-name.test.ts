import { describe, expect, test } from "vitest";
import { NodeName } from "../../../src/scheduler/plugins/node-name.js";
import { cluster, makeNode, makePod, runFilter } from "../fixtures/cluster.js";

// Cases after upstream plugins/nodename/node_name_test.go.
describe("NodeName", () => {
  const { c, fw } = cluster([makeNode("foo", { cpu: "1" }), makeNode("bar", { cpu: "1" })]);
  test("no host specified fits every node", () => {
    expect(runFilter(c, new NodeName(fw), makePod().get()).statuses.map((s) => s.codeName)).toEqual([
      "Success",
      "Success",
    ]);
  });
  test("spec.nodeName fits only that node", () => {
    const r = runFilter(c, new NodeName(fw), makePod().set("nodeName", "foo").get()).statuses;
    expect(r.map((s) => [s.codeName, s.reasons])).toEqual([
      ["Success", []],
      ["UnschedulableAndUnresolvable", ["node(s) didn't match the requested node name"]],
    ]);
  });
});
