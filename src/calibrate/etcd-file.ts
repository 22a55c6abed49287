import type { InputLimits } from "../scenario/input-files.js";
import { readTopFile } from "../scenario/load-scenario.js";
import { etcdKeysPresent, readEtcd, type EtcdSpec } from "../scenario/sections/etcd.js";
import { ScenarioError } from "../scenario/scenario-error.js";
import { readYamlDocuments } from "../scenario/yaml-reader.js";

/**
 * Reads an etcd mapping file in the scenario's `etcd:` syntax (a FIXED.yaml, or a parameter
 * file `simctl calibrate` wrote): the spec over the defaults, and the keys the file sets.
 * Throws a ScenarioError with every problem located at its line and column.
 */
export function readEtcdFile(file: string, limits: InputLimits): { spec: EtcdSpec; keys: Set<string> } {
  const text = readTopFile(file, "etcd parameter", limits);
  try {
    const { ctx, docs } = readYamlDocuments(file, text, { limits });
    const r = docs[0]!;
    const spec = readEtcd(r);
    const keys = new Set<string>(etcdKeysPresent(r));
    ctx.throwIfIssues();
    return { spec, keys };
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioError(e.issues, "etcd parameter file");
    throw e;
  }
}
