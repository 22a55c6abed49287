import type { DistSpec } from "../../core/distributions.js";
import { parseCronSchedule } from "../../controllers/cron-schedule.js";
import { METADATA_KEYS } from "../core-v1-fields.js";
import {
  BATCH_V1,
  INT32_MAX,
  readJobSpec,
  readObjectHead,
  type DeploymentSpec,
  unreplicatedHead,
} from "../manifests.js";
import type { YamlReader } from "../yaml-reader.js";

// model: k8s.io/api/batch/v1/types.go CronJobSpec.
const CRONJOB_SPEC_KEYS = [
  "schedule",
  "timeZone",
  "startingDeadlineSeconds",
  "concurrencyPolicy",
  "suspend",
  "jobTemplate",
  "successfulJobsHistoryLimit",
  "failedJobsHistoryLimit",
] as const;

/**
 * model: pkg/apis/batch/validation ValidateCronJobCreate: a CronJob's name is at most 52
 * characters, so that its Jobs' names (`<name>-<minutes since the epoch>`) fit 63.
 */
const CRONJOB_NAME_MAX = 52;

/**
 * Reads a batch/v1 CronJob into a {@link DeploymentSpec} of kind CronJob: `cronJob` holds its
 * schedule and policies, `job` and `pod` the spec of the Jobs it creates (run times as for a
 * Job: the template's simctl.dev/run-duration annotation, else the step's `runDuration`).
 *
 * model: pkg/apis/batch/v1/defaults.go SetDefaults_CronJob: concurrencyPolicy Allow, suspend
 * false, successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1. Validation (ValidateCronJobSpec)
 * refuses an unparseable schedule, TZ or CRON_TZ inside it (spec.timeZone says that), and an
 * unknown time zone; each is a located error here.
 */
export function readCronJob(
  r: YamlReader,
  nameSuffix: string,
  defaultRun: DistSpec | undefined,
): DeploymentSpec | undefined {
  const meta = readObjectHead(r, "CronJob", BATCH_V1, '"batch/v1"', nameSuffix, CRONJOB_NAME_MAX);
  if (meta === undefined) return undefined;
  const { name, namespace } = meta;
  const spec = r.get("spec");
  spec.object(CRONJOB_SPEC_KEYS);
  const scheduleR = spec.get("schedule");
  const schedule = scheduleR.str({ default: "" });
  const tzR = spec.get("timeZone");
  const timeZone = tzR.present ? tzR.str() : undefined;
  // model: batch validation ValidateCronJobSpec: an absent or empty schedule is "Required value"
  // (a value that is not a string was reported by str()).
  if (!scheduleR.present || (typeof scheduleR.value() === "string" && schedule.trim() === ""))
    scheduleR.fail('a schedule such as "*/5 * * * *" (spec.schedule is required)');
  else if (schedule.includes("TZ")) scheduleR.fail("a schedule without TZ or CRON_TZ (spec.timeZone gives the zone)");
  else if (schedule !== "") {
    const parsed = parseCronSchedule(schedule, timeZone);
    if (typeof parsed === "string") (parsed.startsWith("an IANA") ? tzR : scheduleR).fail(parsed);
  }
  const deadline = spec.get("startingDeadlineSeconds");
  const startingDeadlineNs = deadline.present ? deadline.int({ min: 0 }) * 1e9 : Number.POSITIVE_INFINITY;
  const tmpl = spec.get("jobTemplate");
  tmpl.object(["metadata", "spec"]);
  tmpl.get("metadata").object(METADATA_KEYS);
  if (!tmpl.present) tmpl.fail("a jobTemplate (spec.jobTemplate is required)");
  const { job, pod } = readJobSpec(tmpl.get("spec"), defaultRun);
  return {
    ...unreplicatedHead(name + nameSuffix, namespace),
    kind: "CronJob",
    job,
    cronJob: {
      schedule,
      timeZone,
      concurrencyPolicy: spec
        .get("concurrencyPolicy")
        .oneOf(["Allow", "Forbid", "Replace"] as const, { default: "Allow" }),
      suspend: spec.get("suspend").bool({ default: false }),
      startingDeadlineNs,
      successfulJobsHistoryLimit: spec.get("successfulJobsHistoryLimit").int({ min: 0, max: INT32_MAX, default: 3 }),
      failedJobsHistoryLimit: spec.get("failedJobsHistoryLimit").int({ min: 0, max: INT32_MAX, default: 1 }),
    },
    pod,
  };
}
