import { CONTAINER_KEYS, METADATA_KEYS, OBJECT_KEYS, POD_SPEC_KEYS } from "./core-v1-fields.js";
import { noteContainerResources } from "./inputs/limit-ranges.js";
import { priorityClassRefs } from "./inputs/priority-classes.js";
import { runtimeClassRefs } from "./inputs/runtime-classes.js";
import type { DistSpec } from "../core/distributions.js";
import type { DaemonSetManifest } from "./inputs/daemon-sets.js";
import { ScenarioError } from "./scenario-error.js";
import { readYamlDocuments, type YamlReader } from "./yaml-reader.js";
import type { ClaimTemplateManifest, StatefulSetManifest } from "./inputs/stateful-sets.js";

/** A container of a pod template, as far as simctl models it. */
export interface ContainerManifest {
  name: string;
  image: string;
  imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  /** Requests by resource name in base units (cpu in cores). */
  requests: ReadonlyMap<string, number>;
  /** Limits by resource name in base units; what the LimitRanger and ResourceQuota admission plugins check. */
  limits: ReadonlyMap<string, number>;
  /** spec.containers[].startupProbe with core/v1 defaults applied; undefined when absent. */
  startupProbe?: ProbeManifest | undefined;
  /** spec.containers[].readinessProbe with core/v1 defaults applied; undefined when absent. */
  readinessProbe?: ProbeManifest | undefined;
  /** Ports bound on the node (`ports[].hostPort`), which the NodePorts plugin checks. */
  hostPorts: readonly { ip: string; protocol: string; port: number }[];
  /** An init container with restartPolicy Always: a sidecar, running beside the app containers. */
  sidecar?: boolean;
}

/** The timing fields of a probe (what delays Ready), in seconds as the API writes them. */
export interface ProbeManifest {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

/** A pod volume as far as startup latency goes: its name and its source kind (`persistentVolumeClaim`, `configMap`, ...). */
export interface VolumeManifest {
  name: string;
  source: string;
  /**
   * Set on the claim of a StatefulSet's volumeClaimTemplate (which the controller creates, and a
   * StorageClass provisions); absent on volumes whose objects exist before the run.
   */
  claimTemplate?: ClaimTemplateManifest;
}

/** The pod template of a Deployment. Scheduling constraints are kept as raw objects for the scheduler. */
export interface PodManifest {
  labels: ReadonlyMap<string, string>;
  schedulerName: string;
  priority: number;
  containers: readonly ContainerManifest[];
  initContainers: readonly ContainerManifest[];
  nodeSelector: ReadonlyMap<string, string>;
  tolerations: unknown;
  affinity: unknown;
  topologySpreadConstraints: unknown;
  /** spec.volumes (name and source kind); undefined or empty when none. */
  volumes?: readonly VolumeManifest[] | undefined;
  /**
   * spec.automountServiceAccountToken (default true): the ServiceAccount admission plugin then
   * adds the projected `kube-api-access-*` volume (plugin/pkg/admission/serviceaccount).
   */
  automountServiceAccountToken?: boolean | undefined;
  /** spec.priorityClassName, resolved into `priority` once every PriorityClass is read (priority-classes.ts). */
  priorityClassName?: string;
  /** spec.preemptionPolicy when given (or set from the PriorityClass); absent: PreemptLowerPriority. */
  preemptionPolicy?: "Never" | "PreemptLowerPriority";
  /** spec.terminationGracePeriodSeconds when given; absent: 30 (core/v1 DefaultTerminationGracePeriodSeconds). */
  terminationGracePeriodSeconds?: number;
  /** spec.runtimeClassName: its RuntimeClass's overhead is set into `overhead` (runtime-classes.ts). */
  runtimeClassName?: string;
  /** spec.overhead by resource name in base units (cpu in cores): added to the pod's requests. */
  overhead?: ReadonlyMap<string, number>;
  /** spec.schedulingGates[].name: the pod is not scheduled until an `ungate` step removes them all. */
  schedulingGates?: readonly string[];
  /** spec.hostNetwork, when true: no pod network (no CNI ADD, no pod IP); container ports are host ports. */
  hostNetwork?: boolean;
}

/** An apps/v1 Deployment as simctl reads it. */
export interface DeploymentSpec {
  name: string;
  namespace: string;
  replicas: number;
  /** spec.strategy.rollingUpdate, as int-or-percent strings (`25%`) or integers. */
  maxSurge: string | number;
  maxUnavailable: string | number;
  /** spec.strategy.type when it is Recreate (absent: RollingUpdate, the default). */
  strategy?: "Recreate";
  /** spec.minReadySeconds in ns, when not 0: a pod is available that long after it is Ready. */
  minReadyNs?: number;
  /** spec.paused, when true: template changes are not rolled out (a Deployment's only). */
  paused?: boolean;
  /** spec.progressDeadlineSeconds in ns, when not the default 600 s (Infinity: none, as int32 max means upstream). */
  progressDeadlineNs?: number;
  /**
   * Set for a ReplicaSet created as such (not a Deployment's): the replicaset controller runs it
   * alone; or for a Job (then `job` holds its spec and `replicas` is 0: its pods end Succeeded);
   * or for a StatefulSet (then `statefulSet` holds its spec).
   */
  kind?: "ReplicaSet" | "Job" | "StatefulSet" | "CronJob" | "DaemonSet";
  /** A Job's spec (with `kind` Job; with `kind` CronJob, the spec of the Jobs it creates). */
  job?: JobManifest;
  /** A StatefulSet's spec (with `kind` StatefulSet only). */
  statefulSet?: StatefulSetManifest;
  /** A CronJob's own fields (with `kind` CronJob only; its pods are the job template's). */
  cronJob?: CronJobManifest;
  /** A DaemonSet's update strategy (with `kind` DaemonSet only; `replicas` is then 0: one pod per eligible node). */
  daemonSet?: DaemonSetManifest;
  pod: PodManifest;
  /**
   * The pod template's `cluster-autoscaler.kubernetes.io/safe-to-evict` annotation, when given:
   * "false" keeps the Cluster Autoscaler from removing the pod's node, "true" lets it evict the
   * pod despite local storage or kube-system.
   */
  safeToEvict?: boolean;
  /** The pod template's `karpenter.sh/do-not-disrupt: "true"`: Karpenter never consolidates its node. */
  doNotDisrupt?: boolean;
}

/** The pod annotation the Cluster Autoscaler's drain rules read (FAQ "What types of pods can prevent CA from removing a node?"). */
export const SAFE_TO_EVICT_ANNOTATION = "cluster-autoscaler.kubernetes.io/safe-to-evict";
/** The pod annotation that keeps Karpenter from disrupting the pod's node (karpenter.sh/v1 DoNotDisruptAnnotationKey). */
export const DO_NOT_DISRUPT_ANNOTATION = "karpenter.sh/do-not-disrupt";

/** A batch/v1 Job's spec as simctl runs it, client-go defaults applied. */
export interface JobManifest {
  completions: number;
  parallelism: number;
  /** spec.completionMode Indexed: each pod gets a completion index 0..completions-1. */
  indexed: boolean;
  backoffLimit: number;
  /** spec.activeDeadlineSeconds in ns (Infinity: none). */
  activeDeadlineNs: number;
  /** How long each pod runs once Running, before it Succeeds. */
  runDuration: DistSpec;
}

/** A batch/v1 CronJob's own fields, client-go defaults applied (its Jobs' spec is a {@link JobManifest}). */
export interface CronJobManifest {
  /** spec.schedule as written (cron-schedule.ts parses it). */
  schedule: string;
  /** spec.timeZone (undefined: the controller manager's, UTC). */
  timeZone: string | undefined;
  concurrencyPolicy: "Allow" | "Forbid" | "Replace";
  suspend: boolean;
  /** spec.startingDeadlineSeconds in ns (Infinity: none). */
  startingDeadlineNs: number;
  successfulJobsHistoryLimit: number;
  failedJobsHistoryLimit: number;
}

/** The pod template annotation giving a Job pod's run time (a duration or a distribution). */
export const RUN_DURATION_ANNOTATION = "simctl.dev/run-duration";

// apps/v1 DeploymentSpec's fields; the core/v1 ones are shared with `simctl schedule`'s readers.
// model: k8s.io/api/apps/v1/types.go DeploymentSpec.
const DEPLOYMENT_SPEC_KEYS = [
  "replicas",
  "selector",
  "template",
  "strategy",
  "minReadySeconds",
  "revisionHistoryLimit",
  "paused",
  "progressDeadlineSeconds",
] as const;

// model: k8s.io/api/apps/v1/types.go ReplicaSetSpec.
const REPLICASET_SPEC_KEYS = ["replicas", "minReadySeconds", "selector", "template"] as const;

/**
 * A workload's metadata: its DNS-1123 name, which must leave room for the `-N` suffix that
 * `copies:` adds (and be at most `maxName` characters with it), and its namespace (default "default").
 */
export function readWorkloadMeta(
  r: YamlReader,
  nameSuffix: string,
  maxName = DNS_SUBDOMAIN_MAX,
): { name: string; namespace: string } {
  const meta = r.get("metadata");
  meta.object(METADATA_KEYS);
  const name = meta
    .get("name")
    .str({ pattern: DNS_SUBDOMAIN, expected: "a DNS-1123 name (lower case, digits, '-', '.')" });
  if (name !== "" && name.length + nameSuffix.length > maxName)
    meta.get("name").fail(`a name of at most ${maxName} characters with the suffix -N that copies: adds`);
  const namespace = meta.get("namespace").str({ default: "default", pattern: DNS_LABEL, expected: "a DNS-1123 label" });
  return { name, namespace };
}

/**
 * The parts every workload reader starts with: `r` is an object of `apiVersion` (a pattern,
 * described as `expected`) whose metadata names it ({@link readWorkloadMeta}, the name at most
 * `maxName` characters with the suffix). Undefined when `r` is no object (reported, as
 * `a <kind> manifest` when absent).
 */
export function readObjectHead(
  r: YamlReader,
  kind: string,
  apiVersion: RegExp,
  expected: string,
  nameSuffix: string,
  maxName?: number,
): { name: string; namespace: string } | undefined {
  if (!r.object(OBJECT_KEYS)) {
    if (!r.present) r.fail(`a ${kind} manifest`);
    return undefined;
  }
  r.get("apiVersion").str({ pattern: apiVersion, expected });
  return readWorkloadMeta(r, nameSuffix, maxName);
}

/**
 * The head of a workload's {@link DeploymentSpec} when its pods are not a rolled-out replica
 * count (Job, CronJob, DaemonSet): `name` with the copies suffix, its namespace, and 0 replicas,
 * surge and unavailability.
 */
export function unreplicatedHead(
  name: string,
  namespace: string,
): Pick<DeploymentSpec, "name" | "namespace" | "replicas" | "maxSurge" | "maxUnavailable"> {
  return { name, namespace, replicas: 0, maxSurge: 0, maxUnavailable: 0 };
}

/**
 * A workload's update strategy at `spec.<key>`: its type, RollingUpdate (the default) or
 * `other`, and its rollingUpdate, which may hold only `rollingUpdateKeys`.
 * model: apps/v1 validation refuses a rollingUpdate with the other type (pkg/apis/apps/validation
 * ValidateDeploymentStrategy, ValidateStatefulSetUpdateStrategy).
 */
export function readUpdateStrategy<O extends string>(
  spec: YamlReader,
  key: string,
  other: O,
  rollingUpdateKeys: readonly string[],
): { type: "RollingUpdate" | O; rollingUpdate: YamlReader } {
  const strategy = spec.get(key);
  strategy.object(["type", "rollingUpdate"]);
  const type = strategy.get("type").oneOf<"RollingUpdate" | O>(["RollingUpdate", other], { default: "RollingUpdate" });
  const rollingUpdate = strategy.get("rollingUpdate");
  if (type === other && rollingUpdate.present) rollingUpdate.fail(`no rollingUpdate with ${key} type ${other}`);
  rollingUpdate.object(rollingUpdateKeys);
  return { type, rollingUpdate };
}

/** {@link readObjectHead}, and the object's spec, which may have only `specKeys`. */
export function readWorkloadHead(
  r: YamlReader,
  kind: string,
  apiVersion: RegExp,
  expected: string,
  nameSuffix: string,
  specKeys: readonly string[],
): { name: string; namespace: string; spec: YamlReader } | undefined {
  const head = readObjectHead(r, kind, apiVersion, expected, nameSuffix);
  if (head === undefined) return undefined;
  const spec = r.get("spec");
  spec.object(specKeys);
  return { ...head, spec };
}

/**
 * Reads an apps/v1 Deployment, or with `kind` ReplicaSet an apps/v1 ReplicaSet (which has no
 * strategy; it is read into the same shape with `kind` set). `nameSuffix` is appended to
 * metadata.name when a scenario stamps copies of one manifest.
 */
export function readDeployment(
  r: YamlReader,
  nameSuffix = "",
  kind: "Deployment" | "ReplicaSet" = "Deployment",
): DeploymentSpec | undefined {
  if (!r.object(OBJECT_KEYS)) {
    if (!r.present) r.fail(`a ${kind} manifest`);
    return undefined;
  }
  r.get("apiVersion").str({ pattern: /^apps\/v1$/, expected: '"apps/v1"' });
  r.get("kind").str({ pattern: kind === "Deployment" ? /^Deployment$/ : /^ReplicaSet$/, expected: `"${kind}"` });
  const { name, namespace } = readWorkloadMeta(r, nameSuffix);
  const spec = r.get("spec");
  spec.object(kind === "Deployment" ? DEPLOYMENT_SPEC_KEYS : REPLICASET_SPEC_KEYS);
  // model: apps/v1 defaults: replicas 1; RollingUpdate with maxSurge 25% and maxUnavailable 25%
  // (pkg/apis/apps/v1/defaults.go SetDefaults_Deployment).
  const replicas = spec.get("replicas").int({ min: 0, max: INT32_MAX, default: 1 });
  const { type, rollingUpdate: ru } = readUpdateStrategy(spec, "strategy", "Recreate", ["maxSurge", "maxUnavailable"]);
  const maxSurge = intOrPercent(ru.get("maxSurge"), "25%");
  const maxUnavailable = intOrPercent(ru.get("maxUnavailable"), "25%");
  const pod = readSelectedTemplate(spec);
  const safe = spec.get("template").get("metadata").get("annotations").get(SAFE_TO_EVICT_ANNOTATION);
  const dnd = spec.get("template").get("metadata").get("annotations").get(DO_NOT_DISRUPT_ANNOTATION);
  // model: apps/v1 defaults minReadySeconds 0, paused false, progressDeadlineSeconds 600
  // (SetDefaults_Deployment); validation wants the deadline above minReadySeconds, and
  // math.MaxInt32 means no deadline (deployment util HasProgressDeadline).
  const minReadySeconds = spec.get("minReadySeconds").int({ min: 0, max: INT32_MAX, default: 0 });
  const paused = kind === "Deployment" && spec.get("paused").bool({ default: false });
  const pdR = spec.get("progressDeadlineSeconds");
  const progressDeadlineSeconds = kind === "Deployment" ? pdR.int({ min: 1, max: INT32_MAX, default: 600 }) : 600;
  if (kind === "Deployment" && progressDeadlineSeconds <= minReadySeconds)
    pdR.fail(`a progressDeadlineSeconds greater than minReadySeconds (${minReadySeconds})`);
  return {
    name: name + nameSuffix,
    namespace,
    replicas,
    maxSurge,
    maxUnavailable,
    ...(type === "Recreate" ? { strategy: type } : {}),
    ...(minReadySeconds > 0 ? { minReadyNs: minReadySeconds * 1e9 } : {}),
    ...(paused ? { paused } : {}),
    ...(progressDeadlineSeconds !== 600
      ? { progressDeadlineNs: progressDeadlineSeconds === INT32_MAX ? Infinity : progressDeadlineSeconds * 1e9 }
      : {}),
    ...(kind === "ReplicaSet" ? { kind } : {}),
    pod,
    ...(safe.present ? { safeToEvict: safe.oneOf(["true", "false"] as const) === "true" } : {}),
    ...(dnd.present && dnd.oneOf(["true", "false"] as const) === "true" ? { doNotDisrupt: true } : {}),
  };
}

/**
 * The pod template of an apps/v1 workload's `spec`, with its required selector, whose
 * matchLabels the template's labels must carry (apps/v1 validation).
 */
export function readSelectedTemplate(spec: YamlReader): PodManifest {
  const template = spec.get("template");
  template.object(["metadata", "spec"]);
  const tmeta = template.get("metadata");
  tmeta.object(METADATA_KEYS);
  const labels = stringMap(tmeta.get("labels"));
  const selector = spec.get("selector");
  selector.object(["matchLabels", "matchExpressions"]);
  const matchLabels = stringMap(selector.get("matchLabels"));
  if (!selector.present) selector.fail("a label selector (spec.selector is required in apps/v1)");
  for (const [k, v] of matchLabels) {
    if (labels.get(k) !== v)
      selector
        .get("matchLabels")
        .get(k)
        .fail(`a label that the pod template carries (template has ${k}=${labels.get(k) ?? "nothing"})`);
  }
  return readPodSpec(template.get("spec"), labels);
}

/** The apiVersion of Jobs and CronJobs. */
export const BATCH_V1 = /^batch\/v1$/;

// model: k8s.io/api/batch/v1/types.go JobSpec.
const JOB_SPEC_KEYS = [
  "parallelism",
  "completions",
  "activeDeadlineSeconds",
  "podFailurePolicy",
  "successPolicy",
  "backoffLimit",
  "backoffLimitPerIndex",
  "maxFailedIndexes",
  "selector",
  "manualSelector",
  "template",
  "ttlSecondsAfterFinished",
  "completionMode",
  "suspend",
  "podReplacementPolicy",
  "managedBy",
] as const;

/**
 * Reads a batch/v1 Job into a {@link DeploymentSpec} of kind Job. Each pod's run time is the pod
 * template's `simctl.dev/run-duration` annotation, else `defaultRun` (the workload step's
 * `runDuration`); one of them is required.
 *
 * model: pkg/apis/batch/v1/defaults.go SetDefaults_Job: completions and parallelism both unset
 * make both 1; parallelism defaults to 1; backoffLimit to 6; completionMode to NonIndexed.
 * completions unset with parallelism set is the work-queue mode (done once a pod has succeeded
 * and none is active): with pods that never fail, the controller starts `parallelism` pods,
 * creates no more once one has succeeded, and is done when all have, so it runs here as
 * completions = parallelism.
 */
export function readJob(
  r: YamlReader,
  nameSuffix: string,
  defaultRun: DistSpec | undefined,
): DeploymentSpec | undefined {
  const meta = readObjectHead(r, "Job", BATCH_V1, '"batch/v1"', nameSuffix);
  if (meta === undefined) return undefined;
  const { name, namespace } = meta;
  const { job, pod } = readJobSpec(r.get("spec"), defaultRun);
  return { ...unreplicatedHead(name + nameSuffix, namespace), kind: "Job", job, pod };
}

/**
 * Reads a batch/v1 JobSpec (a Job's spec, or a CronJob's spec.jobTemplate.spec) with the
 * defaults {@link readJob} describes, and its pod template.
 */
export function readJobSpec(
  spec: YamlReader,
  defaultRun: DistSpec | undefined,
): { job: JobManifest; pod: PodManifest } {
  spec.object(JOB_SPEC_KEYS);
  const parallelism = spec.get("parallelism").int({ min: 0, max: INT32_MAX, default: 1 });
  const completionsR = spec.get("completions");
  const indexed =
    spec.get("completionMode").oneOf(["NonIndexed", "Indexed"] as const, { default: "NonIndexed" }) === "Indexed";
  // model: pkg/apis/batch/validation ValidateJobSpec: Indexed requires completions.
  if (indexed && !completionsR.present) completionsR.fail("completions (required with completionMode Indexed)");
  const completions = completionsR.int({ min: 0, max: INT32_MAX, default: parallelism });
  const backoffLimit = spec.get("backoffLimit").int({ min: 0, max: INT32_MAX, default: 6 });
  const deadline = spec.get("activeDeadlineSeconds");
  const activeDeadlineNs = deadline.present ? deadline.int({ min: 1 }) * 1e9 : Number.POSITIVE_INFINITY;
  const template = spec.get("template");
  template.object(["metadata", "spec"]);
  const tmeta = template.get("metadata");
  tmeta.object(METADATA_KEYS);
  const labels = stringMap(tmeta.get("labels"));
  const ann = tmeta.get("annotations").get(RUN_DURATION_ANNOTATION);
  const runDuration = ann.present ? readRunDuration(ann) : defaultRun;
  if (runDuration === undefined)
    tmeta.fail(
      `a run time for the Job's pods: the annotation ${RUN_DURATION_ANNOTATION} (e.g. "{ dist: lognormal, p50: 5m, p99: 20m }" or "30s") or the step's runDuration`,
    );
  // model: batch validation: a Job's pods restart Never or OnFailure (never Always).
  template
    .get("spec")
    .get("restartPolicy")
    .oneOf(["Never", "OnFailure"] as const, { default: "Never" });
  const pod = readPodSpec(template.get("spec"), labels);
  return {
    job: {
      completions,
      parallelism,
      indexed,
      backoffLimit,
      activeDeadlineNs,
      runDuration: runDuration ?? { kind: "constant", value: 0 },
    },
    pod,
  };
}

/** The run-duration annotation: a string holding a duration or a distribution in scenario syntax. */
function readRunDuration(ann: YamlReader): DistSpec {
  const text = ann.str();
  let dist: DistSpec | undefined;
  try {
    const parsed = readYamlDocuments(ann.ctx.file, text);
    const doc = parsed.docs[0];
    if (doc !== undefined) dist = doc.dist();
    if (parsed.ctx.issues.length > 0) dist = undefined;
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
  }
  if (dist === undefined) {
    ann.fail('a duration or a distribution such as "{ dist: lognormal, p50: 5m, p99: 20m }"');
    return { kind: "constant", value: 0 };
  }
  return dist;
}

/** Reads the spec of a core/v1 Pod (or of a pod template) carrying `labels`. */
export function readPodSpec(r: YamlReader, labels: ReadonlyMap<string, string>): PodManifest {
  r.object(POD_SPEC_KEYS);
  const hostNetwork = r.get("hostNetwork").bool({ default: false });
  const containers = r
    .get("containers")
    .list("a list of containers")
    .map((c) => readContainer(c, false, hostNetwork));
  if (containers.length === 0) r.get("containers").fail("a list with at least one container");
  const pc = r.get("priorityClassName");
  const pp = r.get("preemptionPolicy");
  const grace = r.get("terminationGracePeriodSeconds");
  const rc = r.get("runtimeClassName");
  const overhead = quantities(r.get("overhead"));
  const gates = readSchedulingGates(r.get("schedulingGates"));
  const initContainers = r
    .get("initContainers")
    .list("a list of containers")
    .map((c) => readContainer(c, true, hostNetwork));
  const pod: PodManifest = {
    labels,
    schedulerName: r.get("schedulerName").str({ default: "default-scheduler" }),
    priority: r.get("priority").int({ default: 0 }),
    containers,
    initContainers,
    nodeSelector: stringMap(r.get("nodeSelector")),
    tolerations: r.get("tolerations").value(),
    affinity: r.get("affinity").value(),
    topologySpreadConstraints: r.get("topologySpreadConstraints").value(),
    volumes: r.get("volumes").list("a list of volumes").map(readVolume),
    automountServiceAccountToken: r.get("automountServiceAccountToken").bool({ default: true }),
    ...(pc.present ? { priorityClassName: pc.str({ pattern: DNS_SUBDOMAIN, expected: "a PriorityClass name" }) } : {}),
    ...(pp.present ? { preemptionPolicy: readPreemptionPolicy(pp) } : {}),
    ...(grace.present ? { terminationGracePeriodSeconds: grace.int({ min: 0 }) } : {}),
    ...(rc.present ? { runtimeClassName: rc.str({ pattern: DNS_SUBDOMAIN, expected: "a RuntimeClass name" }) } : {}),
    ...(overhead.size > 0 ? { overhead } : {}),
    ...(gates.length > 0 ? { schedulingGates: gates } : {}),
    ...(hostNetwork ? { hostNetwork } : {}),
  };
  if (pc.present) priorityClassRefs.note(pod, pc);
  if (rc.present || overhead.size > 0) runtimeClassRefs.note(pod, rc.present ? rc : r.get("overhead"));
  return pod;
}

/** A preemptionPolicy (core/v1 PreemptionPolicy): Never or PreemptLowerPriority. */
export function readPreemptionPolicy(r: YamlReader): "Never" | "PreemptLowerPriority" {
  return r.oneOf(["Never", "PreemptLowerPriority"] as const);
}

/** A mapping of resource quantities (spec.overhead, a RuntimeClass's podFixed) in base units. */
export function quantities(r: YamlReader): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of r.entries()) m.set(k, v.quantity({ min: 0 }));
  return m;
}

/** At most this many scheduling gates per pod template (src/cluster/pod-gates.ts keeps a 32-bit mask per pod). */
export const MAX_SCHEDULING_GATES = 32;

/**
 * spec.schedulingGates: names, unique. model: core/v1 validation ValidateSchedulingGates (a
 * qualified name, no duplicates); gates can only be removed after creation, never added.
 */
function readSchedulingGates(r: YamlReader): string[] {
  const names: string[] = [];
  for (const g of r.list("a list of scheduling gates such as - name: example.com/quota")) {
    g.object(["name"]);
    const name = g.get("name").str({ pattern: QUALIFIED_NAME, expected: "a qualified name such as example.com/gate" });
    if (names.includes(name)) g.get("name").fail(`a gate name not listed before (${name} is)`);
    names.push(name);
  }
  if (names.length > MAX_SCHEDULING_GATES)
    r.fail(`at most ${MAX_SCHEDULING_GATES} scheduling gates (found ${names.length})`);
  return names;
}

function readVolume(v: YamlReader): VolumeManifest {
  const name = v.get("name").str({ pattern: DNS_LABEL, expected: "a DNS-1123 label" });
  const sources = v
    .entries("a volume: { name, <source>: ... }")
    .map(([k]) => k)
    .filter((k) => k !== "name");
  if (sources.length !== 1)
    v.fail(`one volume source besides name (found ${sources.length === 0 ? "none" : sources.join(", ")})`);
  return { name, source: sources[0] ?? "" };
}

const PROBE_KEYS = [
  "exec",
  "httpGet",
  "tcpSocket",
  "grpc",
  "initialDelaySeconds",
  "timeoutSeconds",
  "periodSeconds",
  "successThreshold",
  "failureThreshold",
  "terminationGracePeriodSeconds",
] as const;

/** model: pkg/apis/core/v1/defaults.go SetDefaults_Probe: timeout 1 s, period 10 s, success 1, failure 3. */
function readProbe(r: YamlReader): ProbeManifest | undefined {
  if (!r.present) return undefined;
  if (!r.isMap()) {
    r.fail("a probe mapping");
    return undefined;
  }
  // model: k8s.io/api/core/v1 Probe (ProbeHandler's exec, httpGet, tcpSocket, grpc, and the timing fields).
  r.object(PROBE_KEYS);
  return {
    initialDelaySeconds: r.get("initialDelaySeconds").int({ min: 0, default: 0 }),
    periodSeconds: r.get("periodSeconds").int({ min: 1, default: 10 }),
    timeoutSeconds: r.get("timeoutSeconds").int({ min: 1, default: 1 }),
    successThreshold: r.get("successThreshold").int({ min: 1, default: 1 }),
    failureThreshold: r.get("failureThreshold").int({ min: 1, default: 3 }),
  };
}

function readContainer(r: YamlReader, init: boolean, hostNetwork: boolean): ContainerManifest {
  r.object(CONTAINER_KEYS);
  // model: core/v1 validation: an init container's restartPolicy may only be Always (a sidecar,
  // KEP-753). A regular container's own restartPolicy is not modelled: refused, not dropped.
  const rp = r.get("restartPolicy");
  if (rp.present && !init) rp.fail("no restartPolicy on a regular container (only an init container's, Always)");
  const sidecar = init && rp.present && rp.oneOf(["Always"] as const) === "Always";
  const image = r.get("image").str({ expected: "an image reference such as registry.k8s.io/pause:3.9" });
  // model: core/v1 defaulting: imagePullPolicy is Always for the :latest tag or no tag,
  // IfNotPresent otherwise (pkg/apis/core/v1/defaults.go SetDefaults_Container).
  const untagged = !/:[^/]+$/.test(image.replace(/@sha256:.*/, "")) && !image.includes("@");
  const defaultPolicy = untagged || image.endsWith(":latest") ? "Always" : "IfNotPresent";
  const resources = r.get("resources");
  resources.object(["requests", "limits", "claims"]);
  const requests = new Map<string, number>();
  for (const [k, v] of resources.get("requests").entries()) requests.set(k, v.quantity({ min: 0 }));
  const limits = new Map<string, number>();
  for (const [k, v] of resources.get("limits").entries()) limits.set(k, v.quantity({ min: 0 }));
  // model: when limits are set and requests are not, requests default to limits (SetDefaults_ResourceList).
  for (const [k, q] of limits) if (!requests.has(k)) requests.set(k, q);
  const c: ContainerManifest = {
    name: r.get("name").str({ pattern: DNS_LABEL, expected: "a DNS-1123 label" }),
    image,
    imagePullPolicy: r
      .get("imagePullPolicy")
      .oneOf(["Always", "IfNotPresent", "Never"] as const, { default: defaultPolicy }),
    requests,
    limits,
    startupProbe: readProbe(r.get("startupProbe")),
    readinessProbe: readProbe(r.get("readinessProbe")),
    hostPorts: readHostPorts(r.get("ports"), hostNetwork),
    ...(sidecar ? { sidecar } : {}),
  };
  noteContainerResources(c, resources.present ? resources : r);
  return c;
}

/**
 * The host ports of a container. model: core/v1 ContainerPort: protocol defaults to TCP, hostIP
 * to all addresses ("0.0.0.0" as the NodePorts plugin reads it); a port without hostPort binds
 * nothing on the node, except on the host's network (see {@link readHostPort}).
 */
function readHostPorts(r: YamlReader, hostNetwork: boolean): { ip: string; protocol: string; port: number }[] {
  const out: { ip: string; protocol: string; port: number }[] = [];
  for (const p of r.list("a list of container ports")) {
    p.object(["name", "containerPort", "hostPort", "protocol", "hostIP"]);
    const containerPort = p.get("containerPort").int({ min: 1, max: 65535 });
    const hostPort = readHostPort(p.get("hostPort"), containerPort, hostNetwork);
    const protocol = p.get("protocol").oneOf(["TCP", "UDP", "SCTP"] as const, { default: "TCP" });
    const ip = p.get("hostIP").str({ default: "0.0.0.0" });
    if (hostPort > 0) out.push({ ip, protocol, port: hostPort });
  }
  return out;
}

/**
 * A container port's `hostPort` (0: none). model: in a pod on the host's network every
 * container port is a host port: defaulting sets hostPort to containerPort
 * (pkg/apis/core/v1/defaults.go SetDefaults_Pod, defaultHostNetworkPorts) and validation refuses
 * any other value (pkg/apis/core/validation validateHostNetwork).
 */
export function readHostPort(r: YamlReader, containerPort: number, hostNetwork: boolean): number {
  const hostPort = r.int({ min: 0, max: 65535, default: hostNetwork ? containerPort : 0 });
  if (hostNetwork && hostPort !== containerPort)
    r.fail(`hostPort equal to containerPort (${containerPort}) when hostNetwork is true`);
  return hostPort;
}

/**
 * A mapping of label keys to label values (labels, matchLabels, nodeSelector); a value that is
 * not a scalar, and a key or value the API server would refuse (see {@link checkLabel}), are
 * reported.
 */
export function stringMap(r: YamlReader): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of r.entries()) {
    const raw = v.value();
    if (typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean") {
      m.set(k, String(raw));
      checkLabel(k, String(raw), v);
    } else v.fail("a string value");
  }
  return m;
}

/**
 * model: apimachinery/pkg/util/validation IsValidLabelValue: at most 63 characters, empty or
 * alphanumeric at both ends with `-`, `_` and `.` between.
 */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/**
 * Reports, at `at` (the value's node), a label key that is not a qualified name or a value that
 * is not a label value, as the API server refuses them in metadata.labels, a selector's
 * matchLabels and spec.nodeSelector (ValidateLabels: IsQualifiedName, IsValidLabelValue).
 */
export function checkLabel(key: string, value: string, at: YamlReader): void {
  if (!QUALIFIED_NAME.test(key))
    at.ctx.report(
      at.path,
      at.offset,
      "a label key such as app or example.com/tier (a qualified name: an optional DNS subdomain and /, then at most 63 characters, alphanumeric at both ends with -, _ and . between)",
      `the key ${JSON.stringify(key.slice(0, 80))}`,
    );
  else if (!LABEL_VALUE.test(value))
    at.fail("a label value: at most 63 characters, empty or alphanumeric at both ends with -, _ and . between");
}

function intOrPercent(r: YamlReader, dflt: string): string | number {
  if (!r.present) return dflt;
  const v = r.value();
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === "string" && /^[0-9]+%$/.test(v)) return v;
  r.fail("a non-negative integer or a percentage such as 25%");
  return dflt;
}

/** model: a DNS-1123 subdomain is at most 253 characters (k8s.io/apimachinery validation.DNS1123SubdomainMaxLength). */
const DNS_SUBDOMAIN_MAX = 253;
/** model: spec.replicas is an int32 in apps/v1. */
export const INT32_MAX = 2 ** 31 - 1;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** model: apimachinery validation IsQualifiedName: an optional DNS subdomain prefix and a 63-character name. */
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
