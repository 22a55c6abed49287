import { describe, expect, test } from "vitest";
import { NodePorts } from "../../../src/scheduler/plugins/node-ports.js";
import { cluster, makeNode, makePod, runFilter } from "../fixtures/cluster.js";

const withPort = (name: string, hostPort: number, protocol = "TCP", hostIP = "") =>
  makePod(name)
    .container({ ports: [{ containerPort: 80, hostPort, protocol, hostIP }] })
    .get();

// Cases after upstream plugins/nodeports/node_ports_test.go and HostPortInfo.CheckConflict.
describe("NodePorts", () => {
  const cases: [string, ReturnType<typeof withPort>, ReturnType<typeof withPort> | null, boolean][] = [
    ["nothing running", withPort("p", 8080), null, true],
    ["same port and protocol", withPort("p", 8080), withPort("e", 8080), false],
    ["other protocol", withPort("p", 8080, "UDP"), withPort("e", 8080), true],
    ["other port", withPort("p", 8081), withPort("e", 8080), true],
    ["0.0.0.0 conflicts with a specific IP", withPort("p", 8080), withPort("e", 8080, "TCP", "127.0.0.1"), false],
    ["a specific IP conflicts with 0.0.0.0", withPort("p", 8080, "TCP", "127.0.0.1"), withPort("e", 8080), false],
    [
      "different specific IPs do not conflict",
      withPort("p", 8080, "TCP", "127.0.0.2"),
      withPort("e", 8080, "TCP", "127.0.0.1"),
      true,
    ],
  ];
  for (const [name, pod, existing, fits] of cases) {
    test(name, () => {
      const { c, fw } = cluster([makeNode("n", { cpu: "1" })], existing === null ? [] : [[existing, "n"]]);
      const st = runFilter(c, new NodePorts(fw), pod).statuses[0]!;
      expect(st.codeName).toBe(fits ? "Success" : "Unschedulable");
      if (!fits) expect(st.reasons).toEqual(["node(s) didn't have free ports for the requested pod ports"]);
    });
  }
  test("pods without host ports skip the plugin", () => {
    const { c, fw } = cluster([makeNode("n", { cpu: "1" })], [[withPort("e", 8080), "n"]]);
    expect(runFilter(c, new NodePorts(fw), makePod().get()).preFilter!.codeName).toBe("Skip");
  });
});
