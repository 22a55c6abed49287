import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { scaleScenarioText } from "../study/scale.js";
import { parseYamlPath, setYamlPath } from "../study/yaml-path.js";

/**
 * One seeded scenario whose simulated results are recorded and checked later: a golden case of
 * `npm test`, or a scenario of a user's `simctl baseline`. `scale` shrinks the scenario (see
 * `scaleScenarioText`); `set` applies YAML-path overrides (`controlPlane.etcd.applyCost` =
 * `"21us"`) after scaling.
 */
export interface ScenarioCase {
  readonly name: string;
  /** Scenario file, relative to the root it is read from. */
  readonly file: string;
  readonly scale?: number;
  readonly set?: readonly (readonly [path: string, value: unknown])[];
}

/**
 * The scenario text of a case: the file (resolved against `root`), scaled, then with the
 * overrides and `extraSet` set. Throws with the case's name on a path that is not a scenario
 * path or does not fit the file.
 */
export function caseText(c: ScenarioCase, root: string, extraSet: ScenarioCase["set"] = []): string {
  const file = resolve(root, c.file);
  let text = readFileSync(file, "utf8");
  if (c.scale !== undefined) text = scaleScenarioText(file, text, c.scale);
  for (const [path, value] of [...(c.set ?? []), ...extraSet]) {
    const p = parseYamlPath(path);
    if ("error" in p) throw new Error(`case ${c.name}: bad path ${path}: ${p.error}`);
    const r = setYamlPath(text, p.segments, value);
    if ("error" in r) throw new Error(`case ${c.name}: cannot set ${path}: ${r.error}`);
    text = r.text;
  }
  return text;
}

/**
 * Results as a JSON file holds them: through JSON, so NaN, -0 and undefined compare as they
 * do once written and read back.
 */
export function asStoredJson(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}
