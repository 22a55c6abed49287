import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { ensureDist, REPO, simctl } from "./simctl.js";
import { tmpDir } from "../tmp-dir.js";

beforeAll(() => ensureDist(), 180_000);

describe("a table too big to read back", () => {
  test("is not written, with one warning line naming it; the other files are", async () => {
    const out = tmpDir("simctl-big-");
    // Forced limit: pods (24 rows), api and etcd are over 3000 bytes of buffers, the rest under.
    const r = await simctl(["run", join(REPO, "test/study/fixtures/tiny.yaml"), "--out", out, "--json"], {
      env: { SIMCTL_TEST_MAX_TABLE_BYTES: "3000" },
    });
    expect(r.code).toBe(0);
    const warned = r.stderr.split("\n").filter((l) => l !== "");
    expect(
      warned.map(
        (l) =>
          /^simctl: warning: ([a-z]+)\.arrow not written: its [0-9]+ rows take [0-9]+ bytes, over the 3000 bytes that merge, export and report can read back \(they load an Arrow file whole\); leave \1 out of the scenario's outputs: to skip it$/.exec(
            l,
          )?.[1],
      ),
    ).toEqual(["pods", "api", "etcd"]);
    expect(readdirSync(join(out, "tiny-7")).sort()).toEqual([
      "inputs.json",
      "nodes.arrow",
      "registry.arrow",
      "scenario.json",
      "scheduler.arrow",
      "summary.json",
      "timeseries.arrow",
    ]);
  });
});
