import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeReport } from "../../src/report/build-report.js";
import { loadScenario, parseScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { mergeStudy } from "../../src/study/merge.js";
import { runSweep } from "../../src/study/sweep.js";
import { caScenario } from "../autoscaler/ca-scenario.js";
import { ensureDist, simctl } from "../cli/simctl.js";
import { tree } from "../scenario/fixture.js";
import { MIX_SCENARIO, MIX_WEB } from "../study/mix-scenario.js";
import { CHROMIUM, haveChromium, inspectLayout, inspectReport, launchChromium } from "./browser.js";
import { tmpDir } from "../tmp-dir.js";

const root = tmpDir("simctl-report-");
let runDir: string;
const studyDir = join(root, "study");
const mergedDir = join(root, "study", "merged");
let autoscaledDir: string;
const capacityDir = join(root, "capacity");
const mixDir = join(root, "capacity-mix");

/** A run whose pool burst (8 CPUs, 0.5 USD/h) the Cluster Autoscaler grows from zero for 10 one-CPU pods. */
function autoscaledRun(): string {
  const scenario = caScenario({
    name: "report-autoscaled",
    pools: [
      "    - { name: base, count: 1, allocatable: { cpu: 4, memory: 16Gi }, images: [registry.k8s.io/pause:3.9], costPerHour: 0.25 }",
      "    - name: burst",
      "      count: 0",
      "      allocatable: { cpu: 8, memory: 32Gi }",
      "      images: [registry.k8s.io/pause:3.9]",
      "      costPerHour: 0.5",
      "      autoscaling: { minNodes: 0, maxNodes: 5, provisionTime: 30s }",
    ].join("\n"),
    replicas: 10,
  });
  return runScenario(scenario, { outRoot: join(root, "autoscaled") }).outDir!;
}
if (!haveChromium)
  console.warn(`report browser tests skipped: ${CHROMIUM} cannot run (apt-get install -y chromium; .ci/run does this)`);

let browser: Browser | undefined;

beforeAll(async () => {
  runDir = runScenario(loadScenario("test/study/fixtures/tiny.yaml"), { outRoot: root }).outDir!;
  await runSweep("test/study/fixtures/nodes-sweep.yaml", { outDir: studyDir, workers: 1 });
  mergeStudy([studyDir], mergedDir);
  autoscaledDir = autoscaledRun();
  ensureDist();
  const inputs = tree({ "web.yaml": MIX_WEB, "s.yaml": MIX_SCENARIO });
  const slo = ["--slo", "allRunning <= 5m", "--slo", "startupP99 <= 5s", "--seeds", "2"];
  for (const [flags, out] of [
    [["--pool", "big"], capacityDir],
    [["--pools", "small,big", "--cost"], mixDir],
  ] as const) {
    const r = await simctl(["capacity", join(inputs, "s.yaml"), ...flags, ...slo, "--out", out]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  if (haveChromium) browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

async function inspect(file: string): Promise<{ charts: Record<string, number>; requests: string[]; title: string }> {
  const r = await inspectReport(browser!, file);
  return { ...r, charts: Object.fromEntries(r.charts) };
}

describe("simctl report", () => {
  test("a run report is one self-contained file with the four run charts", async () => {
    const r = await writeReport(runDir);
    expect(r.kind).toBe("run");
    expect(r.charts).toEqual(["startup-cdf", "pods-over-time", "stage-waterfall", "api-latency"]);
    const html = readFileSync(r.path, "utf8");
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/i);
    expect(html).toContain("default-src 'none'");
    // Each chart twice: for wide screens and, shown below 720 px, for narrow ones.
    expect(html.match(/<svg/g)?.length).toBe(8);
  });

  test("a study report has sweep curves and the startup CDF, from the study and from its merge", async () => {
    const expected = [
      "sweep-time-to-all-running",
      "sweep-startup-p99",
      "sweep-startup-p99-excl-pulls",
      "sweep-nodes-used",
      "sweep-fragmentation",
      "sweep-scheduler-throughput",
      "sweep-scheduling-cycles",
      "startup-cdf",
    ];
    const a = await writeReport(studyDir);
    const b = await writeReport(mergedDir);
    expect(a.charts).toEqual(expected);
    expect(b.charts).toEqual(expected);
    // Same data, same charts, whether read from the run directories or the merged tables.
    const svgs = (p: string) => readFileSync(p, "utf8").match(/<svg[\s\S]*?<\/svg>/g);
    expect(svgs(b.path)).toEqual(svgs(a.path));
  });

  test("a run with an autoscaled pool adds nodes per pool, pods pending, node-hours and cost", async () => {
    const r = await writeReport(autoscaledDir, join(root, "autoscaled.html"));
    expect(r.charts).toEqual([
      "startup-cdf",
      "pods-over-time",
      "autoscaler-nodes",
      "autoscaler-pending",
      "stage-waterfall",
      "api-latency",
    ]);
    const html = readFileSync(r.path, "utf8");
    const summary = JSON.parse(readFileSync(join(autoscaledDir, "summary.json"), "utf8")).results.autoscaler;
    expect(summary.pools.find((p: { pool: string }) => p.pool === "burst").peakNodes).toBeGreaterThan(0);
    expect(html).toContain("Node-hours and cost by pool");
    expect(html).toContain(`<td>${summary.nodeHours.toFixed(3)}</td><td>${summary.costUsd.toFixed(2)}</td>`);
    // A run without autoscaled pools keeps its report: no autoscaler chart or table.
    const plain = readFileSync((await writeReport(runDir, join(root, "plain.html"))).path, "utf8");
    expect(plain).not.toContain("autoscaler");
    expect(plain).not.toContain("Node-hours");
  });

  test("a capacity report charts each SLO against the node count, its bound, pass/fail and the answer", async () => {
    const r = await writeReport(capacityDir);
    expect(r.kind).toBe("capacity");
    expect(r.charts).toEqual(["capacity-slo-1", "capacity-slo-2"]);
    const { readCapacity, capacityChartPoints } = await import("../../src/report/capacity-report.js");
    const c = readCapacity(capacityDir);
    expect(c.answer).toEqual([3]);
    // big = 1 and 2 cannot hold the 18 pods small leaves: never all Running, drawn at the top.
    const points = capacityChartPoints(c, 0);
    expect(points.map((p) => [p.x, p.reached, p.result, p.answer]).sort()).toEqual([
      [1, false, "fail", false],
      [2, false, "fail", false],
      [3, true, "pass", true],
    ]);
    const top = Math.max(...points.map((p) => p.y));
    expect(top).toBeGreaterThan(300); // above the 5 m bound
    expect(points.find((p) => p.answer)!.y).toBeLessThan(300);
    const html = readFileSync(r.path, "utf8");
    expect(html).toContain("simctl capacity: pool big");
    expect(html).toContain("pass (answer)");
    expect(html).toContain("<td>answer</td><td>3 nodes of pool big</td>");
  });

  test("a capacity --pools report charts the mixes tried and their price", async () => {
    const r = await writeReport(mixDir);
    expect(r.charts).toEqual(["capacity-mixes", "capacity-slo-1", "capacity-slo-2"]);
    const html = readFileSync(r.path, "utf8");
    expect(html).toContain("2 nodes of small + 2 nodes of big, 8.00 USD/hour");
    const { readCapacity } = await import("../../src/report/capacity-report.js");
    const c = readCapacity(mixDir);
    expect(c.mix).toBe(true);
    expect(c.points.map((p) => [...p.nodes, p.costPerHour])).toContainEqual([2, 2, 8]);
  });

  test.runIf(haveChromium)("headless Chromium draws every chart of a run report, fetching nothing", async () => {
    const r = await writeReport(runDir, join(root, "run-report.html"));
    const seen = await inspect(r.path);
    expect(seen.title).toBe("simctl run tiny (seed 7)");
    expect(Object.keys(seen.charts)).toEqual(r.charts);
    for (const id of r.charts) expect(seen.charts[id], id).toBeGreaterThan(0);
    // The CDF has its two series lines and the SLO rule; the waterfall one bar per step.
    expect(seen.charts["stage-waterfall"]).toBeGreaterThanOrEqual(5);
    expect(seen.requests).toEqual([]);
  });

  test.runIf(haveChromium)("headless Chromium draws every chart of a study report", async () => {
    const r = await writeReport(studyDir, join(root, "study-report.html"));
    const seen = await inspect(r.path);
    expect(Object.keys(seen.charts)).toEqual(r.charts);
    for (const id of r.charts) expect(seen.charts[id], id).toBeGreaterThan(0);
    // Nine runs: a point per run on each sweep curve (plus the line and the range rules).
    expect(seen.charts["sweep-nodes-used"]).toBeGreaterThanOrEqual(9);
    expect(seen.requests).toEqual([]);
  });
});

describe.runIf(haveChromium)("the report on a 420 px phone and a 1400 px screen", () => {
  for (const [kind, dir] of [
    ["run", () => runDir],
    ["study", () => studyDir],
    ["autoscaled run", () => autoscaledDir],
    ["capacity", () => capacityDir],
    ["capacity --pools", () => mixDir],
  ] as const)
    for (const width of [420, 1400])
      test(`${kind} report at ${width} px: every chart draws its marks, no text under 9 px, no horizontal scroll`, async () => {
        const r = await writeReport(dir(), join(root, `${kind.replace(/\W+/g, "-")}-${width}.html`));
        const seen = await inspectLayout(browser!, r.path, width);
        expect(seen.charts.map((c) => c[0])).toEqual(r.charts);
        for (const [id, n] of seen.charts) expect(n, `${id} at ${width} px`).toBeGreaterThan(0);
        expect(seen.smallestText.px, `"${seen.smallestText.text}"`).toBeGreaterThanOrEqual(9);
        expect(seen.overflowPx).toBe(0);
      });
});

describe("what the charts say", () => {
  test("the run report charts the pods not yet created, from timeseries.arrow", async () => {
    const { notCreatedOverTime } = await import("../../src/report/run-data.js");
    const { readArrow } = await import("../../src/report/arrow-columns.js");
    // tiny.yaml with 150 small pods: the replicaset controller creates them at its client's
    // 20 QPS (burst 30), so for seconds most are wanted and not yet created; then none are.
    const text = readFileSync("test/study/fixtures/tiny.yaml", "utf8")
      .replace("replicas: 24", "replicas: 150")
      .replace("cpu: 250m", "cpu: 50m");
    const dir = runScenario(parseScenario("test/study/fixtures/tiny.yaml", text), { outRoot: join(root, "backlog") })
      .outDir!;
    const backlog = notCreatedOverTime(readArrow(join(dir, "timeseries.arrow")));
    expect(Math.max(...backlog.map((p) => p.pods))).toBeGreaterThan(100);
    expect(backlog[backlog.length - 1]!.pods).toBe(0);
    const html = readFileSync((await writeReport(dir, join(root, "backlog.html"))).path, "utf8");
    expect(html).toContain("Not created");
  });

  test("a metric spanning more than two decades gets a log axis, one within two a linear axis", async () => {
    const { spansDecades, sweepChart } = await import("../../src/report/charts.js");
    expect(spansDecades([0.5, 20, 51])).toBe(true);
    expect(spansDecades([1, 100])).toBe(false);
    expect(spansDecades([0, 1000])).toBe(false); // zero has no place on a log axis
    const points = [1, 10, 1000].map((x, i) => ({ x, series: "s", seed: 1, value: [0.2, 3, 40][i]! }));
    const spec = JSON.stringify(sweepChart(points, "nodes", "p99 (s)"));
    expect(spec).toContain('"title":"nodes (log scale)"');
    expect(spec).toContain('"title":"p99 (s), log scale"');
    const flat = JSON.stringify(
      sweepChart(
        points.map((p) => ({ ...p, x: p.x + 100, value: 1 + p.value / 100 })),
        "n",
        "v",
      ),
    );
    expect(flat).not.toContain("log");
  });

  test("study axes carry the study's column names", async () => {
    const html = readFileSync((await writeReport(studyDir, join(root, "columns.html"))).path, "utf8");
    expect(html).toContain("time to all Running vs cluster_nodePools_0_count");
    expect(html).not.toContain("vs cluster.nodePools[0].count");
  });
});

describe("report data", () => {
  test("numberColumn reads sliced tables and nulls", async () => {
    const { numberColumn } = await import("../../src/report/arrow-columns.js");
    const { tableFromColumns } = await import("../../src/metrics/arrow-writer.js");
    const t = tableFromColumns([{ name: "x_ns", type: "int64", values: Float64Array.from([1, NaN, 3, 4, 5]) }], 5, {});
    expect(Array.from(numberColumn(t, "x_ns")!)).toEqual([1, NaN, 3, 4, 5]);
    expect(Array.from(numberColumn(t.slice(1, 4), "x_ns")!)).toEqual([NaN, 3, 4]);
    expect(numberColumn(t, "nope")).toBeUndefined();
  });

  test("ecdf, pods over time and the waterfall from timestamps", async () => {
    const { ecdf, podsOverTime, stageWaterfall } = await import("../../src/report/run-data.js");
    const { tableFromColumns } = await import("../../src/metrics/arrow-writer.js");
    expect(ecdf([4e9, 1e9, NaN, 2e9, 3e9], "s", 4)).toEqual([
      { series: "s", seconds: 1, fraction: 0 },
      { series: "s", seconds: 1, fraction: 0.25 },
      { series: "s", seconds: 2, fraction: 0.5 },
      { series: "s", seconds: 3, fraction: 0.75 },
      { series: "s", seconds: 4, fraction: 1 },
    ]);
    // Pods created at 0, 0, 2 s; Running at 1 s, 3 s and never.
    const t = tableFromColumns(
      [
        { name: "created_ns", type: "int64", values: Float64Array.from([0, 0, 2e9]) },
        { name: "queued_ns", type: "int64", values: Float64Array.from([0.5e9, 0.5e9, 2.5e9]) },
        { name: "running_ns", type: "int64", values: Float64Array.from([1e9, 3e9, NaN]) },
      ],
      3,
      {},
    );
    const states = podsOverTime(t, 3); // samples at 0, 1, 2, 3 s
    expect(states.filter((s) => s.state === "Running").map((s) => s.pods)).toEqual([0, 1, 1, 2]);
    expect(states.filter((s) => s.state === "Pending").map((s) => s.pods)).toEqual([2, 1, 2, 1]);
    // Only pods that reached Running count: means over pods 0 and 1.
    expect(stageWaterfall(t)).toEqual([
      { order: 0, step: "created -> queued", startSeconds: 0, endSeconds: 0.5 },
      { order: 1, step: "queued -> running", startSeconds: 0.5, endSeconds: 2 },
    ]);
  });
});

describe.runIf(haveChromium)("the browser check itself", () => {
  test("counts no marks for a chart that draws nothing visible (bars of zero width)", async () => {
    const { renderSvg } = await import("../../src/report/render-svg.js");
    const { reportPage } = await import("../../src/report/html.js");
    const { writeFileSync } = await import("node:fs");
    // Bars on a log scale start at log(0): Vega draws them with zero width.
    const spec = {
      data: {
        values: [
          { y: "a", x: 3 },
          { y: "b", x: 9 },
        ],
      },
      mark: "bar",
      encoding: { y: { field: "y", type: "nominal" }, x: { field: "x", type: "quantitative", scale: { type: "log" } } },
    } as const;
    const ok = { ...spec, encoding: { ...spec.encoding, x: { field: "x", type: "quantitative" } } } as const;
    const file = join(root, "empty-chart.html");
    writeFileSync(
      file,
      reportPage("t", "m", [
        {
          heading: "h",
          charts: [
            { id: "empty", title: "e", caption: "", svg: await renderSvg(spec), narrowSvg: "" },
            { id: "bars", title: "b", caption: "", svg: await renderSvg(ok), narrowSvg: "" },
          ],
        },
      ]),
    );
    expect((await inspect(file)).charts).toEqual({ empty: 0, bars: 2 });
  });
});
