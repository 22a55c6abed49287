import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, test } from "vitest";
import { loadScenario, parseScenario } from "../../src/scenario/load-scenario.js";
import { ScenarioError } from "../../src/scenario/scenario-error.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const S = 1e9;

/** A StatefulSet `db` manifest; `spec` holds extra lines of its spec (indented 2 spaces). */
function statefulSet(replicas: number, spec = "", container = "", claims = true): string {
  return `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: data }
spec:
  replicas: ${replicas}
  serviceName: db
  selector: { matchLabels: { app: db } }
${spec}
  template:
    metadata: { labels: { app: db } }
    spec:
      containers:
        - name: main
          image: registry.example/db:1
          resources: { requests: { cpu: 500m, memory: 1Gi } }
${container}
${
  claims
    ? `  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 10Gi } } }`
    : ""
}
`;
}

interface PodRow {
  pod: string;
  revision: string;
  ownerKind: string;
  created: number;
  scheduled: number;
  bound: number;
  volumesReady: number;
  running: number;
  ready: number;
  deletion: number | null;
  deleted: number | null;
}

/** Runs a scenario of one StatefulSet (`manifest`) with `extra` top-level lines and workload `steps`; returns pods.arrow. */
function run(manifest: string, opts: { extra?: string; steps?: string; kubelet?: string } = {}): PodRow[] {
  const dir = tmpDir("simctl-sts-");
  writeFileSync(join(dir, "db.yaml"), manifest);
  writeFileSync(
    join(dir, "scenario.yaml"),
    `name: sts
seed: 3
cluster:
  nodePools:
    - { name: n, count: 4, allocatable: { cpu: 8, memory: 32Gi, pods: 110 } }
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
  - { name: registry.example/db:1, size: 50Mi }
  - { name: registry.example/db:2, size: 50Mi }
${opts.kubelet === undefined ? "" : `kubelet:\n${opts.kubelet}`}
${opts.extra ?? ""}
workload:
  - { at: 0s, apply: db.yaml }
${opts.steps ?? ""}
stop: { when: allRunning, timeLimit: 30m }
`,
  );
  const r = runScenario(loadScenario(join(dir, "scenario.yaml")), { outRoot: join(dir, "out") });
  expect(r.summary.timeToAllRunningNs).not.toBeNull();
  const t = tableFromIPC(readFileSync(join(dir, "out", "sts-3", "pods.arrow")));
  const num = (v: unknown) => (v === null ? Number.NaN : Number(v));
  const rows: PodRow[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const x = t.get(i)!.toJSON() as Record<string, unknown>;
    rows.push({
      pod: String(x.pod),
      revision: String(x.replicaset),
      ownerKind: String(x.owner_kind),
      created: num(x.created_ns),
      scheduled: num(x.scheduled_ns),
      bound: num(x.bound_ns),
      volumesReady: num(x.volumes_ready_ns),
      running: num(x.running_ns),
      ready: num(x.ready_ns),
      deletion: x.deletion_ns === null ? null : Number(x.deletion_ns),
      deleted: x.deleted_ns === null ? null : Number(x.deleted_ns),
    });
  }
  return rows;
}

/** The pods at `name`, in creation order. */
const at = (rows: PodRow[], name: string) => rows.filter((r) => r.pod === name).sort((a, b) => a.created - b.created);

/** A readiness probe that makes Ready come well after Running (15 s initial delay). */
const PROBE = `          readinessProbe: { httpGet: { path: /ready, port: 6379 }, initialDelaySeconds: 15, periodSeconds: 5 }`;

describe("StatefulSet controller (pkg/controller/statefulset)", () => {
  test("OrderedReady creates ordinal n only after n-1 is Running and Ready, named <set>-<n>", () => {
    const rows = run(statefulSet(4, "", PROBE));
    expect(rows.map((r) => r.pod)).toEqual(["db-0", "db-1", "db-2", "db-3"]);
    expect(new Set(rows.map((r) => r.ownerKind))).toEqual(new Set(["StatefulSet"]));
    for (let n = 1; n < 4; n++) {
      const prev = rows[n - 1]!;
      // Running is not enough: the probe makes Ready come ~15 s later, and ordinal n waits for it.
      expect(prev.ready - prev.running).toBeGreaterThan(10 * S);
      expect(rows[n]!.created).toBeGreaterThanOrEqual(prev.ready);
      // ... and not much later: the Ready status write, the watch and one sync.
      expect(rows[n]!.created - prev.ready).toBeLessThan(0.5 * S);
    }
  });

  test("minReadySeconds: with OrderedReady ordinal n waits until n-1 has been Ready that long", () => {
    const rows = run(statefulSet(3, "  minReadySeconds: 10"));
    for (let n = 1; n < 3; n++) expect(rows[n]!.created).toBeGreaterThanOrEqual(rows[n - 1]!.ready + 10 * S);
  });

  test("Parallel creates every pod at once, before any is Running", () => {
    const rows = run(statefulSet(6, "  podManagementPolicy: Parallel", PROBE));
    expect(rows.map((r) => r.pod).sort()).toEqual(["db-0", "db-1", "db-2", "db-3", "db-4", "db-5"]);
    const lastCreated = Math.max(...rows.map((r) => r.created));
    expect(lastCreated).toBeLessThan(Math.min(...rows.map((r) => r.running)));
    expect(lastCreated - Math.min(...rows.map((r) => r.created))).toBeLessThan(0.5 * S);
  });

  test("spec.ordinals.start numbers the pods from it", () => {
    const rows = run(statefulSet(2, "  ordinals: { start: 5 }", "", false));
    expect(rows.map((r) => r.pod)).toEqual(["db-5", "db-6"]);
  });

  test("RollingUpdate with partition 2 updates ordinals 3 then 2 (each after the previous is Ready); 0 and 1 keep the old revision", () => {
    const rows = run(
      statefulSet(4, "  updateStrategy: { type: RollingUpdate, rollingUpdate: { partition: 2 } }", PROBE),
      {
        steps: "  - { at: 200s, update: { statefulSet: db, image: registry.example/db:2 } }",
      },
    );
    const oldRev = at(rows, "db-0")[0]!.revision;
    for (const name of ["db-0", "db-1"]) {
      const pods = at(rows, name);
      expect(pods).toHaveLength(1);
      expect(pods[0]!.revision).toBe(oldRev);
      expect(pods[0]!.deletion).toBeNull();
    }
    const [old3, new3] = at(rows, "db-3");
    const [old2, new2] = at(rows, "db-2");
    expect(new3!.revision).not.toBe(oldRev);
    expect(new2!.revision).toBe(new3!.revision);
    // The highest ordinal goes first; ordinal 2 only once the new 3 is Ready.
    expect(old3!.deletion!).toBeGreaterThanOrEqual(200 * S);
    expect(old2!.deletion!).toBeGreaterThanOrEqual(new3!.ready);
    // Each replacement is created once its predecessor is gone (same name, same claim).
    expect(new3!.created).toBeGreaterThanOrEqual(old3!.deleted!);
    expect(new2!.created).toBeGreaterThanOrEqual(old2!.deleted!);
  });

  test("OnDelete: an update replaces no pod", () => {
    const rows = run(statefulSet(3, "  updateStrategy: { type: OnDelete }", "", false), {
      steps: "  - { at: 100s, update: { statefulSet: db, image: registry.example/db:2 } }",
    });
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.deletion === null)).toBe(true);
  });

  test("OrderedReady scales down from the highest ordinal, one at a time; claims are kept", () => {
    const rows = run(statefulSet(4), { steps: "  - { at: 200s, update: { statefulSet: db, replicas: 1 } }" });
    const gone = ["db-3", "db-2", "db-1"].map((n) => at(rows, n)[0]!);
    expect(at(rows, "db-0")[0]!.deletion).toBeNull();
    for (let k = 1; k < gone.length; k++) expect(gone[k]!.deletion!).toBeGreaterThanOrEqual(gone[k - 1]!.deleted!);
  });

  test("provisioning (WaitForFirstConsumer, at PreBind) and attach add their constant times to startup", () => {
    const withTimes = (provision: string, attach: string) =>
      run(statefulSet(1), {
        extra: `storage:\n  classes:\n    - { name: standard, provisionTime: ${provision} }`,
        kubelet: `  volumes: { csiAttach: ${attach}, csiMount: 0s }`,
      })[0]!;
    const base = withTimes("0s", "0s");
    const slow = withTimes("7s", "4s");
    // PreBind holds the binding until the claim is provisioned: scheduled -> bound grows by 7 s.
    expect(slow.bound - slow.scheduled - (base.bound - base.scheduled)).toBeCloseTo(7 * S, -8);
    // The attach starts at the binding; the mount waits for it (to the volume manager's 100 ms and 300 ms loops).
    const attachDelta = slow.volumesReady - slow.bound - (base.volumesReady - base.bound);
    expect(Math.abs(attachDelta - 4 * S)).toBeLessThanOrEqual(0.4 * S);
    const startup = slow.running - slow.created - (base.running - base.created);
    expect(Math.abs(startup - 11 * S)).toBeLessThanOrEqual(0.5 * S);
  });

  test("an Immediate class provisions at the claim's creation; a recreated pod finds its claim bound", () => {
    const rows = run(statefulSet(2, "  podManagementPolicy: Parallel"), {
      extra: "storage:\n  classes:\n    - { name: standard, volumeBindingMode: Immediate, provisionTime: 20s }",
      steps: "  - { at: 100s, update: { statefulSet: db, image: registry.example/db:2 } }",
    });
    const [first, again] = at(rows, "db-1");
    expect(first!.bound - first!.created).toBeGreaterThanOrEqual(19.9 * S);
    expect(again!.bound - again!.scheduled).toBeLessThan(1 * S);
  });
});

describe("StatefulSet inputs", () => {
  const parse = (manifest: string, steps = "") => {
    const dir = tmpDir("simctl-sts-in-");
    writeFileSync(join(dir, "db.yaml"), manifest);
    const text = `name: s
cluster:
  nodePools: [{ name: n, count: 1, allocatable: { cpu: 8, memory: 32Gi, pods: 110 } }]
images: [{ name: registry.k8s.io/pause:3.9, size: 268Ki }, { name: registry.example/db:1, size: 50Mi }]
workload:
  - { at: 0s, apply: db.yaml }
${steps}
`;
    return parseScenario(join(dir, "scenario.yaml"), text);
  };

  test("fields not modelled are reported once per path; defaults are accepted silently", () => {
    const s = parse(
      statefulSet(
        2,
        "  updateStrategy: { rollingUpdate: { maxUnavailable: 2 } }\n  persistentVolumeClaimRetentionPolicy: { whenDeleted: Delete, whenScaled: Retain }\n  revisionHistoryLimit: 10",
      ),
    );
    const fields = s.inputs!.fieldsNotModelled.map((e) => `${e.kind} ${e.field}`);
    expect(fields).toEqual([
      "StatefulSet spec.updateStrategy.rollingUpdate.maxUnavailable",
      "StatefulSet spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
    ]);
    expect(s.inputs!.kindsNotModelled).toEqual([]);
  });

  test("a claim's storageClassName that storage: does not define is reported", () => {
    const s = parse(statefulSet(1).replace("accessModes:", "storageClassName: gp3, accessModes:"));
    expect(s.inputs!.fieldsNotModelled.map((e) => e.field)).toEqual([
      "spec.volumeClaimTemplates[].spec.storageClassName=gp3 (not under storage.classes: the default class provisions it)",
    ]);
  });

  test("located errors: rollingUpdate with OnDelete; update of a StatefulSet as a Deployment", () => {
    const issues = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        if (e instanceof ScenarioError) return e.issues.map((i) => `${i.path}: ${i.expected}`);
        throw e;
      }
      return [];
    };
    expect(
      issues(() => parse(statefulSet(1, "  updateStrategy: { type: OnDelete, rollingUpdate: { partition: 1 } }"))),
    ).toEqual([expect.stringMatching(/rollingUpdate: no rollingUpdate with updateStrategy type OnDelete$/)]);
    expect(issues(() => parse(statefulSet(1), "  - { at: 1s, update: { deployment: db, replicas: 2 } }"))).toEqual([
      expect.stringMatching(/a Deployment \(db is a StatefulSet: update it with statefulSet: db\)$/),
    ]);
  });
});
