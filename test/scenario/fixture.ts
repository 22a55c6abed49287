import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadScenario, type LoadOptions } from "../../src/scenario/load-scenario.js";
import { ScenarioError, type ScenarioIssue } from "../../src/scenario/scenario-error.js";
import { tmpDir } from "../tmp-dir.js";

/** A Deployment manifest of `replicas` pause pods named `name`. */
export function deployment(name = "web", replicas = 3, extraSpec = ""): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: app
          image: registry.k8s.io/pause:3.9
          resources: { requests: { cpu: 100m, memory: 64Mi } }
${extraSpec}`;
}

/** A small valid scenario applying `apply` (line 15 holds `apply:`). */
export function scenario(apply = "web.yaml", extra = ""): string {
  return `name: small
seed: 1
cluster:
  nodePools:
    - name: pool
      count: 4
      allocatable: { cpu: 4, memory: 8Gi }
images:
  - { name: registry.k8s.io/pause:3.9, size: 300Ki }
controlPlane:
  etcd:
    members: 3
workload:
  - at: 0s
    apply: ${apply}
stop:
  when: allRunning
${extra}`;
}

/** A fresh directory under the system's temporary directory holding `files` (path -> text). */
export function tree(files: Record<string, string>): string {
  const dir = tmpDir("simctl-inputs-");
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

/** The issues loading `file` reports ([] when it loads); throws anything but a ScenarioError. */
export function issuesOf(file: string, options: LoadOptions = {}): ScenarioIssue[] {
  try {
    loadScenario(file, options);
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.issues];
    throw e;
  }
  return [];
}
