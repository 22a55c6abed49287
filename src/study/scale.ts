import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument, type Document, type Node } from "yaml";
import { parseScenario } from "../scenario/load-scenario.js";
import { ScenarioError } from "../scenario/scenario-error.js";
import type { Scenario } from "../scenario/types.js";

/**
 * Scales a scenario's size by `factor` as a transform on its YAML text, before it is parsed,
 * so that a big study (150,000 pods on 5,000 nodes) can run at reduced scale in tests and at
 * full scale from the same file.
 *
 * Contract: these counts are multiplied by `factor` and rounded to the nearest integer, never
 * below 1 when they were at least 1 (0 stays 0):
 * - `cluster.nodePools[*].count`
 * - `spec.replicas` of every Deployment the workload creates (inline under `deployments:`, or
 *   from an `apply:` file, which is then inlined as `deployments:` so its replicas can change)
 * - `workload[*].update.replicas`, `workload[*].addNodes.count`, and the `count` of node
 *   selections (`cordon`, `uncordon`, `drain`, `failNodes`)
 * Everything else (latencies, rates, node sizes, pod requests, `copies`) is unchanged, so the
 * per-node and per-pod behaviour is the same and only the size of the cluster moves.
 * Values that are not numbers are left for the scenario validator to report. `factor` must be
 * a positive finite number; 1 returns the text unchanged.
 */
export function scaleScenarioText(file: string, text: string, factor: number): string {
  if (!(factor > 0) || !Number.isFinite(factor))
    throw new RangeError(`scale factor must be a positive number, got ${factor}`);
  if (factor === 1) return text;
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text; // the loader reports syntax errors with their location
  const root = doc.contents as Node | null;
  if (root === null || !isMap(root)) return text;
  const pools = seqAt(root, "cluster", "nodePools");
  if (pools !== undefined) for (const p of pools) scaleKey(p, "count", factor);
  const workload = mapGet(root, "workload");
  if (workload !== undefined && isSeq(workload)) {
    for (const step of workload.items as Node[]) {
      if (!isMap(step)) continue;
      const deployments = mapGet(step, "deployments");
      if (deployments !== undefined && isSeq(deployments))
        for (const d of deployments.items as Node[]) scaleDeployment(d, factor);
      const apply = mapGet(step, "apply");
      if (apply !== undefined && isScalar(apply) && typeof apply.value === "string") {
        const inlined = readManifests(resolve(dirname(file), apply.value));
        if (inlined !== undefined) {
          for (const d of inlined) scaleReplicasValue(d, factor);
          step.delete("apply");
          step.set("deployments", doc.createNode(inlined));
        }
      }
      const update = mapGet(step, "update");
      if (update !== undefined) scaleKey(update, "replicas", factor);
      const addNodes = mapGet(step, "addNodes");
      if (addNodes !== undefined) scaleKey(addNodes, "count", factor);
      for (const sel of ["cordon", "uncordon", "drain", "failNodes"]) {
        const s = mapGet(step, sel);
        if (s !== undefined) scaleKey(s, "count", factor);
      }
    }
  }
  return doc.toString({ lineWidth: 0 });
}

/** Reads a scenario file scaled by `factor` (see {@link scaleScenarioText}); errors as {@link parseScenario}. */
export function loadScaledScenario(file: string, factor: number, overrides: { seed?: number } = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError([
      { file, path: "", line: 0, column: 0, expected: "a readable scenario file", found: (e as Error).message },
    ]);
  }
  return parseScenario(file, scaleScenarioText(file, text, factor), overrides);
}

/** Scales one count: round(v * factor), at least 1 when v >= 1. */
export function scaleCount(v: number, factor: number): number {
  if (v <= 0) return v;
  return Math.max(1, Math.round(v * factor));
}

function scaleKey(node: Node, key: string, factor: number): void {
  if (!isMap(node)) return;
  const v = mapGet(node, key);
  if (v !== undefined && isScalar(v) && typeof v.value === "number" && Number.isInteger(v.value))
    v.value = scaleCount(v.value, factor);
}

function scaleDeployment(d: Node, factor: number): void {
  if (!isMap(d)) return;
  const spec = mapGet(d, "spec");
  if (spec !== undefined) scaleKey(spec, "replicas", factor);
}

function scaleReplicasValue(d: unknown, factor: number): void {
  if (d === null || typeof d !== "object") return;
  const spec = (d as { spec?: unknown }).spec;
  if (spec === null || typeof spec !== "object") return;
  const s = spec as { replicas?: unknown };
  if (typeof s.replicas === "number" && Number.isInteger(s.replicas)) s.replicas = scaleCount(s.replicas, factor);
}

function readManifests(path: string): unknown[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined; // the loader reports the unreadable file
  }
  const docs = parseAllDocuments(text) as Document.Parsed[];
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  return docs.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
}

function mapGet(node: Node, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items)
    if (isScalar(pair.key) && String(pair.key.value) === key) return (pair.value as Node | null) ?? undefined;
  return undefined;
}

function seqAt(root: Node, ...keys: string[]): Node[] | undefined {
  let n: Node | undefined = root;
  for (const k of keys) {
    if (n === undefined) return undefined;
    n = mapGet(n, k);
  }
  return n !== undefined && isSeq(n) ? (n.items as Node[]) : undefined;
}
