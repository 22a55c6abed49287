import { Cron } from "croner";

/**
 * A CronJob's schedule in a time zone: the activation times, in wall-clock milliseconds since
 * the Unix epoch, that upstream's robfig/cron v3 `Schedule.Next` would give.
 *
 * model: pkg/controller/cronjob/cronjob_controllerv2.go parses spec.schedule with
 * cron.ParseStandard: five fields (minute, hour, day of month, month, day of week, with names,
 * ranges, lists, steps and `?`), or a descriptor (@yearly, @annually, @monthly, @weekly,
 * @daily, @midnight, @hourly, `@every <duration>`); a restricted day of month and day of week
 * match when either does (Vixie cron). spec.timeZone becomes the schedule's location
 * (formatSchedule: `TZ=<zone> <schedule>`); without it the schedule is in UTC, the usual
 * kube-controller-manager time zone. croner computes the calendar schedules (its extensions
 * beyond robfig's syntax are refused by {@link parseCronSchedule}); `@every` is robfig's
 * ConstantDelaySchedule, computed here.
 */
export interface CronSchedule {
  /** The first activation strictly after `wallMs` (robfig Next); NaN if there is none. */
  next(wallMs: number): number;
}

/** Go duration units, in milliseconds (time.ParseDuration). */
const GO_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
const GO_DURATION = /^((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/;
/** robfig's descriptors that croner spells the same; `@every` is handled apart. */
const DESCRIPTORS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
/** A field of robfig's standard syntax: digits, names, `*`, `?`, `,`, `-`, `/`. */
const FIELD = /^[0-9A-Za-z*?,/-]+$/;

/**
 * Parses `schedule` in `timeZone` (an IANA name; undefined: UTC) as upstream does; returns the
 * schedule, or what is wrong with it (for a located scenario error).
 */
export function parseCronSchedule(schedule: string, timeZone: string | undefined): CronSchedule | string {
  const s = schedule.trim();
  if (timeZone !== undefined && !validTimeZone(timeZone)) return `an IANA time zone name (${timeZone} is not one)`;
  if (s.startsWith("@every ")) return everySchedule(s.slice(7).trim());
  if (s.startsWith("@")) {
    if (!DESCRIPTORS.has(s))
      return "a descriptor of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>";
  } else {
    const fields = s.split(/\s+/);
    if (fields.length !== 5) return `five fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
    if (
      !fields.every((f) => FIELD.test(f)) ||
      /[LW#]/.test(
        fields
          .slice(2)
          .join(" ")
          .replace(/[A-Z]{3}/gi, ""),
      )
    )
      return "cron fields of digits, names, *, ?, lists, ranges and steps (no L, W, # or +)";
  }
  let cron: Cron;
  try {
    cron = new Cron(s === "@midnight" ? "@daily" : s, { mode: "5-part", timezone: timeZone ?? "UTC" });
  } catch (e) {
    return `a valid cron schedule (${(e as Error).message})`;
  }
  const at = (wallMs: number) => cron.nextRun(new Date(wallMs))?.getTime() ?? Number.NaN;
  // model: utils.go mostRecentScheduleTime refuses a schedule whose activations are not at
  // least a second apart (e.g. "0 0 31 2 *", which never fires): InvalidSchedule.
  if (Number.isNaN(at(0))) return "a schedule that fires (this one matches no date)";
  return { next: at };
}

/**
 * model: robfig/cron v3 ConstantDelaySchedule: `@every d` fires every d (at least 1 s, whole
 * seconds), counted from the time it is asked about, rounded down to the second.
 */
function everySchedule(text: string): CronSchedule | string {
  if (!GO_DURATION.test(text)) return `a Go duration after @every, such as 5m or 1h30m (found "${text}")`;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * GO_UNITS[m[2]!]!;
  const delayMs = Math.max(1000, ms - (ms % 1000));
  return { next: (wallMs) => wallMs - (((wallMs % 1000) + 1000) % 1000) + delayMs };
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
