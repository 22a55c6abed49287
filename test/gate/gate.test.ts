import { describe, expect, test } from "vitest";
import type { BaselineFile, PreparedCase } from "../../src/gate/baseline-file.js";
import { gateResult, type GateRun } from "../../src/gate/gate.js";
import { formatGate, gateJunit, gateMarkdown } from "../../src/gate/gate-report.js";
import { parseThresholds, type Threshold } from "../../src/gate/tolerance.js";
import type { SimulatedSummary } from "../../src/metrics/summary.js";

// gateResult on hand-made summaries: only the fields the gate metrics read.

const S = 1e9;

function summary(o: { allRunning?: number | null; p99?: number; tput?: number }): SimulatedSummary {
  const p99 = o.p99 ?? 2 * S;
  return {
    timeToAllRunningNs: o.allRunning === undefined ? 60 * S : o.allRunning,
    podStartup: { count: 10, p50Ns: S, p90Ns: 1.5 * S, p99Ns: p99, maxNs: p99 },
    podStartupExcludingPulls: { p99Ns: p99 },
    scheduler: { cycles: 10, cyclesPerSecond: 60, nodesExamined: 100, bindings: 10, bindingsPerSecond: o.tput ?? 50 },
    api: { "create pods": { count: 10, p50Ns: 1e6, p90Ns: 2e6, p99Ns: 3e6, maxNs: 4e6 } },
    watchDelivery: { p99Ns: 1e7 },
    apiRejections: { tooManyRequests: 0, webhookFailures: 0 },
    pods: { unschedulable: 0 },
  } as unknown as SimulatedSummary;
}

const seeds = [1, 2, 3];
const base = [summary({ p99: 2.0 * S }), summary({ p99: 2.2 * S }), summary({ p99: 1.8 * S })];

function gate(now: SimulatedSummary[], tolerances: string[] = [], name = "web") {
  const baseline: BaselineFile = {
    format: "simctl-baseline/1",
    simctl: "test",
    seeds,
    cases: [
      { name, file: "web.yaml", scenarioSha256: "x", runs: base.map((results, s) => ({ seed: seeds[s]!, results })) },
    ],
  };
  const prepared = [{ sha256: "x" } as PreparedCase];
  const t = parseThresholds(tolerances) as Threshold[];
  return gateResult(
    baseline,
    prepared,
    now.map((summary): GateRun => ({ summary, wallMs: 1 })),
    t,
    0.95,
  );
}

const row = (g: ReturnType<typeof gate>, metric: string) => g.cases[0]!.rows.find((r) => r.metric === metric)!;

describe("gateResult", () => {
  test("the baseline's own results pass, identical, with every difference exactly 0", () => {
    const g = gate(base);
    expect(g.regressions).toBe(0);
    expect(g.cases[0]!.identical).toBe(true);
    expect(g.cases[0]!.scenarioChanged).toBe(false);
    const rows = g.cases[0]!.rows;
    // The hand-made summaries have no binding or pods/status calls: no data, and no note.
    expect(rows.filter((r) => r.verdict === "no data").map((r) => [r.metric, r.reason])).toEqual([
      ["apiBindingP99", ""],
      ["apiPodStatusP99", ""],
    ]);
    expect(rows.filter((r) => r.verdict !== "no data").every((r) => r.verdict === "ok" && r.diff.meanDiff === 0)).toBe(
      true,
    );
  });

  test("p99 +10% on every seed: a regression at tolerance 0 and at +5%, not at +15%", () => {
    const now = base.map((s) => summary({ p99: s.podStartup.p99Ns! * 1.1 }));
    expect(row(gate(now), "startupP99").verdict).toBe("REGRESSION");
    expect(row(gate(now, ["startupP99=+5%"]), "startupP99").verdict).toBe("REGRESSION");
    expect(row(gate(now, ["startupP99=+15%"]), "startupP99").verdict).toBe("ok");
    expect(row(gate(now, ["startupP99=+300ms"]), "startupP99").verdict).toBe("ok");
    expect(gate(now).cases[0]!.identical).toBe(false);
  });

  test("a lower throughput is a regression, a higher one an improvement", () => {
    expect(row(gate(base.map(() => summary({ tput: 40 }))), "schedulerThroughput").verdict).toBe("REGRESSION");
    expect(
      row(
        gate(
          base.map(() => summary({ tput: 40 })),
          ["schedulerThroughput=-25%"],
        ),
        "schedulerThroughput",
      ).verdict,
    ).toBe("ok");
    expect(row(gate(base.map(() => summary({ tput: 60 }))), "schedulerThroughput").verdict).toBe("improved");
  });

  test("not all pods Running any more on one seed is a regression, whatever the tolerance", () => {
    const now = [base[0]!, summary({ allRunning: null, p99: 2.2 * S }), base[2]!];
    const r = row(gate(now, ["200%"]), "timeToAllRunning");
    expect(r.verdict).toBe("REGRESSION");
    expect(r.reason).toBe("no value now on 1 of 3 seeds that had one (not all pods Running)");
    expect(formatGate(gate(now))).toContain("web timeToAllRunning: no value now on 1 of 3 seeds");
  });

  test("JUnit and Markdown escape what a scenario name may hold", () => {
    const now = base.map((s) => summary({ p99: s.podStartup.p99Ns! * 1.1 }));
    const g = gate(now, [], 'a&b<"c">|d');
    const xml = gateJunit(g);
    expect(xml).toContain('<testsuite name="a&#38;b&#60;&#34;c&#34;&#62;|d"');
    expect(xml).not.toMatch(/name="[^"]*[<&][^#]/);
    expect(gateMarkdown(g)).toContain('| a&b<"c">\\|d | startupP99 |');
  });
});
