import { readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { defaultInputLimits, insideTree, quoteClipped, readInputFile, type InputLimits } from "./input-files.js";
import { parseScenario } from "./load-scenario.js";
import { ScenarioError, type ScenarioIssue } from "./scenario-error.js";
import type { Scenario } from "./types.js";
import { readYamlDocuments } from "./yaml-reader.js";

/** What {@link importDump} found and wrote. */
export interface ImportResult {
  /** The scenario's text. */
  text: string;
  /** The scenario as `simctl run` will read it (validated, with its input report). */
  scenario: Scenario;
  /** Objects per kind in the dump, in the order first met. */
  kinds: Map<string, number>;
  /** Whether the dump lies outside the scenario's directory tree (run then needs --allow-path DIR). */
  needsAllowPath: boolean;
}

const OBJECT_FILE = /\.(ya?ml|json)$/;

/**
 * Writes the scenario of a directory of `kubectl get ... -o yaml` dumps: the files holding Node
 * objects become `cluster.nodes`, those holding Pods `cluster.pods`, the others one `apply:`
 * step at 0 s (a file holding several of these is named under each); paths are relative to
 * `out`. The scenario is validated as `simctl run` reads it before it is returned, so a dump
 * that cannot run is refused with located errors (exit 2). Nothing of the dump is copied.
 */
export function importDump(dir: string, out: string, limits: InputLimits = defaultInputLimits()): ImportResult {
  const files: string[] = [];
  const issues: ScenarioIssue[] = [];
  const fail = (file: string, expected: string, found: string) =>
    issues.push({ file, path: "", line: 0, column: 0, expected, found });
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(dir);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory() !== true) {
    fail(dir, "a directory of kubectl dumps (.yaml, .yml or .json files)", quoteClipped(dir));
    throw new ScenarioError(issues);
  }
  walk(dir, files, fail);
  const kinds = new Map<string, number>();
  const jobRunSeconds: number[] = [];
  const nodeFiles: string[] = [];
  const podFiles: string[] = [];
  const otherFiles: string[] = [];
  for (const f of files) {
    const read = readInputFile(f, process.cwd(), undefined, limits);
    if (!("text" in read)) {
      fail(f, read.expected, read.found);
      continue;
    }
    let hasNode = false;
    let hasPod = false;
    let hasOther = false;
    try {
      const { docs } = readYamlDocuments(f, read.text, { limits });
      for (const d of docs) {
        jobRunSeconds.push(...completedJobSeconds(d.value()));
        for (const k of kindsOf(d.value())) {
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
          if (k === "Node") hasNode = true;
          else if (k === "Pod") hasPod = true;
          else hasOther = true;
        }
      }
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      issues.push(...e.issues);
    }
    if (hasNode) nodeFiles.push(f);
    if (hasPod) podFiles.push(f);
    if (hasOther) otherFiles.push(f);
  }
  if (issues.length === 0 && nodeFiles.length === 0)
    fail(dir, "a dump with Node objects (kubectl get nodes -o yaml > nodes.yaml)", "no Node in any file");
  if (issues.length === 0 && otherFiles.length === 0)
    fail(dir, "a dump with workloads (kubectl get deployments -A -o yaml > deployments.yaml)", "only Nodes");
  if (issues.length > 0) throw new ScenarioError(issues);
  const base = dirname(resolve(out));
  const rel = (f: string) => {
    const r = relative(base, resolve(f));
    return r.split(sep).join("/");
  };
  const list = (fs: string[]) => `\n${fs.map((f) => `    - ${JSON.stringify(rel(f))}`).join("\n")}`;
  const counts = [...kinds].map(([k, n]) => `${k} ${n}`).join(", ");
  const name =
    basename(resolve(dir))
      .replace(/[^A-Za-z0-9._-]/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "") || "cluster";
  const text = `# Written by simctl import from ${rel(dir) || "."}: ${counts}.
# cluster.nodes: the files holding Node objects; cluster.pods: those holding Pods (running at
# t = 0); apply: every other file, created at 0 s.
# What simctl does not simulate (kinds, fields, image sizes) is listed by simctl run and in
# inputs.json beside the results.
name: ${name}
seed: 1
cluster:
  nodes:${list(nodeFiles)}${podFiles.length === 0 ? "" : `\n  pods:${list(podFiles)}`}
workload:
  - at: 0s
    apply:${list(otherFiles).replace(/\n {4}-/g, "\n      -")}${kinds.has("Job") || kinds.has("CronJob") ? `\n${runDurationLine(jobRunSeconds)}` : ""}
stop:
  when: allRunning
  timeLimit: 30m
`;
  const needsAllowPath = !insideTree(dir, base);
  const scenario = parseScenario(resolve(out), text, {
    limits: needsAllowPath ? { ...limits, allowPaths: [...limits.allowPaths, dir] } : limits,
  });
  return { text, scenario, kinds, needsAllowPath };
}

/**
 * The step's `runDuration` for Jobs (and CronJobs' Jobs) whose pods carry no `simctl.dev/run-duration`: the median
 * run time (status.startTime to completionTime) of the dump's completed Jobs, or, with none
 * to measure, an assumed 5 minutes that the comment asks the user to set.
 */
function runDurationLine(seconds: readonly number[]): string {
  if (seconds.length === 0)
    return "    runDuration: 5m   # assumed: no completed Job in the dump to measure; set your Jobs' run time";
  const sorted = [...seconds].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return `    runDuration: ${median}s   # median run time of the ${seconds.length} completed Job(s) in the dump`;
}

/** Run times in whole seconds of the completed Jobs in a document (a Job, or a List of them). */
function completedJobSeconds(v: unknown): number[] {
  if (v === null || typeof v !== "object") return [];
  const o = v as { kind?: unknown; items?: unknown; status?: { startTime?: unknown; completionTime?: unknown } };
  if (Array.isArray(o.items)) return o.items.flatMap(completedJobSeconds);
  if (o.kind !== "Job") return [];
  const start = Date.parse(String(o.status?.startTime ?? ""));
  const end = Date.parse(String(o.status?.completionTime ?? ""));
  return Number.isFinite(start) && Number.isFinite(end) && end >= start
    ? [Math.max(1, Math.round((end - start) / 1000))]
    : [];
}

function walk(dir: string, into: string[], fail: (file: string, expected: string, found: string) => void): void {
  const names = readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const n of names) {
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, into, fail);
    else if (OBJECT_FILE.test(n)) into.push(p);
    else
      fail(
        p,
        "a directory of kubectl dumps: only .yaml, .yml and .json files",
        `${quoteClipped(p)} (not YAML or JSON)`,
      );
  }
}

/** The kinds of a document: a List's items' kinds, or its own. */
function kindsOf(v: unknown): string[] {
  if (v === null || typeof v !== "object") return [];
  const o = v as { kind?: unknown; items?: unknown };
  const k = typeof o.kind === "string" ? o.kind : "";
  if ((k === "List" || k.endsWith("List")) && Array.isArray(o.items)) {
    const itemKind = k === "List" ? "" : k.slice(0, -4);
    return o.items.map((i) => {
      const ik = (i as { kind?: unknown } | null)?.kind;
      return typeof ik === "string" ? ik : itemKind || "(no kind)";
    });
  }
  return [k || "(no kind)"];
}
