import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from "yaml";
import { main } from "../../src/cli/main.js";
import { ScenarioError } from "../../src/scenario/scenario-error.js";
import { validateScenarioFile } from "../../src/scenario/validate-file.js";
import { tmpDir } from "../tmp-dir.js";

/**
 * A seeded generator of malformed scenarios: each case takes a shipped scenario (or one of
 * the manifests it applies), picks a YAML path and mutates it. Every case must be refused with
 * a located ScenarioError (file:line:col, no stack trace, no file content), unless the mutation
 * is marked as one that may yield a valid scenario (a number for a number, a key in a free-form
 * mapping such as labels): those may also validate.
 */

const work = tmpDir("simctl-fuzz-");
cpSync("scenarios", join(work, "s"), { recursive: true });
const dir = join(work, "s");
execFileSync("mkfifo", [join(dir, "fifo.yaml")]);
mkdirSync(join(dir, "adir.yaml"));
const SCENARIOS = readdirSync("scenarios")
  .filter((f) => f.endsWith(".yaml") && !f.endsWith("-sweep.yaml"))
  .sort();
const SECRET = "root:x:0:0";

interface Target {
  /** File mutated (relative to dir) and the scenario that is validated. */
  file: string;
  scenario: string;
  text: string;
  /** Every node with its YAML path, in document order. */
  nodes: { path: string; node: Node; parent: Node | null }[];
}

function walk(node: Node | null, path: string, parent: Node | null, out: Target["nodes"]): void {
  if (node === null) return;
  out.push({ path, node, parent });
  if (isMap(node))
    for (const p of node.items) {
      const k = isScalar(p.key) ? String(p.key.value) : "?";
      walk(p.value as Node | null, path === "" ? k : `${path}.${k}`, node, out);
    }
  else if (isSeq(node))
    node.items.forEach((n, i) => {
      walk(n as Node, `${path}[${i}]`, node, out);
    });
}

function target(file: string, scenario: string): Target {
  const text = readFileSync(join(dir, file), "utf8");
  const nodes: Target["nodes"] = [];
  for (const d of parseAllDocuments(text) as Document.Parsed[]) walk(d.contents as Node | null, "", null, nodes);
  return { file, scenario, text, nodes };
}

const targets: Target[] = [];
for (const s of SCENARIOS) {
  targets.push(target(s, s));
  for (const m of readFileSync(join(dir, s), "utf8").matchAll(/apply: (\S+)/g)) targets.push(target(m[1]!, s));
}

/**
 * Free-form mappings, and Kubernetes fields simctl accepts as written without modelling them
 * (manifests.ts: probe handlers, commands, security contexts): a new key or another type there
 * may be valid.
 */
const FREE =
  /labels|annotations|nodeSelector|tolerations|affinity|topologySpreadConstraints|quantiles|allocatable|requests|limits|args|matchLabels|env|ports|securityContext|httpGet|tcpSocket|exec|grpc|livenessProbe|command/;

interface Case {
  name: string;
  file: string;
  scenario: string;
  text: string;
  mayBeValid: boolean;
  /** Text that must not appear in the messages (a file's content). */
  secret?: string;
}

/** Replaces the source of `node` in `text` (by its range) with `by`. */
function replaceNode(text: string, node: Node, by: string): string {
  const [a, , b] = node.range!;
  return text.slice(0, a) + by + text.slice(Math.min(b, node.range![1]));
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function mutations(t: Target, rng: () => number): Case[] {
  const out: Case[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const add = (name: string, text: string, mayBeValid: boolean, secret?: string) =>
    out.push({
      name: `${t.file} ${name}`,
      file: t.file,
      scenario: t.scenario,
      text,
      mayBeValid,
      ...(secret ? { secret } : {}),
    });
  const scalars = t.nodes.filter((n) => isScalar(n.node) && n.path !== "");
  const maps = t.nodes.filter((n) => isMap(n.node) && !(n.node as { flow?: boolean }).flow);
  for (let k = 0; k < 6; k++) {
    const s = pick(scalars);
    const free = FREE.test(s.path);
    const v = (s.node as { value: unknown }).value;
    add(`${s.path}: a mapping`, replaceNode(t.text, s.node, "{ x: 1 }"), free);
    add(`${s.path}: a list`, replaceNode(t.text, s.node, "[1, 2]"), free);
    add(`${s.path}: bad unit`, replaceNode(t.text, s.node, "12parsecs"), free || typeof v === "string");
    add(`${s.path}: huge`, replaceNode(t.text, s.node, pick(["1e300", "1e12", ".inf", "9007199254740993"])), true);
    add(`${s.path}: negative`, replaceNode(t.text, s.node, pick(["-1", "-0.5", "-1e9", "-5s"])), true);
    add(`${s.path}: unresolved alias`, replaceNode(t.text, s.node, "*nowhere"), false);
  }
  for (let k = 0; k < 3; k++) {
    const m = pick(maps);
    const first = (m.node as { items: { key: Node }[] }).items[0]?.key;
    if (first?.range == null) continue;
    const at = lineStart(t.text, first.range[0]);
    const indent = t.text.slice(at, first.range[0]).replace(/[^ ]/g, " ");
    const line = t.text.slice(at, t.text.indexOf("\n", at) + 1);
    const key = String((first as { value: unknown }).value);
    // A duplicate of the mapping's first key.
    add(
      `${m.path}: duplicate ${key}`,
      t.text.slice(0, at) + line + indent + line.slice(indent.length) + t.text.slice(at + line.length),
      false,
    );
    add(
      `${m.path}: unknown key`,
      `${t.text.slice(0, at)}${indent}zzUnknownKey: 1\n${t.text.slice(at)}`,
      FREE.test(m.path),
    );
    const withAnchor = replaceNode(t.text, first, `&anc ${t.text.slice(first.range[0], first.range[1])}`);
    add(`${m.path}: alias of a key`, `${withAnchor.trimEnd()}\nzzAlias: *anc\n`, false);
  }
  // Billion laughs at the top of the file.
  add(
    "alias bomb",
    `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n${t.text}`,
    false,
  );
  // Files: missing, special and outside.
  const refs = t.nodes.filter((n) => /(^|\.)(apply|config)$/.test(n.path) && isScalar(n.node));
  for (const r of refs)
    for (const f of ["nope.yaml", "/dev/zero", "fifo.yaml", "adir.yaml", "/etc/passwd", "../../../etc/passwd"])
      add(`${r.path}: ${f}`, replaceNode(t.text, r.node, f), false, SECRET);
  return out;
}

const rng = seedrandom("simctl-fuzz-17");
const CASES = targets.flatMap((t) => mutations(t, rng));

/** Runs a case in process: undefined when it validates, else the error. */
function validate(c: Case): unknown {
  const original = readFileSync(join(dir, c.file), "utf8");
  writeFileSync(join(dir, c.file), c.text);
  try {
    validateScenarioFile(join(dir, c.scenario));
    return undefined;
  } catch (e) {
    return e;
  } finally {
    writeFileSync(join(dir, c.file), original);
  }
}

describe("fuzz: malformed scenarios give located errors", () => {
  test(`the generator makes at least 200 cases (it made ${CASES.length}) over every shipped scenario`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(200);
    for (const s of SCENARIOS) expect(CASES.some((c) => c.scenario === s)).toBe(true);
    expect(CASES.filter((c) => !c.mayBeValid).length).toBeGreaterThanOrEqual(100);
  });

  test("each case is a located ScenarioError (or a valid scenario, where the mutation may give one)", () => {
    const bad: string[] = [];
    let refused = 0;
    for (const c of CASES) {
      const e = validate(c);
      if (e === undefined) {
        if (!c.mayBeValid) bad.push(`${c.name}: validated, but the mutation cannot be valid`);
        continue;
      }
      if (!(e instanceof ScenarioError)) {
        bad.push(`${c.name}: ${(e as Error).stack}`);
        continue;
      }
      refused++;
      for (const i of e.issues) {
        if (!(i.line >= 1 && i.column >= 1)) bad.push(`${c.name}: unlocated issue ${JSON.stringify(i)}`);
        if (i.found.length > 200) bad.push(`${c.name}: a found of ${i.found.length} characters`);
      }
      if (!/^\S+:\d+:\d+: /.test(e.message)) bad.push(`${c.name}: message without file:line:col: ${e.message}`);
      if (c.secret !== undefined && e.message.includes(c.secret)) bad.push(`${c.name}: the message quotes the file`);
    }
    expect(bad).toEqual([]);
    expect(refused).toBeGreaterThanOrEqual(150);
  });

  test("through the CLI, a handful give exit 2, file:line:col and no stack trace", async () => {
    const chosen = CASES.filter((c) => !c.mayBeValid)
      .filter((_, i) => i % 25 === 0)
      .slice(0, 6);
    expect(chosen.length).toBe(6);
    for (const c of chosen) {
      const original = readFileSync(join(dir, c.file), "utf8");
      writeFileSync(join(dir, c.file), c.text);
      let err = "";
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((s: string) => {
        err += s;
        return true;
      }) as typeof process.stderr.write;
      const before = process.exitCode;
      try {
        await main(["validate", join(dir, c.scenario)]);
        expect({ name: c.name, code: process.exitCode }).toEqual({ name: c.name, code: 2 });
      } finally {
        process.stderr.write = write;
        process.exitCode = before;
        writeFileSync(join(dir, c.file), original);
      }
      expect(err).toMatch(/^simctl: invalid scenario \(\d+ problems?\):\n\S+:\d+:\d+: /);
      expect(err).not.toMatch(/\n\s+at /);
      expect(err).not.toContain(SECRET);
    }
  });
});
