import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { type CronSchedule, parseCronSchedule } from "../../src/controllers/cron-schedule.js";
import { Missed, mostRecentScheduleTime, nextScheduleDelayMs } from "../../src/controllers/cronjob-controller.js";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const parse = (s: string, tz?: string) => {
  const p = parseCronSchedule(s, tz);
  if (typeof p === "string") throw new Error(p);
  return p;
};
const iso = (ms: number) => new Date(ms).toISOString();

describe("cron schedules as robfig/cron ParseStandard reads them", () => {
  test.each([
    ["*/5 * * * *", "2026-01-01T00:05:00.000Z"],
    ["@hourly", "2026-01-01T01:00:00.000Z"],
    ["@daily", "2026-01-02T00:00:00.000Z"],
    ["@midnight", "2026-01-02T00:00:00.000Z"],
    ["@weekly", "2026-01-04T00:00:00.000Z"],
    ["@monthly", "2026-02-01T00:00:00.000Z"],
    ["@yearly", "2027-01-01T00:00:00.000Z"],
    ["30 6 * * MON-FRI", "2026-01-01T06:30:00.000Z"],
    ["0 0 1 * SUN", "2026-01-04T00:00:00.000Z"],
    ["@every 90s", "2026-01-01T00:01:30.000Z"],
  ])("%s after 2026-01-01T00:00:00Z (a Thursday) is %s", (s, next) => {
    expect(iso(parse(s).next(T0))).toBe(next);
  });

  test("next is strictly after the time asked about", () => {
    expect(parse("*/5 * * * *").next(T0 + 5 * MIN)).toBe(T0 + 10 * MIN);
  });

  test("spec.timeZone is the schedule's location", () => {
    expect(iso(parse("0 9 * * *", "Asia/Tokyo").next(T0))).toBe("2026-01-02T00:00:00.000Z");
    expect(iso(parse("0 9 * * *", "America/New_York").next(T0))).toBe("2026-01-01T14:00:00.000Z");
  });

  test.each([
    ["* * * * * *", /five fields/],
    ["0 0 L * *", /no L, W, # or \+/],
    ["@reboot", /descriptor/],
    ["@every soon", /Go duration/],
    ["0 0 31 2 *", /matches no date/],
  ])("%s is refused", (s, why) => {
    expect(parseCronSchedule(s, undefined)).toMatch(why);
  });

  test("an unknown time zone is refused", () => {
    expect(parseCronSchedule("* * * * *", "Mars/Olympus")).toMatch(/IANA time zone/);
  });
});

describe("the controller's start times (utils.go mostRecentScheduleTime)", () => {
  const every5: CronSchedule = parse("*/5 * * * *");

  test("none before the first start time, then the most recent one", () => {
    expect(mostRecentScheduleTime(every5, T0, NaN, T0 + 4 * MIN, Infinity, true).mostRecentMs).toBeNaN();
    const r = mostRecentScheduleTime(every5, T0, NaN, T0 + 17 * MIN, Infinity, true);
    expect([r.mostRecentMs, r.missed]).toEqual([T0 + 15 * MIN, Missed.few]);
  });

  test("more than 100 missed start times is 'many' (TooManyMissedTimes), yet the most recent one is still found", () => {
    const r = mostRecentScheduleTime(every5, T0, NaN, T0 + 101 * 5 * MIN + MIN, Infinity, true);
    expect(r.missed).toBe(Missed.many);
    expect(r.mostRecentMs).toBe(T0 + 101 * 5 * MIN);
    const few = mostRecentScheduleTime(every5, T0, NaN, T0 + 100 * 5 * MIN + MIN, Infinity, true);
    expect(few.missed).toBe(Missed.few);
  });

  test("startingDeadlineSeconds: nothing earlier than now - deadline counts", () => {
    const r = mostRecentScheduleTime(every5, T0, NaN, T0 + 17 * MIN, 60_000, true);
    expect(r.mostRecentMs).toBeNaN();
    expect(mostRecentScheduleTime(every5, T0, NaN, T0 + 15 * MIN + 30_000, 60_000, true).mostRecentMs).toBe(
      T0 + 15 * MIN,
    );
  });

  test("the requeue is the next start time after the last one, plus 100 ms", () => {
    expect(nextScheduleDelayMs(every5, T0, T0 + 5 * MIN, T0 + 5 * MIN + 500, Infinity)).toBe(5 * MIN - 400);
    expect(nextScheduleDelayMs(every5, T0, NaN, T0 + 10, Infinity)).toBe(5 * MIN + 90);
  });
});

describe("CronJob manifests are validated with their location", () => {
  const load = (cron: string, top = "") => {
    const d = tmpDir("simctl-cron-bad-");
    writeFileSync(join(d, "c.yaml"), cron);
    writeFileSync(
      join(d, "s.yaml"),
      `name: c\ncluster:\n  nodePools: [{ name: n, count: 1, allocatable: { cpu: 4, memory: 16Gi, pods: 110 } }]\nworkload:\n  - { at: 0s, apply: c.yaml, runDuration: 1m }\n${top}`,
    );
    return () => loadScenario(join(d, "s.yaml"));
  };
  const cron = (spec: string, name = "c") => `apiVersion: batch/v1
kind: CronJob
metadata: { name: ${name} }
spec:
${spec}
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{ name: w, image: registry.example/batch:1 }]
`;

  test("a schedule that does not parse, TZ in the schedule, an unknown timeZone", () => {
    expect(load(cron('  schedule: "61 * * * *"'))).toThrow(/c\.yaml:5.*spec\.schedule.*valid cron schedule/s);
    expect(load(cron('  schedule: "TZ=UTC */5 * * * *"'))).toThrow(/without TZ or CRON_TZ/);
    expect(load(cron('  schedule: "*/5 * * * *"\n  timeZone: Mars/Olympus'))).toThrow(/spec\.timeZone.*IANA/s);
    expect(load(cron("  suspend: false"))).toThrow(/spec\.schedule is required/);
    // An empty schedule is refused too (it was accepted and crashed the run's CronJob controller).
    expect(load(cron('  schedule: ""'))).toThrow(
      /c\.yaml:5:\d+: .*spec\.schedule: expected a schedule such as .* found ""/s,
    );
  });

  test("a name longer than 52 characters is refused, as the API refuses it", () => {
    expect(load(cron('  schedule: "@hourly"', "a".repeat(53)))).toThrow(/at most 52 characters/);
  });

  test("defaults: Allow, not suspended, history limits 3 and 1, no starting deadline", () => {
    const s = load(cron('  schedule: "@hourly"'))();
    expect(s.workload[0]!.action).toMatchObject({
      deployments: [
        {
          kind: "CronJob",
          cronJob: {
            schedule: "@hourly",
            concurrencyPolicy: "Allow",
            suspend: false,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 1,
            startingDeadlineNs: Infinity,
          },
          job: { completions: 1, parallelism: 1, runDuration: { kind: "constant", value: 60e9 } },
        },
      ],
    });
    expect(s.startTimeMs).toBeUndefined();
  });

  test("startTime: an RFC 3339 time with a zone", () => {
    expect(load(cron('  schedule: "@hourly"'), "startTime: 2026-03-29T02:30:00+02:00\n")().startTimeMs).toBe(
      Date.UTC(2026, 2, 29, 0, 30),
    );
    expect(load(cron('  schedule: "@hourly"'), "startTime: tomorrow\n")).toThrow(/startTime.*RFC 3339/s);
  });
});
