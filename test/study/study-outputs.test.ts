import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { defaultInputLimits, insideTree } from "../../src/scenario/input-files.js";
import { ScenarioError } from "../../src/scenario/scenario-error.js";
import { readStudyText } from "../../src/study/study-file.js";
import { runSweep } from "../../src/study/sweep.js";
import { UserError } from "../../src/study/user-error.js";
import { tmpDir } from "../tmp-dir.js";

const root = tmpDir("simctl-study-out-");
const study = (outputs: string) =>
  `name: s\nscenario: tiny.yaml\nparameters:\n  cluster.nodePools[0].count: [2]\noutputs: ${outputs}\n`;

function issue(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error("no error");
}

describe("a study writes only under its results directory", () => {
  test("outputs is resolved against the study file's directory", () => {
    const { spec } = readStudyText("test/study/fixtures/x.yaml", study("results/s"));
    expect(spec.outputs).toBe(resolve("test/study/fixtures/results/s"));
  });

  for (const outside of ["../../../../tmp/x", "/tmp/x", ".."])
    test(`outputs: ${outside} (outside the study's directory) is a located error`, () => {
      const m = issue(() => readStudyText("test/study/fixtures/x.yaml", study(outside)));
      expect(m).toMatch(
        new RegExp(
          `^test/study/fixtures/x\\.yaml:5:10: outputs: expected an output directory inside .*fixtures, the study file's directory \\(--allow-path DIR allows another\\), found "${outside.replace(/[./]/g, "\\$&")}"$`,
        ),
      );
    });

  test("--allow-path admits another directory", () => {
    const { spec } = readStudyText("test/study/fixtures/x.yaml", study("/tmp/x/y"), {
      ...defaultInputLimits(),
      allowPaths: ["/tmp/x"],
    });
    expect(spec.outputs).toBe("/tmp/x/y");
  });

  test("a symbolic link inside the tree cannot lead out of it", () => {
    const tree = join(root, "tree");
    mkdirSync(tree);
    symlinkSync(tmpdir(), join(tree, "link"));
    expect(insideTree(join(tree, "link", "x"), tree)).toBe(false);
    expect(insideTree(join(tree, "sub", "x"), tree)).toBe(true);
    expect(insideTree(join(tree, "..", "x"), tree)).toBe(false);
  });

  test("a sweep refuses an existing directory that is not a study's results, before running anything", async () => {
    const out = join(root, "not-a-study");
    mkdirSync(out);
    writeFileSync(join(out, "thesis.tex"), "precious\n");
    const run = runSweep("test/study/fixtures/nodes-sweep.yaml", { outDir: out, workers: 1 });
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toThrow(
      /^--out .*not-a-study: an existing directory that is not a study's results \(it has no study\.json\)/,
    );
    await expect(run).rejects.toMatchObject({ exitCode: 2 });
    expect(readdirSync(out)).toEqual(["thesis.tex"]);
  });

  test("a sweep --out into a file is refused with exit code 2", async () => {
    const file = join(root, "file");
    writeFileSync(file, "");
    await expect(runSweep("test/study/fixtures/nodes-sweep.yaml", { outDir: file, workers: 1 })).rejects.toMatchObject({
      exitCode: 2,
      message: `--out ${file}: expected a directory, found a file`,
    });
  });
});
