import { describe, expect, test } from "vitest";
import { InterPodAffinity } from "../../../src/scheduler/plugins/inter-pod-affinity.js";
import { args, cluster, makeNode, makePod, runFilter, runScore } from "../fixtures/cluster.js";

const node = (name: string, zone: string) => makeNode(name, { cpu: "10" }, { labels: { zone } });
const sel = (labels: Record<string, string>) => ({ matchLabels: labels });
const term = (labels: Record<string, string>, topologyKey: string) => ({ labelSelector: sel(labels), topologyKey });
const nodes = [node("a1", "zone1"), node("a2", "zone1"), node("b1", "zone2")];

// Cases after upstream plugins/interpodaffinity/filtering_test.go and scoring_test.go.
describe("InterPodAffinity Filter", () => {
  test("required affinity: only the zone holding a matching pod", () => {
    const { c, fw } = cluster(nodes, [[makePod("s").labels({ service: "securityscan" }).get(), "a1"]]);
    const pod = makePod()
      .set("affinity", {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ service: "securityscan" }, "zone")] },
      })
      .get();
    const r = runFilter(c, new InterPodAffinity(fw, null), pod).statuses;
    expect(r.map((s) => s.codeName)).toEqual(["Success", "Success", "UnschedulableAndUnresolvable"]);
    expect(r[2]!.reasons).toEqual(["node(s) didn't match pod affinity rules"]);
  });
  test("the first pod of a series matching its own affinity term may go anywhere", () => {
    const { c, fw } = cluster(nodes);
    const pod = makePod()
      .labels({ app: "db" })
      .set("affinity", {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "db" }, "zone")] },
      })
      .get();
    expect(runFilter(c, new InterPodAffinity(fw, null), pod).statuses.every((s) => s.codeName === "Success")).toBe(
      true,
    );
    const other = makePod()
      .labels({ app: "web" })
      .set("affinity", {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "db" }, "zone")] },
      })
      .get();
    expect(
      runFilter(c, new InterPodAffinity(fw, null), other).statuses.every(
        (s) => s.codeName === "UnschedulableAndUnresolvable",
      ),
    ).toBe(true);
  });
  test("required anti-affinity on hostname", () => {
    const { c, fw } = cluster(nodes, [[makePod("w").labels({ app: "web" }).get(), "a1"]]);
    const pod = makePod()
      .set("affinity", {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "web" }, "kubernetes.io/hostname")],
        },
      })
      .get();
    const r = runFilter(c, new InterPodAffinity(fw, null), pod).statuses;
    expect(r.map((s) => s.codeName)).toEqual(["Unschedulable", "Success", "Success"]);
    expect(r[0]!.reasons).toEqual(["node(s) didn't match pod anti-affinity rules"]);
  });
  test("a terminating pod still counts (upstream skips terminating pods only in PodTopologySpread)", () => {
    const { c, fw } = cluster(nodes, [[makePod("w").labels({ app: "web" }).set("terminating", true).get(), "a1"]]);
    const pod = makePod()
      .set("affinity", {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "web" }, "kubernetes.io/hostname")],
        },
      })
      .get();
    const r = runFilter(c, new InterPodAffinity(fw, null), pod).statuses;
    expect(r.map((s) => s.codeName)).toEqual(["Unschedulable", "Success", "Success"]);
  });
  test("an existing pod's anti-affinity keeps matching pods out of its zone", () => {
    const existing = makePod("guard")
      .set("affinity", {
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "web" }, "zone")] },
      })
      .get();
    const { c, fw } = cluster(nodes, [[existing, "a2"]]);
    const r = runFilter(c, new InterPodAffinity(fw, null), makePod().labels({ app: "web" }).get()).statuses;
    expect(r.map((s) => s.codeName)).toEqual(["Unschedulable", "Unschedulable", "Success"]);
    expect(r[0]!.reasons).toEqual(["node(s) didn't satisfy existing pods anti-affinity rules"]);
    expect(
      runFilter(c, new InterPodAffinity(fw, null), makePod().labels({ app: "db" }).get()).preFilter!.codeName,
    ).toBe("Skip");
  });
  test("terms only see their namespaces", () => {
    const { c, fw } = cluster(nodes, [[makePod("w").labels({ app: "web" }).ns("other").get(), "a1"]]);
    const pod = makePod()
      .set("affinity", {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "web" }, "kubernetes.io/hostname")],
        },
      })
      .get();
    expect(runFilter(c, new InterPodAffinity(fw, null), pod).statuses.every((s) => s.codeName === "Success")).toBe(
      true,
    );
    const all = makePod()
      .set("affinity", {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { ...term({ app: "web" }, "kubernetes.io/hostname"), namespaceSelector: {} },
          ],
        },
      })
      .get();
    expect(runFilter(c, new InterPodAffinity(fw, null), all).statuses.map((s) => s.codeName)).toEqual([
      "Unschedulable",
      "Success",
      "Success",
    ]);
  });
});

describe("InterPodAffinity Score", () => {
  test("preferred affinity: the zone with matching pods scores 100", () => {
    const { c, fw } = cluster(nodes, [[makePod("s").labels({ security: "S1" }).get(), "a1"]]);
    const pod = makePod()
      .set("affinity", {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 5, podAffinityTerm: term({ security: "S1" }, "zone") },
          ],
        },
      })
      .get();
    const r = runScore(c, new InterPodAffinity(fw, null), pod);
    expect(r.raw).toEqual([5, 5, 0]);
    expect(r.normalized).toEqual([100, 100, 0]);
  });
  test("preferred anti-affinity subtracts; min-max normalization", () => {
    const { c, fw } = cluster(nodes, [
      [makePod("s").labels({ security: "S1" }).get(), "a1"],
      [makePod("t").labels({ security: "S1" }).get(), "b1"],
      [makePod("u").labels({ security: "S1" }).get(), "b1"],
    ]);
    const pod = makePod()
      .set("affinity", {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 3, podAffinityTerm: term({ security: "S1" }, "zone") },
          ],
        },
      })
      .get();
    const r = runScore(c, new InterPodAffinity(fw, null), pod);
    expect(r.raw).toEqual([-3, -3, -6]);
    // 100 * ((s - min) / (max - min))
    expect(r.normalized).toEqual([100, 100, 0]);
  });
  test("existing pods' required affinity counts hardPodAffinityWeight for pods it matches", () => {
    const existing = makePod("e")
      .set("affinity", {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "web" }, "zone")] },
      })
      .get();
    const { c, fw } = cluster(nodes, [[existing, "b1"]]);
    expect(runScore(c, new InterPodAffinity(fw, null), makePod().labels({ app: "web" }).get()).raw).toEqual([0, 0, 1]);
    expect(
      runScore(c, new InterPodAffinity(fw, args({ hardPodAffinityWeight: 7 })), makePod().labels({ app: "web" }).get())
        .raw,
    ).toEqual([0, 0, 7]);
    expect(
      runScore(c, new InterPodAffinity(fw, args({ hardPodAffinityWeight: 0 })), makePod().labels({ app: "web" }).get())
        .skipped,
    ).toBe(true);
  });
  test("PreScore skips when nothing matches", () => {
    const { c, fw } = cluster(nodes);
    expect(runScore(c, new InterPodAffinity(fw, null), makePod().get()).skipped).toBe(true);
  });
});
