import { describe, expect, test } from "vitest";
import { NodeResourcesFit } from "../../../src/scheduler/plugins/node-resources-fit.js";
import { brokenLinear } from "../../../src/scheduler/plugins/resource-allocation.js";
import { args, cluster, makeNode, makePod, runFilter, runScore } from "../fixtures/cluster.js";

// Vectors from upstream pkg/scheduler/framework/plugins/noderesources/{least,most}_allocated_test.go
// and requested_to_capacity_ratio_test.go: capacities are in cores ("4000" cpu = 4000 cores) and
// bytes, pods built as st.MakePod().Req(...) (one container per Req, none when no Req).
const twoContainers = () => makePod().req({ cpu: "1000", memory: "2000" }).req({ cpu: "2000", memory: "3000" }).get();
const strategy = (type: string, extra: Record<string, unknown> = {}) =>
  args({
    scoringStrategy: {
      type,
      resources: [
        { name: "cpu", weight: 1 },
        { name: "memory", weight: 1 },
      ],
      ...extra,
    },
  });

describe("NodeResourcesFit LeastAllocated (least_allocated_test.go)", () => {
  const cases: {
    name: string;
    nodes: [string, Record<string, string>][];
    existing: [Record<string, string> | null, string][];
    pod: () => ReturnType<typeof twoContainers>;
    want: number[];
    weights?: [number, number];
  }[] = [
    {
      name: "nothing scheduled, nothing requested",
      nodes: [
        ["node1", { cpu: "4000", memory: "10000" }],
        ["node2", { cpu: "4000", memory: "10000" }],
      ],
      existing: [],
      pod: () => makePod().get(),
      want: [100, 100],
    },
    {
      name: "nothing scheduled, resources requested, differently sized nodes",
      nodes: [
        ["node1", { cpu: "4000", memory: "10000" }],
        ["node2", { cpu: "6000", memory: "10000" }],
      ],
      existing: [],
      pod: twoContainers,
      want: [37, 50],
    },
    {
      name: "no resources requested, pods scheduled",
      nodes: [
        ["node1", { cpu: "4000", memory: "10000" }],
        ["node2", { cpu: "4000", memory: "10000" }],
      ],
      existing: [
        [null, "node1"],
        [null, "node1"],
        [null, "node2"],
        [null, "node2"],
      ],
      pod: () => makePod().get(),
      want: [100, 100],
    },
    {
      name: "no resources requested, pods scheduled with resources",
      nodes: [
        ["node1", { cpu: "10000", memory: "20000" }],
        ["node2", { cpu: "10000", memory: "20000" }],
      ],
      existing: [
        [{ cpu: "3000", memory: "0" }, "node1"],
        [{ cpu: "3000", memory: "0" }, "node1"],
        [{ cpu: "3000", memory: "0" }, "node2"],
        [{ cpu: "3000", memory: "5000" }, "node2"],
      ],
      pod: () => makePod().get(),
      want: [70, 57],
    },
    {
      name: "resources requested, pods scheduled with resources",
      nodes: [
        ["node1", { cpu: "10000", memory: "20000" }],
        ["node2", { cpu: "10000", memory: "20000" }],
      ],
      existing: [
        [{ cpu: "3000", memory: "0" }, "node1"],
        [{ cpu: "3000", memory: "5000" }, "node2"],
      ],
      pod: twoContainers,
      want: [57, 45],
    },
    {
      name: "resources requested, pods scheduled with resources, differently sized nodes",
      nodes: [
        ["node1", { cpu: "10000", memory: "20000" }],
        ["node2", { cpu: "10000", memory: "50000" }],
      ],
      existing: [
        [{ cpu: "3000", memory: "0" }, "node1"],
        [{ cpu: "3000", memory: "5000" }, "node2"],
      ],
      pod: twoContainers,
      want: [57, 60],
    },
    {
      name: "requested resources exceed node capacity",
      nodes: [
        ["node1", { cpu: "4000", memory: "10000" }],
        ["node2", { cpu: "4000", memory: "10000" }],
      ],
      existing: [
        [{ cpu: "3000", memory: "0" }, "node1"],
        [{ cpu: "3000", memory: "5000" }, "node2"],
      ],
      pod: () => makePod().req({ cpu: "3000", memory: "0" }).get(),
      want: [50, 25],
    },
    {
      name: "zero node resources, pods scheduled with resources",
      nodes: [
        ["node1", {}],
        ["node2", {}],
      ],
      existing: [
        [{ cpu: "3000", memory: "0" }, "node1"],
        [{ cpu: "3000", memory: "5000" }, "node2"],
      ],
      pod: () => makePod().get(),
      want: [0, 0],
    },
    {
      name: "different weight on CPU and memory, differently sized nodes",
      nodes: [
        ["node1", { cpu: "4000", memory: "10000" }],
        ["node2", { cpu: "6000", memory: "10000" }],
      ],
      existing: [],
      pod: twoContainers,
      want: [41, 50],
      weights: [1, 2],
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const { c, fw } = cluster(
        tc.nodes.map(([n, cap]) => makeNode(n, cap)),
        tc.existing.map(([req, n], i) => [req === null ? makePod(`e${i}`).get() : makePod(`e${i}`).req(req).get(), n]),
      );
      const w = tc.weights ?? [1, 1];
      const fit = new NodeResourcesFit(
        fw,
        args({
          scoringStrategy: {
            type: "LeastAllocated",
            resources: [
              { name: "cpu", weight: w[0] },
              { name: "memory", weight: w[1] },
            ],
          },
        }),
      );
      expect(runScore(c, fit, tc.pod()).raw).toEqual(tc.want);
    });
  }

  test("extended resource the pod does not request is bypassed; requested one is scored", () => {
    const nodes = [
      makeNode("node1", { cpu: "6000", memory: "10000" }),
      makeNode("node2", { cpu: "6000", memory: "10000", "intel.com/foo": "4" }),
    ];
    const { c, fw } = cluster(nodes, [], undefined, ["intel.com/foo"]);
    const fit = new NodeResourcesFit(
      fw,
      args({
        scoringStrategy: {
          type: "LeastAllocated",
          resources: [
            { name: "cpu", weight: 1 },
            { name: "memory", weight: 1 },
            { name: "intel.com/foo", weight: 1 },
          ],
        },
      }),
    );
    expect(runScore(c, fit, twoContainers()).raw).toEqual([50, 50]);
    // node2: (50 + 50 + (4 - 2) * 100 / 4) / 3 = 50; node1 has none of it: (50 + 50) / 2.
    const pod = makePod()
      .req({ cpu: "1000", memory: "2000", "intel.com/foo": "2" })
      .req({ cpu: "2000", memory: "3000" })
      .get();
    expect(runScore(c, fit, pod).raw).toEqual([50, 50]);
  });
});

describe("NodeResourcesFit MostAllocated (most_allocated_test.go)", () => {
  test("nothing scheduled, resources requested, differently sized nodes", () => {
    const { c, fw } = cluster([
      makeNode("node1", { cpu: "4000", memory: "10000" }),
      makeNode("node2", { cpu: "6000", memory: "10000" }),
    ]);
    // node1: cpu 3000*100/4000 = 75, memory 5000*100/10000 = 50 -> 62; node2: 50, 50 -> 50
    expect(runScore(c, new NodeResourcesFit(fw, strategy("MostAllocated")), twoContainers()).raw).toEqual([62, 50]);
  });
  test("resources requested, pods scheduled with resources", () => {
    const { c, fw } = cluster(
      [makeNode("node1", { cpu: "10000", memory: "20000" }), makeNode("node2", { cpu: "10000", memory: "20000" })],
      [
        [makePod("a").req({ cpu: "3000", memory: "0" }).get(), "node1"],
        [makePod("b").req({ cpu: "3000", memory: "5000" }).get(), "node2"],
      ],
    );
    // node1: cpu 6000*100/10000 = 60, memory 5000*100/20000 = 25 -> 42; node2: 60, 10000*100/20000 = 50 -> 55
    expect(runScore(c, new NodeResourcesFit(fw, strategy("MostAllocated")), twoContainers()).raw).toEqual([42, 55]);
  });
  test("requests above capacity are clamped to capacity", () => {
    const { c, fw } = cluster([makeNode("node1", { cpu: "4000", memory: "10000" })]);
    // cpu 5000 > 4000 -> 100; memory 5000*100/10000 = 50 -> 75
    expect(
      runScore(
        c,
        new NodeResourcesFit(fw, strategy("MostAllocated")),
        makePod().req({ cpu: "5000", memory: "5000" }).get(),
      ).raw,
    ).toEqual([75]);
  });
});

describe("NodeResourcesFit RequestedToCapacityRatio (requested_to_capacity_ratio_test.go)", () => {
  const shape = {
    requestedToCapacityRatio: {
      shape: [
        { utilization: 0, score: 10 },
        { utilization: 100, score: 0 },
      ],
    },
  };
  test("nothing scheduled, nothing requested", () => {
    const { c, fw } = cluster(
      [makeNode("node1", { cpu: "4000", memory: "10000" }), makeNode("node2", { cpu: "4000", memory: "10000" })],
      [
        [makePod("a").get(), "node1"],
        [makePod("b").get(), "node1"],
      ],
    );
    expect(
      runScore(c, new NodeResourcesFit(fw, strategy("RequestedToCapacityRatio", shape)), makePod().get()).raw,
    ).toEqual([100, 100]);
  });
  test("resources requested, differently sized nodes: round((25 + 50) / 2) = 38", () => {
    const { c, fw } = cluster([
      makeNode("node1", { cpu: "4000", memory: "10000" }),
      makeNode("node2", { cpu: "6000", memory: "10000" }),
    ]);
    expect(
      runScore(c, new NodeResourcesFit(fw, strategy("RequestedToCapacityRatio", shape)), twoContainers()).raw,
    ).toEqual([38, 50]);
  });
  test("single extended resource bin packing (TestResourceBinPackingSingleExtended)", () => {
    const mem = String(10000 * 1024 * 1024);
    const nodes = [
      makeNode("node1", { cpu: "4000", memory: mem, "intel.com/foo": "8" }),
      makeNode("node2", { cpu: "4000", memory: mem, "intel.com/foo": "4" }),
    ];
    const fitArgs = args({
      scoringStrategy: {
        type: "RequestedToCapacityRatio",
        resources: [{ name: "intel.com/foo", weight: 1 }],
        requestedToCapacityRatio: {
          shape: [
            { utilization: 0, score: 0 },
            { utilization: 100, score: 1 },
          ],
        },
      },
    });
    const a = cluster(nodes, [[makePod("x").get(), "node1"]]);
    const fit = new NodeResourcesFit(a.fw, fitArgs);
    expect(runScore(a.c, fit, makePod().get()).raw).toEqual([0, 0]);
    expect(runScore(a.c, fit, makePod().req({ "intel.com/foo": "2" }).get()).raw).toEqual([2, 5]);
    const b = cluster(nodes, [[makePod("x").req({ "intel.com/foo": "2" }).get(), "node2"]]);
    expect(
      runScore(b.c, new NodeResourcesFit(b.fw, fitArgs), makePod().req({ "intel.com/foo": "2" }).get()).raw,
    ).toEqual([2, 10]);
    expect(runScore(a.c, fit, makePod().req({ "intel.com/foo": "4" }).get()).raw).toEqual([5, 10]);
  });
  test("BuildBrokenLinearFunction (TestBrokenLinearFunction)", () => {
    const f1 = brokenLinear([
      { utilization: 10, score: 1 },
      { utilization: 90, score: 9 },
    ]);
    expect([-10, 0, 9, 10, 15, 19, 20, 89, 90, 99, 100, 110].map(f1)).toEqual([1, 1, 1, 1, 1, 1, 2, 8, 9, 9, 9, 9]);
    const f2 = brokenLinear([
      { utilization: 0, score: 2 },
      { utilization: 40, score: 10 },
      { utilization: 100, score: 0 },
    ]);
    expect([-10, 0, 20, 30, 40, 70, 100, 110].map(f2)).toEqual([2, 2, 6, 8, 10, 5, 0, 0]);
  });
});

describe("NodeResourcesFit Filter (fit.go fitsRequest)", () => {
  // One node with allocatable cpu 10m, memory 20, pods 32, already holding cpu 5m and memory 19.
  const setup = (pods = 32, extra: Record<string, string> = {}) =>
    cluster(
      [makeNode("n", { cpu: "10m", memory: "20", pods: String(pods), ...extra })],
      [[makePod("e").req({ cpu: "5m", memory: "19" }).get(), "n"]],
      undefined,
      ["example.com/aaa"],
    );
  const table: [string, Record<string, string>, string[]][] = [
    ["no resources requested always fits", {}, []],
    ["both resources fit", { cpu: "1m", memory: "1" }, []],
    ["too many resources fails", { cpu: "6m", memory: "2" }, ["Insufficient cpu", "Insufficient memory"]],
    ["one resource cpu fits", { cpu: "5m", memory: "2" }, ["Insufficient memory"]],
    ["cpu does not fit", { cpu: "6m", memory: "1" }, ["Insufficient cpu"]],
    ["equal edge case", { cpu: "5m", memory: "1" }, []],
    [
      "extended resource the node lacks",
      { cpu: "1m", memory: "1", "example.com/aaa": "1" },
      ["Insufficient example.com/aaa"],
    ],
  ];
  for (const [name, req, reasons] of table) {
    test(name, () => {
      const { c, fw } = setup();
      const fit = new NodeResourcesFit(fw, null);
      const pod = Object.keys(req).length === 0 ? makePod().get() : makePod().req(req).get();
      const st = runFilter(c, fit, pod).statuses[0]!;
      expect(st.reasons).toEqual(reasons);
      expect(st.codeName).toBe(reasons.length === 0 ? "Success" : "Unschedulable");
    });
  }
  test("pods count: one pod allowed and one present gives Too many pods", () => {
    const { c, fw } = setup(1);
    expect(
      runFilter(c, new NodeResourcesFit(fw, null), makePod().req({ cpu: "1m", memory: "1" }).get()).statuses[0]!
        .reasons,
    ).toEqual(["Too many pods"]);
  });
  test("ignoredResources skips an extended resource", () => {
    const { c, fw } = setup();
    const fit = new NodeResourcesFit(fw, args({ ignoredResources: ["example.com/aaa"] }));
    expect(
      runFilter(c, fit, makePod().req({ cpu: "1m", memory: "1", "example.com/aaa": "1" }).get()).statuses[0]!.codeName,
    ).toBe("Success");
    const byGroup = new NodeResourcesFit(fw, args({ ignoredResourceGroups: ["example.com"] }));
    expect(
      runFilter(c, byGroup, makePod().req({ cpu: "1m", memory: "1", "example.com/aaa": "1" }).get()).statuses[0]!
        .codeName,
    ).toBe("Success");
  });
  test("nvidia.com/gpu is counted like any extended resource", () => {
    const { c, fw } = cluster(
      [
        makeNode("gpu", { cpu: "8", memory: "32Gi", "nvidia.com/gpu": "2" }),
        makeNode("cpu", { cpu: "8", memory: "32Gi" }),
      ],
      [[makePod("e").req({ "nvidia.com/gpu": "1" }).get(), "gpu"]],
    );
    const fit = new NodeResourcesFit(fw, null);
    const r = runFilter(c, fit, makePod().req({ cpu: "1", "nvidia.com/gpu": "1" }).get());
    expect(r.statuses.map((s) => s.reasons)).toEqual([[], ["Insufficient nvidia.com/gpu"]]);
    expect(runFilter(c, fit, makePod().req({ "nvidia.com/gpu": "2" }).get()).statuses[0]!.reasons).toEqual([
      "Insufficient nvidia.com/gpu",
    ]);
  });
  test("init containers: the larger of the app sum and each init container", () => {
    const { c, fw } = setup();
    // app 1m + 1m = 2m; init 6m > 5m free
    const pod = makePod()
      .req({ cpu: "1m" })
      .req({ cpu: "1m" })
      .init({ requests: { cpu: "6m" } })
      .get();
    expect(runFilter(c, new NodeResourcesFit(fw, null), pod).statuses[0]!.reasons).toEqual(["Insufficient cpu"]);
  });
});
