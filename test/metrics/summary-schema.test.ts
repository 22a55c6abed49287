import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { loadScaledScenario } from "../../src/study/scale.js";
import { tmpDir } from "../tmp-dir.js";

type Schema = {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minimum?: number;
  pattern?: string;
  enum?: unknown[];
  $ref?: string;
  allOf?: Schema[];
  $defs?: Record<string, Schema>;
};

const schema = JSON.parse(readFileSync("src/metrics/summary-schema.json", "utf8")) as Schema;

/**
 * A small JSON Schema validator for the keywords summary-schema.json uses (type, required,
 * properties, additionalProperties, items, minimum, pattern, enum, $ref to #/$defs, allOf).
 * Returns the problems as "path: message" strings.
 */
function validate(value: unknown, s: Schema, path = "$", out: string[] = []): string[] {
  if (s.$ref !== undefined) {
    const name = /^#\/\$defs\/(.+)$/.exec(s.$ref)?.[1];
    const target = name === undefined ? undefined : schema.$defs?.[name];
    if (target === undefined) out.push(`${path}: unresolved $ref ${s.$ref}`);
    else validate(value, target, path, out);
  }
  for (const sub of s.allOf ?? []) validate(value, sub, path, out);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const actual = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
    const ok = types.some(
      (t) => t === actual || (t === "integer" && typeof value === "number" && Number.isInteger(value)),
    );
    if (!ok) {
      out.push(`${path}: expected ${types.join(" or ")}, found ${actual}`);
      return out;
    }
  }
  if (s.enum !== undefined && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    out.push(`${path}: not one of ${JSON.stringify(s.enum)}`);
  if (typeof value === "number" && s.minimum !== undefined && value < s.minimum)
    out.push(`${path}: ${value} < minimum ${s.minimum}`);
  if (typeof value === "string" && s.pattern !== undefined && !new RegExp(s.pattern).test(value))
    out.push(`${path}: ${JSON.stringify(value)} does not match ${s.pattern}`);
  if (Array.isArray(value) && s.items !== undefined)
    value.forEach((v, i) => {
      validate(v, s.items!, `${path}[${i}]`, out);
    });
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const k of s.required ?? []) if (!(k in obj)) out.push(`${path}: missing required ${k}`);
    for (const [k, v] of Object.entries(obj)) {
      const p = s.properties?.[k];
      if (p !== undefined) validate(v, p, `${path}.${k}`, out);
      else if (s.additionalProperties === false) out.push(`${path}: unexpected property ${k}`);
      else if (typeof s.additionalProperties === "object") validate(v, s.additionalProperties, `${path}.${k}`, out);
    }
  }
  return out;
}

/** Properties of `value` that the schema does not describe (by name or additionalProperties). */
function undocumented(value: unknown, s: Schema, path = "$", out: string[] = []): string[] {
  const resolved = s.$ref !== undefined ? schema.$defs![/^#\/\$defs\/(.+)$/.exec(s.$ref)![1]!]! : s;
  const parts = [
    resolved,
    ...(resolved.allOf ?? []).map((a) => (a.$ref !== undefined ? schema.$defs![a.$ref.slice(8)]! : a)),
  ];
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const p = parts.map((x) => x.properties?.[k]).find((x) => x !== undefined);
      const extra = parts.map((x) => x.additionalProperties).find((x) => typeof x === "object") as Schema | undefined;
      if (p !== undefined) undocumented(v, p, `${path}.${k}`, out);
      else if (extra !== undefined) undocumented(v, extra, `${path}.${k}`, out);
      else out.push(`${path}.${k}`);
    }
  } else if (Array.isArray(value) && resolved.items !== undefined)
    value.forEach((v, i) => {
      undocumented(v, resolved.items!, `${path}[${i}]`, out);
    });
  return out;
}

let summary: unknown;

beforeAll(() => {
  const out = tmpDir("simctl-schema-");
  const dir = runScenario(loadScenario("test/study/fixtures/tiny.yaml"), { outRoot: out }).outDir!;
  summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
}, 60_000);

describe("summary.json and its JSON schema (src/metrics/summary-schema.json)", () => {
  test("a run's summary.json validates against the schema", () => {
    expect(validate(summary, schema)).toEqual([]);
  });

  test("every field of summary.json is documented in the schema", () => {
    expect(undocumented(summary, schema)).toEqual([]);
  });

  test("a run with an autoscaled pool: its results.autoscaler validates and is documented", () => {
    const out = tmpDir("simctl-schema-ca-");
    const dir = runScenario(loadScaledScenario("scenarios/autoscale-burst.yaml", 0.02), { outRoot: out }).outDir!;
    const ca = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as { results: { autoscaler?: unknown } };
    expect(ca.results.autoscaler).toBeDefined();
    expect(validate(ca, schema)).toEqual([]);
    expect(undocumented(ca, schema)).toEqual([]);
  });

  test("a run with Karpenter: its results.autoscaler validates and is documented", () => {
    const out = tmpDir("simctl-schema-karpenter-");
    const dir = runScenario(loadScaledScenario("scenarios/karpenter-burst.yaml", 0.05), { outRoot: out }).outDir!;
    const k = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as { results: { autoscaler?: unknown } };
    expect(k.results.autoscaler).toMatchObject({ provisioner: "karpenter" });
    expect(validate(k, schema)).toEqual([]);
    expect(undocumented(k, schema)).toEqual([]);
  });

  test("the validator catches what the schema forbids", () => {
    const bad = structuredClone(summary) as { results: Record<string, unknown>; scenarioHash: string };
    bad.scenarioHash = "XYZ";
    bad.results.timeToAllRunningNs = "soon";
    delete bad.results.pods;
    (bad.results.podStartup as Record<string, unknown>).count = -1;
    expect(validate(bad, schema)).toEqual([
      '$.scenarioHash: "XYZ" does not match ^[0-9a-f]{16}$',
      "$.results: missing required pods",
      "$.results.timeToAllRunningNs: expected number or null, found string",
      "$.results.podStartup.count: -1 < minimum 0",
    ]);
  });
});
