import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DataType, tableFromIPC } from "apache-arrow";
import { beforeAll, describe, expect, test } from "vitest";
import { DOC_BLOCKS, MACHINE_LINE, readBlocks, replaceBlocks } from "../../bench/docs-blocks.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { mergeStudy } from "../../src/study/merge.js";
import { loadScaledScenario } from "../../src/study/scale.js";
import { runSweep } from "../../src/study/sweep.js";
import { tmpDir } from "../tmp-dir.js";

const README = readFileSync("README.md", "utf8");

describe("README blocks written by npm run docs", () => {
  const blocks = readBlocks(README);

  test("every block the script generates is in README.md, and every README block is generated", () => {
    expect([...blocks.keys()].sort()).toEqual(DOC_BLOCKS.map((b) => b.name).sort());
  });

  test("rewriting the blocks with their own bodies leaves README.md unchanged", () => {
    expect(replaceBlocks(README, blocks)).toBe(README);
  });

  for (const b of DOC_BLOCKS.filter((x) => x.kind === "deterministic")) {
    test(`docs:${b.name} is what npm run docs generates now (edit the generator in bench/docs-blocks.ts, not the README, then run npm run docs)`, async () => {
      expect(blocks.get(b.name)).toBe(await b.generate());
    });
  }

  for (const b of DOC_BLOCKS.filter((x) => x.kind === "machine")) {
    test(`docs:${b.name} (machine-dependent) says what machine and date it was measured on`, () => {
      const body = blocks.get(b.name) ?? "";
      expect(body, `docs:${b.name} has no "Machine: ..." line: run npm run docs`).toMatch(MACHINE_LINE);
    });
  }
});

/** Arrow type of a column, as the schema tables write it. */
function typeName(t: DataType): string {
  return DataType.isDictionary(t) ? "dictionary" : String(t).toLowerCase();
}

/** `{a,b}` in a column name stands for each alternative: `x_{p50,p99}_ns` is `x_p50_ns`, `x_p99_ns`. */
function expandBraces(name: string): string[] {
  const m = /\{([^}]+)\}/.exec(name);
  if (m === null) return [name];
  return m[1]!.split(",").flatMap((alt) => expandBraces(name.replace(m[0], alt.trim())));
}

/**
 * The first `| column | type | meaning |` table of `text`: column -> type. Rows whose first cell
 * names no column in backticks (e.g. "one column per parameter") are skipped.
 */
function schemaTable(text: string): Map<string, string> | undefined {
  const lines = text.split("\n");
  const first = lines.findIndex((l) => /^\|\s*column\s*\|\s*type\s*\|/.test(l));
  if (first < 0) return undefined;
  const cols = new Map<string, string>();
  for (let k = first + 2; k < lines.length && lines[k]!.startsWith("|"); k++) {
    const [names, types] = lines[k]!.split("|").slice(1, 3);
    const ns = [...(names ?? "").matchAll(/`([^`]+)`/g)].flatMap((m) => expandBraces(m[1]!));
    const ts = (types ?? "").split(",").map((t) => t.trim().replace(/^dictionary<utf8>$/, "dictionary"));
    for (let i = 0; i < ns.length; i++) cols.set(ns[i]!, ts.length === ns.length ? ts[i]! : ts[0]!);
  }
  return cols;
}

/**
 * The schema tables under "### Output schemas": table file -> column -> documented type. A
 * table is `**name.arrow**` followed by a `| column | type | meaning |` table; a first cell may
 * name several columns (`a`, `b`), with one type for all or one type each.
 */
function documentedSchemas(readme: string): Map<string, Map<string, string> | { error: string }> {
  const start = readme.indexOf("\n### Output schemas\n");
  if (start < 0) throw new Error('README.md has no "### Output schemas" section');
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const heads = [...section.matchAll(/^\*\*([a-z0-9_-]+\.arrow)\*\*/gm)];
  const out = new Map<string, Map<string, string> | { error: string }>();
  heads.forEach((h, k) => {
    const text = section.slice(h.index, heads[k + 1]?.index);
    const cols = schemaTable(text);
    if (cols === undefined) {
      out.set(h[1]!, { error: `${h[1]} is not followed by a | column | type | meaning | table` });
      return;
    }
    out.set(h[1]!, cols);
  });
  return out;
}

describe("README output schemas match the Arrow files a run writes", () => {
  let dir: string;
  let files: string[];
  const documented = documentedSchemas(README);

  beforeAll(() => {
    dir = tmpDir("simctl-docs-schema-");
    // 10k-pods.yaml has no outputs: key, so the run writes every table there is; --trace adds
    // events.arrow beside them.
    const scenario = loadScaledScenario("scenarios/10k-pods.yaml", 0.01);
    const out = join(dir, `${scenario.name}-${scenario.seed}`);
    runScenario(scenario, { outRoot: dir, trace: { file: join(dir, "events.arrow") } });
    runScenario(loadScaledScenario("scenarios/autoscale-burst.yaml", 0.02), { outRoot: dir });
    files = [
      ...readdirSync(out)
        .filter((f) => f.endsWith(".arrow"))
        .map((f) => join(out, f)),
      join(dir, "events.arrow"),
      // autoscaler.arrow comes from a run with an autoscaled pool.
      join(dir, "autoscale-burst-1", "autoscaler.arrow"),
    ].sort();
  });

  test("the run wrote the tables README lists", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  test("every column of every table is documented with its type, and every documented column exists", () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const f of files) {
      const table = f.slice(f.lastIndexOf("/") + 1);
      seen.add(table);
      const doc = documented.get(table);
      if (doc === undefined) {
        problems.push(
          `${table} is written by a run but README.md has no "**${table}**" schema table under "### Output schemas"`,
        );
        continue;
      }
      if ("error" in doc) {
        problems.push(doc.error);
        continue;
      }
      const fields = tableFromIPC(readFileSync(f)).schema.fields;
      for (const field of fields) {
        const want = typeName(field.type);
        const have = doc.get(field.name);
        if (have === undefined)
          problems.push(
            `${table}: column \`${field.name}\` (${want}) is not documented: add a row to its README table`,
          );
        else if (have !== want) problems.push(`${table}: column \`${field.name}\` is ${want}, README says ${have}`);
      }
      for (const name of doc.keys())
        if (!fields.some((x) => x.name === name))
          problems.push(`${table}: README documents \`${name}\`, which the file does not have`);
    }
    for (const table of documented.keys())
      if (!seen.has(table))
        problems.push(
          `README.md documents ${table}, but the run in test/docs/readme.test.ts does not write it: make the run write it`,
        );
    expect(problems).toEqual([]);
  });
});

describe("README's runs.arrow table matches what simctl merge writes", () => {
  let dir: string;
  beforeAll(async () => {
    dir = tmpDir("simctl-docs-merge-");
    await runSweep("test/study/fixtures/nodes-sweep.yaml", { outDir: join(dir, "study"), workers: 1 });
    mergeStudy([join(dir, "study")], join(dir, "merged"));
  });

  test("every column but the study's parameter columns is documented with its type, and every documented column exists", () => {
    const at = README.indexOf("`runs.arrow` has one row per run:");
    expect(
      at,
      "README.md no longer introduces the runs.arrow table with `runs.arrow` has one row per run:",
    ).toBeGreaterThan(0);
    const doc = schemaTable(README.slice(at))!;
    const fields = tableFromIPC(readFileSync(join(dir, "merged", "runs.arrow"))).schema.fields;
    const parameters = ["cluster_nodePools_0_count"];
    const problems: string[] = [];
    for (const f of fields) {
      if (parameters.includes(f.name)) continue;
      const have = doc.get(f.name);
      if (have === undefined) problems.push(`runs.arrow: column \`${f.name}\` (${typeName(f.type)}) is not documented`);
      else if (have !== typeName(f.type))
        problems.push(`runs.arrow: \`${f.name}\` is ${typeName(f.type)}, README says ${have}`);
    }
    for (const name of doc.keys())
      if (!fields.some((f) => f.name === name))
        problems.push(`runs.arrow: README documents \`${name}\`, which merge does not write`);
    expect(problems).toEqual([]);
  });
});
