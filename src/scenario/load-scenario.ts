import { readFileSync } from "node:fs";
import { NS_PER } from "../core/time.js";
import { ScenarioError } from "./scenario-error.js";
import { readApiServer } from "./sections/api-server.js";
import { readImages, readNodePools } from "./sections/cluster.js";
import { readControllerManager } from "./sections/controller-manager.js";
import { readEtcd } from "./sections/etcd.js";
import { readKubelet } from "./sections/kubelet.js";
import { readRegistry } from "./sections/registry.js";
import { readScheduler } from "./sections/scheduler.js";
import { readWatch } from "./sections/watch.js";
import { readWorkload } from "./sections/workload.js";
import type { OutputTable, Scenario } from "./types.js";
import { readYamlDocuments } from "./yaml-reader.js";

const TOP_KEYS = [
  "name",
  "seed",
  "cluster",
  "images",
  "controlPlane",
  "kubelet",
  "registry",
  "workload",
  "stop",
  "outputs",
] as const;
const OUTPUTS: readonly OutputTable[] = ["pods", "scheduler", "api", "etcd", "timeseries", "nodes", "registry"];
/** A run stops at this simulated time unless the scenario says otherwise. */
const DEFAULT_TIME_LIMIT_NS = 2 * 3600 * NS_PER.s;

/**
 * Reads, validates and resolves a scenario file. Every problem is collected and thrown together
 * as a {@link ScenarioError} (file, YAML path, line:column, expected, found) before anything
 * runs. `overrides` lets a caller change the seed without editing the file.
 */
export function loadScenario(file: string, overrides: { seed?: number } = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError([
      { file, path: "", line: 0, column: 0, expected: "a readable scenario file", found: (e as Error).message },
    ]);
  }
  return parseScenario(file, text, overrides);
}

/** As {@link loadScenario}, from text already in memory (`file` names it in errors and anchors relative paths). */
export function parseScenario(file: string, text: string, overrides: { seed?: number } = {}): Scenario {
  const { ctx, docs } = readYamlDocuments(file, text);
  const root = docs[0];
  if (root === undefined || docs.length !== 1) {
    ctx.report("", 0, "exactly one YAML document", `${docs.length} documents`);
    ctx.throwIfIssues();
  }
  const r = root!;
  if (!r.object(TOP_KEYS)) r.fail(`a mapping with keys ${TOP_KEYS.join(", ")}`);
  const name = r
    .get("name")
    .str({ pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, expected: "a name of letters, digits, '.', '_' and '-'" });
  const seed = overrides.seed ?? r.get("seed").int({ min: 0, max: 2 ** 53 - 1, default: 1 });
  const images = readImages(r.get("images"));
  const known = new Set(images.map((i) => i.name));
  const nodePools = readNodePools(r.get("cluster"), known);
  const cp = r.get("controlPlane");
  cp.object(["apiserver", "etcd", "watch", "controllerManager", "scheduler"]);
  const st = r.get("stop");
  st.object(["when", "timeLimit"]);
  const scenario: Scenario = {
    file,
    name,
    seed,
    nodePools,
    images,
    apiserver: readApiServer(cp.get("apiserver")),
    etcd: readEtcd(cp.get("etcd")),
    watch: readWatch(cp.get("watch")),
    controllerManager: readControllerManager(cp.get("controllerManager")),
    scheduler: readScheduler(cp.get("scheduler"), file),
    kubelet: readKubelet(r.get("kubelet")),
    registry: readRegistry(r.get("registry")),
    workload: readWorkload(r.get("workload"), file, known, nodePools),
    stop: {
      when: st.get("when").oneOf(["allRunning", "timeLimit"] as const, { default: "allRunning" }),
      timeLimitNs: st.get("timeLimit").duration({ min: 1, default: DEFAULT_TIME_LIMIT_NS }),
    },
    outputs: r.has("outputs")
      ? r
          .get("outputs")
          .list()
          .map((o) => o.oneOf(OUTPUTS))
      : [...OUTPUTS],
  };
  ctx.throwIfIssues();
  return scenario;
}
