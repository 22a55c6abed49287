import { describe, expect, test } from "vitest";
import { benchBlock, benchTargetsBlock } from "../../bench/docs-blocks.js";
import type { BenchResult } from "../../bench/gate.js";

const LINE =
  "Machine: 2 x Test CPU, Node v20.0.0, linux x64, 8 GiB; load average 0.5 at the start; measured 2026-01-01 by `npm run docs`.";

/** A small bench result, as run.ts writes it (figures made up, shapes real). */
const RESULT: BenchResult = {
  machine: { node: "v20.0.0", cpu: "Test CPU", cores: 2, memGiB: 8, platform: "linux x64" },
  date: "2026-01-01T00:00:00.000Z",
  cases: [
    {
      name: "engine hold 1e6 pending",
      unit: "ms",
      samples: [40, 50, 45],
      info: { "M events/s": 2.222, ratioToFlatHeap: 0.8 },
    },
    { name: "flat binary heap hold 1e6 pending", unit: "ms", samples: [36, 36, 37], info: { "M events/s": 2.778 } },
    {
      name: "scheduler pass over 5000 nodes, full default profile, every node changed",
      unit: "ms",
      samples: [0.2, 0.19, 0.21],
      info: { "ns per node": 40, ratioToBareKernel: 3.25 },
    },
    { name: "e2e node -e 0", unit: "ms", samples: [40, 42, 41], info: { "peak RSS MiB": 43, events: 0 } },
    {
      name: "e2e simctl --help",
      unit: "ms",
      samples: [190, 180, 185],
      info: { "peak RSS MiB": 60, events: 0, ratioToNodeE0: 4.51 },
    },
    {
      name: "e2e 10k-pods",
      unit: "ms",
      samples: [1100, 1000, 1200],
      info: { "peak RSS MiB": 160, events: 910_000, ratioToNodeE0: 26.8 },
    },
  ],
};

describe("the README's bench blocks from a bench JSON (bench/docs-bench.ts)", () => {
  test("every case: its figure, median time and ratio to its in-run baseline", () => {
    expect(benchBlock(LINE, RESULT)).toBe(`${LINE}

A short run: \`npm run bench -- --rounds 3 --round-ms 200 --e2e-samples 1\` (medians of 3 rounds of 200 ms per micro-benchmark and one run per end-to-end case; \`npm run bench\` itself takes 7 rounds of 400 ms and 5 or 3 runs, for figures to rely on). Each ratio is to a baseline measured in the same run, so it holds on a loaded machine where the absolute figures do not.

| case | figure | median time per iteration (wall per run for e2e) | ratio to its in-run baseline |
|---|---|---|---|
| engine hold 1e6 pending | 2.222 M events/s | 45.00 ms | 0.800 x the events/s of \`flat binary heap hold 1e6 pending\` |
| flat binary heap hold 1e6 pending | 2.778 M events/s | 36.00 ms |  |
| scheduler pass over 5000 nodes, full default profile, every node changed | 40 ns per node | 0.2000 ms | 3.25 x the time of the bare kernel |
| e2e node -e 0 | peak RSS 43 MiB | 0.04 s wall |  |
| e2e simctl --help | peak RSS 60 MiB | 0.18 s wall | 4.51 x the wall time of \`node -e 0\` |
| e2e 10k-pods | peak RSS 160 MiB, 0.91 M events | 1.10 s wall | 26.8 x the wall time of \`node -e 0\` |`);
  });

  test("issue 18's targets: the measured figure, met or missed and by how much", () => {
    expect(benchTargetsBlock(LINE, RESULT)).toBe(`${LINE}

Issue 18's targets that \`npm run bench\` measures, read from the run of the table above (targets 2 and 3, node sampling and the 1M-pod runs, are measured by their own scenarios):

| # | target (issue 18) | measured | verdict |
|---|---|---|---|
| 1 | 10k-pods, all default models on: <= 0.5 s wall median as a whole process | 1.10 s (26.8 x \`node -e 0\`) | missed by 0.60 s (2.2 x the target) |
| 1 | 10k-pods: <= 150 MiB peak RSS | 160 MiB | missed by 10 MiB |
| 4 | Scheduler: the full default profile on a pass where every node changed <= 2 x the bare kernel | 3.25 x | missed by 63% |
| 5 | Engine hold model at 1e6 pending >= a flat binary heap | 0.80 x the heap's events/s (2.222 vs 2.778 M events/s) | missed by 20% |
| 6 | \`simctl --help\` <= 0.2 s | 0.18 s; \`node -e 0\` 0.04 s | met |`);
  });

  test("a case the run lacks (the scheduler's bare kernel not yet in the bench) reads as not measured", () => {
    const partial = { ...RESULT, cases: RESULT.cases.filter((c) => !c.name.startsWith("scheduler")) };
    expect(benchTargetsBlock(LINE, partial)).toContain(
      "| 4 | Scheduler: the full default profile on a pass where every node changed <= 2 x the bare kernel |  | not measured in this run |",
    );
  });
});
