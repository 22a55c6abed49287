import { stringify } from "yaml";
import { VERSION } from "../version.js";
import type { EmitContext, EmittedFile } from "./emit.js";
import { UserError } from "./user-error.js";

/** Where the shard pods see the study's files (the ConfigMap) and the shared results (the PVC). */
export const STUDY_MOUNT = "/simctl/study";
export const RESULTS_MOUNT = "/results";
/** The PersistentVolumeClaim of `--pvc` unless given. */
export const DEFAULT_PVC = "simctl-results";
/** The image of `--image` unless given: what the repository's Dockerfile builds, tagged with this version. */
export const DEFAULT_IMAGE = `simctl-k8s:${VERSION}`;

// model: kubernetes pkg/apis/core/validation ValidateConfigMap: keys and values together at
// most core.MaxSecretSize (1 MiB); keys match IsConfigMapKey, [-._a-zA-Z0-9]+, 253 long at most.
const MAX_CONFIGMAP_BYTES = 2 ** 20;
const MAX_KEY = 253;
/** Retries of each completion index before it counts as failed (a crashed or killed shard resumes its unfinished runs). */
const BACKOFF_LIMIT_PER_INDEX = 2;
/** simctl's exit code for a bad input: the same study fails the same way on every index. */
const EXIT_BAD_INPUT = 2;
/** The `node` user of the node:20-slim image the Dockerfile runs simctl as. */
const NODE_UID = 1000;

/**
 * The Kubernetes objects that run a study: a ConfigMap holding the study and every file it
 * reads, an Indexed Job (`completionMode: Indexed`, `completions` = shards) whose pod of
 * completion index i runs `simctl sweep STUDY --shard i/N`, and a merge Job, created
 * suspended, that runs `simctl merge` once the shards are done (`submit.sh` resumes it after
 * `kubectl wait`). Every pod mounts the PersistentVolumeClaim `--pvc` at /results, where the
 * shards write `/results/<study>/runs/` and the merge `/results/<study>/merged/`; with pods of
 * several nodes writing at once it must be ReadWriteMany.
 */
export function kubernetesFiles(ctx: EmitContext): { files: EmittedFile[]; stream: string; submit: string[] } {
  const { inputs, options, name } = ctx;
  const image = options.image ?? DEFAULT_IMAGE;
  const pvc = options.pvc ?? DEFAULT_PVC;
  const out = `${RESULTS_MOUNT}/${inputs.plan.spec.name}`;
  const labels = (component: string) => ({
    "app.kubernetes.io/name": "simctl",
    "app.kubernetes.io/instance": name,
    "app.kubernetes.io/component": component,
  });
  const items = configMapItems(inputs.files.map((f) => f.path));
  let bytes = 0;
  const data: Record<string, string> = {};
  inputs.files.forEach((f, i) => {
    data[items[i]!.key] = f.text;
    bytes += items[i]!.key.length + Buffer.byteLength(f.text);
  });
  if (bytes > MAX_CONFIGMAP_BYTES)
    throw new UserError(
      `the study's ${inputs.files.length} files take ${bytes} bytes; a ConfigMap holds at most ${MAX_CONFIGMAP_BYTES}: copy them into the image (a COPY in the Dockerfile) and run the Job by hand`,
      2,
    );
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `${name}-inputs`, labels: labels("inputs") },
    data,
  };
  // One pod shape for shards and merge: simctl as the node user, the results volume at /results.
  const pod = (
    component: string,
    c: { args: string[]; env: object[]; cpu: string; mounts: object[] },
    volumes: object[],
  ) => ({
    metadata: { labels: labels(component) },
    spec: {
      restartPolicy: "Never",
      securityContext: { runAsNonRoot: true, runAsUser: NODE_UID, runAsGroup: NODE_UID, fsGroup: NODE_UID },
      containers: [
        {
          name: "simctl",
          image,
          args: c.args,
          ...(c.env.length > 0 ? { env: c.env } : {}),
          resources: { requests: { cpu: c.cpu, memory: `${ctx.memoryMi}Mi` } },
          volumeMounts: [...c.mounts, { name: "results", mountPath: RESULTS_MOUNT }],
        },
      ],
      volumes: [...volumes, { name: "results", persistentVolumeClaim: { claimName: pvc } }],
    },
  });
  const shardArgs = ["sweep", `${STUDY_MOUNT}/${inputs.study}`, ...ctx.flags];
  // The files lie as on the host, so what the host allowed outside a file's tree lies in the mount.
  if ((options.limits?.allowPaths.length ?? 0) > 0) shardArgs.push("--allow-path", STUDY_MOUNT);
  // model: the Job controller sets JOB_COMPLETION_INDEX from this annotation (batch/v1 Job,
  // "Indexed" completion mode); declared here so that $(JOB_COMPLETION_INDEX) expands in args.
  shardArgs.push("--shard", `$(JOB_COMPLETION_INDEX)/${ctx.shards}`, "--out", out);
  const job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: labels("shard") },
    spec: {
      completionMode: "Indexed",
      completions: ctx.shards,
      parallelism: ctx.parallelism,
      backoffLimitPerIndex: BACKOFF_LIMIT_PER_INDEX,
      podFailurePolicy: {
        rules: [
          { action: "FailJob", onExitCodes: { containerName: "simctl", operator: "In", values: [EXIT_BAD_INPUT] } },
          { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
        ],
      },
      template: pod(
        "shard",
        {
          args: shardArgs,
          env: [
            {
              name: "JOB_COMPLETION_INDEX",
              valueFrom: {
                fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
              },
            },
          ],
          cpu: String(options.workers),
          mounts: [{ name: "inputs", mountPath: STUDY_MOUNT, readOnly: true }],
        },
        [{ name: "inputs", configMap: { name: `${name}-inputs`, items } }],
      ),
    },
  };
  const mergeJob = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: `${name}-merge`, labels: labels("merge") },
    spec: {
      suspend: true,
      backoffLimit: BACKOFF_LIMIT_PER_INDEX,
      template: pod("merge", { args: ["merge", out, "--out", `${out}/merged`], env: [], cpu: "1", mounts: [] }, []),
    },
  };
  const yaml = (o: unknown) => stringify(o, { lineWidth: 0 });
  const head = `# simctl ${VERSION}: study ${inputs.plan.spec.name}, ${inputs.plan.runs.length} runs in ${ctx.shards} shards`;
  const submit = [
    "kubectl apply -f configmap.yaml -f job.yaml -f merge-job.yaml",
    `kubectl wait --for=condition=Complete --timeout=-1s job/${name}`,
    `kubectl patch job/${name}-merge --type=merge -p '{"spec":{"suspend":false}}'`,
    `kubectl wait --for=condition=Complete --timeout=-1s job/${name}-merge`,
  ];
  const script = [
    "#!/bin/sh",
    `${head}.`,
    `# Needs the PersistentVolumeClaim ${pvc} (ReadWriteMany) in the namespace; results: ${out}/merged on it.`,
    "set -eu",
    'cd "$(dirname "$0")"',
    ...submit,
    "",
  ].join("\n");
  return {
    files: [
      {
        name: "configmap.yaml",
        text: `${head}: the study and the files it reads\n${yaml(configMap)}`,
        executable: false,
      },
      { name: "job.yaml", text: `${head}: one pod per completion index\n${yaml(job)}`, executable: false },
      {
        name: "merge-job.yaml",
        text: `${head}: the merge, created suspended; resume it once ${name} is Complete\n${yaml(mergeJob)}`,
        executable: false,
      },
      { name: "submit.sh", text: script, executable: true },
    ],
    stream: `${head}\n${[configMap, job, mergeJob].map(yaml).join("---\n")}`,
    submit,
  };
}

/**
 * The ConfigMap key of each file (`/` and anything else a key may not hold become `_`,
 * numbered when two would clash) and the path it is mounted at, below the mount.
 */
function configMapItems(paths: readonly string[]): { key: string; path: string }[] {
  const used = new Set<string>();
  return paths.map((path, i) => {
    let key = path.replace(/[^-._a-zA-Z0-9]/g, "_").slice(-MAX_KEY);
    if (key === "." || key.startsWith("..") || used.has(key)) key = `${i}-${key.slice(-(MAX_KEY - 8))}`;
    used.add(key);
    return { key, path };
  });
}
