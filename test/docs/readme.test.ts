import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataType, tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DOC_BLOCKS, MACHINE_LINE, readBlocks, replaceBlocks } from "../../bench/docs-blocks.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { loadScaledScenario } from "../../src/study/scale.js";

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
    const rows = text.split("\n").filter((l) => l.startsWith("|"));
    if (rows.length < 3 || !/^\|\s*column\s*\|\s*type\s*\|/.test(rows[0]!)) {
      out.set(h[1]!, { error: `${h[1]} is not followed by a | column | type | meaning | table` });
      return;
    }
    const cols = new Map<string, string>();
    for (const row of rows.slice(2)) {
      const [names, types] = row.split("|").slice(1, 3);
      const ns = [...(names ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      const ts = (types ?? "").split(",").map((t) => t.trim());
      for (let i = 0; i < ns.length; i++) cols.set(ns[i]!, ts.length === ns.length ? ts[i]! : ts[0]!);
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
    dir = mkdtempSync(join(tmpdir(), "simctl-docs-schema-"));
    // 10k-pods.yaml has no outputs: key, so the run writes every table there is.
    const scenario = loadScaledScenario("scenarios/10k-pods.yaml", 0.01);
    runScenario(scenario, { outRoot: dir });
    const out = join(dir, `${scenario.name}-${scenario.seed}`);
    files = readdirSync(out)
      .filter((f) => f.endsWith(".arrow"))
      .sort()
      .map((f) => join(out, f));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the run wrote the tables README lists", () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
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
