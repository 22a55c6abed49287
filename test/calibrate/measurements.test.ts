import { expect, test } from "vitest";
import { parseMeasurements, readMeasurements } from "../../src/calibrate/measurements.js";
import { ScenarioError } from "../../src/scenario/scenario-error.js";

test("reads the committed etcd measurements (12 rows each)", () => {
  for (const f of ["bench/data/etcd/etcd-puts.csv", "bench/data/etcd-epyc/etcd-puts.csv"]) {
    const rows = readMeasurements(f);
    expect(rows).toHaveLength(12);
    expect(rows.map((r) => r.members).sort()).toEqual([1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3]);
    for (const r of rows) expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
  }
  const first = readMeasurements("bench/data/etcd/etcd-puts.csv")[0]!;
  expect(first).toEqual({
    line: 3,
    members: 1,
    clients: 1,
    opsPerS: 1804,
    p50Ms: 0.479,
    p99Ms: 1.436,
    hostCpus: 2,
    colocated: true,
  });
});

test("columns in any order, comments and blank lines skipped, optional columns absent", () => {
  const rows = parseMeasurements("m.csv", "  # c\n\np99_ms,p50_ms,clients,members,ops_per_s\n2,1,4,3,900\n");
  expect(rows).toEqual([{ line: 4, members: 3, clients: 4, opsPerS: 900, p50Ms: 1, p99Ms: 2 }]);
});

const H = "members,clients,ops_per_s,p50_ms,p99_ms";
const bad: [string, string][] = [
  ["", "m.csv:1:1: <root>: expected a header row and at least one data row, found an empty file"],
  [`${H}\n`, "m.csv:1:1: <root>: expected at least one data row, found none"],
  [
    "members,clients,ops_per_s,p50_ms\n1,1,1,1\n",
    "m.csv:1:1: <root>: expected a header with members,clients,ops_per_s,p50_ms,p99_ms, found no p99_ms",
  ],
  [
    `${H},cpu\n`,
    'm.csv:1:41: cpu: expected columns among members, clients, ops_per_s, p50_ms, p99_ms, host_cpus, colocated, found unknown column "cpu"',
  ],
  [`${H},members\n`, "m.csv:1:41: members: expected each column once, found members again"],
  [`# x\n${H}\n1,1,abc,1,2\n`, "m.csv:3:5: ops_per_s: expected a number > 0, found abc"],
  [`${H}\n1,1,-5,1,2\n`, "m.csv:2:5: ops_per_s: expected a number > 0, found -5"],
  [`${H}\n1,1,5,0,2\n`, "m.csv:2:7: p50_ms: expected a number > 0, found 0"],
  [`${H}\n2,1,5,1,2\n`, "m.csv:2:1: members: expected an odd whole number 1-7, found 2"],
  [`${H}\n9,1,5,1,2\n`, "m.csv:2:1: members: expected an odd whole number 1-7, found 9"],
  [`${H}\n1,1.5,5,1,2\n`, "m.csv:2:3: clients: expected a whole number >= 1, found 1.5"],
  [`${H}\n1,1,5,3,2\n`, "m.csv:2:9: p99_ms: expected p99_ms >= p50_ms (3), found 2"],
  [`${H}\n\n1,1,5,1\n`, "m.csv:3:1: <root>: expected 5 fields as in the header, found 4"],
  [`${H},colocated\n1,1,5,1,2,2\n`, "m.csv:2:11: colocated: expected 0 or 1, found 2"],
  [`${H},host_cpus\n1,1,5,1,2,0\n`, "m.csv:2:11: host_cpus: expected a whole number >= 1, found 0"],
  [`${H}\n1,1,,1,2\n`, "m.csv:2:5: ops_per_s: expected a number > 0, found nothing"],
];
test.each(bad)("rejects %j with a located error", (text, message) => {
  let err: unknown;
  try {
    parseMeasurements("m.csv", text);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ScenarioError);
  expect((err as ScenarioError).message).toBe(message);
});

test("a spreadsheet's export: byte-order mark, CRLF line ends, quoted fields", () => {
  const text = `\ufeff${H}\r\n"1","4", 4564 ,"0.763",3.643\r\n\r\n`;
  expect(parseMeasurements("x.csv", text)).toEqual([
    { line: 2, members: 1, clients: 4, opsPerS: 4564, p50Ms: 0.763, p99Ms: 3.643 },
  ]);
  // A bad quoted value is located inside its quotes.
  expect(() => parseMeasurements("x.csv", `${H}\n1,"x",1,1,1\n`)).toThrow(
    "x.csv:2:4: clients: expected a whole number >= 1, found x",
  );
});

test("its errors say what was invalid: a measurements CSV, not a scenario", () => {
  try {
    parseMeasurements("x.csv", "members\n1\n");
    expect.unreachable();
  } catch (e) {
    expect((e as ScenarioError).what).toBe("measurements CSV");
  }
});
