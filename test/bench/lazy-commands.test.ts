import { describe, expect, test } from "vitest";
import { loadCommands } from "../../src/cli/main.js";

describe("simctl loads only the command it runs", () => {
  test("`run` imports just the run command", async () => {
    const cmds = await loadCommands(["run", "scenarios/10k-pods.yaml", "--out", "/tmp/x"]);
    expect(cmds.map((c) => c.command)).toEqual(["run <scenario>"]);
  });

  test("`bench` is a command", async () => {
    const cmds = await loadCommands(["bench", "--baseline", "results/baseline.json"]);
    expect(cmds.map((c) => c.command)).toEqual(["bench [cases..]"]);
  });

  test("`calibrate` imports just the calibrate command", async () => {
    const cmds = await loadCommands(["calibrate", "etcd", "bench/data/etcd/etcd-puts.csv", "--out", "/tmp/x.yaml"]);
    expect(cmds.map((c) => c.command)).toEqual(["calibrate <component> <measurements>"]);
  });

  test("`gate` and `baseline` import just their own command", async () => {
    expect((await loadCommands(["gate", "baseline.json"])).map((c) => c.command)).toEqual(["gate <baseline>"]);
    expect((await loadCommands(["baseline", "a.yaml", "--out", "b.json"])).map((c) => c.command)).toEqual([
      "baseline <scenarios..>",
    ]);
  });

  test("`import` imports just the import command", async () => {
    const cmds = await loadCommands(["import", "dump", "--out", "/tmp/x.yaml"]);
    expect(cmds.map((c) => c.command)).toEqual(["import <dir>"]);
  });

  test("no command (--help) or an unknown one lists every command from the index, loading none of their modules", async () => {
    for (const argv of [["--help"], ["nosuchcommand"], []]) {
      const cmds = await loadCommands(argv);
      // Stand-ins: usage and description only; a loaded module would bring its builder.
      expect(cmds.every((c) => c.builder === undefined)).toBe(true);
      const names = cmds.map((c) => String(c.command).split(" ")[0]);
      expect(names).toEqual([
        "run",
        "validate",
        "schedule",
        "export",
        "sweep",
        "merge",
        "compare",
        "report",
        "bench",
        "calibrate",
        "capacity",
        "baseline",
        "gate",
        "import",
      ]);
    }
  });
});
