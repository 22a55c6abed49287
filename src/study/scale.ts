import { dirname } from "node:path";
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument, type Document, type Node } from "yaml";
import { confinementRoot, defaultInputLimits, readInputFile, type InputLimits } from "../scenario/input-files.js";
import { loadScenario } from "../scenario/load-scenario.js";
import { isScaleFactor, mapGet, scaleDeploymentNode, scaleScenarioNodes } from "../scenario/scale-nodes.js";
import type { Scenario } from "../scenario/types.js";
import { MAX_ALIAS_COUNT } from "../scenario/yaml-reader.js";

export { scaleCount } from "../scenario/scale-nodes.js";

/**
 * Scales a scenario's size by `factor` and returns it as self-contained YAML text, for a run
 * that gets its scenario as text (a study's worker thread, a comparison arm): the counts of
 * {@link scaleScenarioNodes} are scaled, and each `apply:` file is read (confined as the loader
 * reads it) and inlined as `deployments:` so that its replicas can change. Errors found later in
 * this text are located in the text, not the file: to validate with the file's own lines, load
 * it with `loadScenario(file, { scale })`, which scales the parsed nodes instead.
 * An unreadable `apply:` file is left as written, for the loader to report. `factor` must be a
 * positive finite number; 1 returns the text unchanged.
 */
export function scaleScenarioText(
  file: string,
  text: string,
  factor: number,
  limits: InputLimits = defaultInputLimits(),
): string {
  if (!isScaleFactor(factor)) throw new RangeError(`scale factor must be a positive number, got ${factor}`);
  if (factor === 1) return text;
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return text; // the loader reports syntax errors with their location
  const root = doc.contents as Node | null;
  if (root === null || !isMap(root)) return text;
  scaleScenarioNodes(root, factor);
  const workload = mapGet(root, "workload");
  if (workload !== undefined && isSeq(workload)) {
    const rootDir = confinementRoot(dirname(file));
    for (const step of workload.items as Node[]) {
      if (!isMap(step)) continue;
      const apply = mapGet(step, "apply");
      if (apply === undefined || !isScalar(apply) || typeof apply.value !== "string") continue;
      const read = readInputFile(apply.value, dirname(file), rootDir, limits);
      if (!("text" in read)) continue;
      const docs = parseAllDocuments(read.text, { uniqueKeys: true }) as Document.Parsed[];
      if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) continue;
      const inlined: unknown[] = [];
      try {
        for (const d of docs) {
          scaleDeploymentNode(d.contents as Node | null, factor);
          const v = d.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
          if (v !== null && v !== undefined) inlined.push(v);
        }
      } catch {
        continue; // aliases beyond the bound: the loader reports them in the manifest
      }
      step.delete("apply");
      step.set("deployments", doc.createNode(inlined));
    }
  }
  return doc.toString({ lineWidth: 0 });
}

/** Reads a scenario file scaled by `factor` (see scale-nodes.ts), with errors located in the file as written. */
export function loadScaledScenario(
  file: string,
  factor: number,
  overrides: { seed?: number; limits?: InputLimits } = {},
): Scenario {
  if (!isScaleFactor(factor)) throw new RangeError(`scale factor must be a positive number, got ${factor}`);
  return loadScenario(file, { ...overrides, scale: factor });
}
