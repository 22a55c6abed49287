import { describe, expect, test } from "vitest";
import {
  diffResults,
  formatDiffs,
  GOLDEN_CASES,
  readGolden,
  REGENERATE,
  runGoldenCase,
  type GoldenCase,
} from "../../bench/golden.js";

// The golden-results gate: the simulated results of seeded scenarios must equal the values
// committed in results/golden/. It is independent of machine speed (only simulated time is
// compared), so it runs on every `npm test`. Regenerate after an intended change of behaviour:
//   npm run bench -- --update-golden

describe("golden results (results/golden/*.json)", () => {
  test.each(GOLDEN_CASES.map((c) => [c.name, c] as const))("%s matches its golden values exactly", (name, c) => {
    const golden = readGolden(name);
    expect(golden, `results/golden/${name}.json is missing; create it with: ${REGENERATE}`).toBeDefined();
    expect(
      golden!.case,
      `results/golden/${name}.json was made from another case definition; regenerate with: ${REGENERATE}`,
    ).toEqual(JSON.parse(JSON.stringify(c)));
    const diffs = diffResults(golden!.results, runGoldenCase(c));
    expect(diffs, formatDiffs(name, diffs)).toEqual([]);
  });
});

describe("the gate catches a change of a model constant", () => {
  const small = GOLDEN_CASES.find((c) => c.name === "binpack-vs-spread")!;

  test("etcd's apply cost 10us -> 11us changes binpack-vs-spread's results, and the comparison reports where", () => {
    const golden = readGolden(small.name)!;
    const perturbed = runGoldenCase(small, [["controlPlane.etcd.applyCost", "11us"]]);
    // Every difference, not the first 50: the startup phases alone are dozens of them.
    const diffs = diffResults(golden.results, perturbed, "results", Infinity);
    expect(diffs.length).toBeGreaterThan(0);
    // Every write now commits 1 us later: API latencies move, and so does the time to all Running.
    expect(diffs.some((d) => d.path.startsWith('results.api["create pods"]'))).toBe(true);
    expect(diffs.some((d) => d.path === "results.timeToAllRunningNs")).toBe(true);
    expect(formatDiffs(small.name, diffs)).toContain("--update-golden");
  });

  test("a kubelet latency (containerStart) override changes the pod startup figures", () => {
    const golden = readGolden(small.name)!;
    const perturbed = runGoldenCase(small, [["kubelet.containerStart", { dist: "constant", value: "1s" }]]);
    const diffs = diffResults(golden.results, perturbed);
    expect(diffs.some((d) => d.path.startsWith("results.podStartup."))).toBe(true);
  });

  test("an unperturbed rerun reports no difference (the gate is deterministic)", () => {
    const c: GoldenCase = small;
    expect(diffResults(runGoldenCase(c), runGoldenCase(c))).toEqual([]);
  });
});

describe("diffResults", () => {
  test("identical values give no difference", () => {
    expect(diffResults({ a: 1, b: [1, { c: null }] }, { a: 1, b: [1, { c: null }] })).toEqual([]);
  });

  test("reports a changed number, a missing key, an extra key and an array length, with their paths", () => {
    const d = diffResults(
      { a: 1, api: { "get pods": { p99Ns: 5 } }, gone: true, xs: [1, 2] },
      { a: 1, api: { "get pods": { p99Ns: 6 } }, added: 0, xs: [1] },
    );
    expect(d).toEqual([
      { path: "results.added", expected: undefined, actual: 0 },
      { path: 'results.api["get pods"].p99Ns', expected: 5, actual: 6 },
      { path: "results.gone", expected: true, actual: undefined },
      { path: "results.xs.length", expected: 2, actual: 1 },
    ]);
  });

  test("no tolerance: a difference in the last bit of a float is a difference", () => {
    expect(diffResults({ x: 0.1 + 0.2 }, { x: 0.3 })).toHaveLength(1);
  });

  test("a type change (number to null) is reported", () => {
    expect(diffResults({ p: 1 }, { p: null })).toEqual([{ path: "results.p", expected: 1, actual: null }]);
  });
});
