import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { defaultInputLimits, readInputFile } from "../../src/scenario/input-files.js";
import { deployment, issuesOf, scenario, tree } from "./fixture.js";

const limits = defaultInputLimits();

describe("files a scenario names stay inside its directory tree", () => {
  test("an apply: of /etc/passwd is refused at the value, without reading it (once, whatever copies: says)", () => {
    const dir = tree({ "s.yaml": scenario("/etc/passwd\n    copies: 10"), "web.yaml": deployment() });
    const issues = issuesOf(join(dir, "s.yaml"));
    expect(issues).toEqual([
      expect.objectContaining({ path: "workload[0].apply", line: 15, column: 12, found: '"/etc/passwd"' }),
    ]);
    expect(issues[0]!.expected).toMatch(/^a manifest file: a file inside .*\(--allow-path DIR allows another\)$/);
    expect(JSON.stringify(issues)).not.toMatch(/root:/);
  });

  test("../ and a symbolic link out of the tree are refused; --allow-path admits the other directory", () => {
    const outside = tree({ "web.yaml": deployment() });
    const dir = tree({ "s.yaml": scenario(join("..", outside.split("/").pop()!, "web.yaml")) });
    symlinkSync(join(outside, "web.yaml"), join(dir, "link.yaml"));
    writeFileSync(join(dir, "t.yaml"), scenario("link.yaml"));
    expect(issuesOf(join(dir, "s.yaml"))[0]).toMatchObject({ path: "workload[0].apply", line: 15 });
    const [l] = issuesOf(join(dir, "t.yaml"));
    expect(l!.found).toMatch(/^"link.yaml" \(resolves to ".*web.yaml"\)$/);
    const allowed = { limits: { ...limits, allowPaths: [outside] } };
    expect(issuesOf(join(dir, "s.yaml"), allowed)).toEqual([]);
    expect(issuesOf(join(dir, "t.yaml"), allowed)).toEqual([]);
  });

  test("a symbolic link inside the tree to a file inside it is fine", () => {
    const dir = tree({ "m/web.yaml": deployment(), "s.yaml": scenario("link.yaml") });
    symlinkSync(join(dir, "m", "web.yaml"), join(dir, "link.yaml"));
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([]);
  });

  test("the scheduler's config: is confined too", () => {
    const dir = tree({
      "web.yaml": deployment(),
      "s.yaml": scenario("web.yaml").replace("  etcd:", "  scheduler: { config: /etc/hostname }\n  etcd:"),
    });
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([
      expect.objectContaining({ path: "controlPlane.scheduler.config", found: '"/etc/hostname"' }),
    ]);
  });
});

describe("only regular files of bounded size are read", () => {
  test("a directory, a FIFO and a device are refused before they are opened", () => {
    const dir = tree({ "web.yaml": deployment() });
    mkdirSync(join(dir, "d.yaml"));
    execFileSync("mkfifo", [join(dir, "f.yaml")]);
    expect(readInputFile("d.yaml", dir, dir, limits)).toEqual({
      expected: "a regular file",
      found: '"d.yaml" (a directory)',
    });
    expect(readInputFile("f.yaml", dir, dir, limits)).toEqual({
      expected: "a regular file",
      found: '"f.yaml" (a FIFO)',
    });
    expect(readInputFile("/dev/zero", dir, undefined, limits)).toEqual({
      expected: "a regular file",
      found: '"/dev/zero" (a character device)',
    });
    writeFileSync(join(dir, "s.yaml"), scenario("f.yaml"));
    expect(issuesOf(join(dir, "s.yaml"))[0]).toMatchObject({ path: "workload[0].apply", found: '"f.yaml" (a FIFO)' });
    expect(issuesOf("/dev/zero")).toEqual([
      expect.objectContaining({ file: "/dev/zero", found: '"/dev/zero" (a character device)' }),
    ]);
  });

  test("a file above --max-file-size is refused; raising the limit admits it", () => {
    const dir = tree({ "web.yaml": deployment(), "s.yaml": scenario() });
    const small = { limits: { ...limits, maxFileBytes: 100 } };
    const [i] = issuesOf(join(dir, "s.yaml"), { limits: { ...limits, maxFileBytes: 300 } });
    expect(i).toMatchObject({ path: "workload[0].apply", expected: expect.stringContaining("--max-file-size") });
    expect(issuesOf(join(dir, "s.yaml"), small)[0]!.expected).toMatch(/^a scenario file: a file of at most 100 bytes/);
    expect(issuesOf(join(dir, "s.yaml"))).toEqual([]);
  });

  test("a file reporting size 0 (procfs) is still read only up to the limit", () => {
    const r = readInputFile("/proc/self/status", "/", undefined, { ...limits, maxFileBytes: 16 });
    expect(r).toMatchObject({ found: expect.stringMatching(/^"\/proc\/self\/status" \(\d+ bytes\)$/) });
  });

  test("binary content is refused without quoting it", () => {
    const dir = tree({ "b.yaml": "a: \u0000\u0001secret" });
    expect(readInputFile("b.yaml", dir, dir, limits)).toEqual({
      expected: "a text (YAML) file",
      found: '"b.yaml" (binary content)',
    });
  });

  test("a long value is clipped to 80 characters in the message", () => {
    const dir = tree({ "s.yaml": scenario("x".repeat(500)) });
    const [i] = issuesOf(join(dir, "s.yaml"));
    expect(i!.found.length).toBeLessThanOrEqual(100);
    expect(i!.found).toMatch(/\.\.\./);
  });
});

describe("a study's scenario stays inside the study's tree", () => {
  test("scenario: ../x.yaml is refused at the key; --allow-path admits it", async () => {
    const { readStudyFile } = await import("../../src/study/study-file.js");
    const { planStudy } = await import("../../src/study/study-plan.js");
    const outside = tree({ "web.yaml": deployment(), "s.yaml": scenario() });
    const dir = tree({
      "study.yaml": `scenario: ${join(outside, "s.yaml")}\nparameters:\n  seed: { values: [1, 2], column: s }\n`,
    });
    const plan = (l = limits) => {
      const { spec, locations } = readStudyFile(join(dir, "study.yaml"), l);
      return planStudy(spec, locations, l);
    };
    expect(plan).toThrow(/study\.yaml:1:11: scenario: expected the scenario file to sweep: a file inside/);
    expect(plan({ ...limits, allowPaths: [outside] }).runs.length).toBe(2);
  });
});
