// Per-directory mutation scores from Stryker's JSON report (mutation-testing-report-schema).
// Usage: node results/mutation/summarize.mjs [reports/mutation/mutation.json]
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(process.argv[2] ?? "reports/mutation/mutation.json", "utf8"));
const rows = new Map();
for (const [file, { mutants }] of Object.entries(report.files)) {
  const dir = file.replace(/\/[^/]+$/, "");
  const row = rows.get(dir) ?? { Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0, Ignored: 0, other: 0 };
  for (const m of mutants) row[m.status in row ? m.status : "other"]++;
  rows.set(dir, row);
}
const total = { Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0, Ignored: 0, other: 0 };
console.log("| directory | killed | survived | timeout | no coverage | ignored (static) | score % |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
const line = (name, r) => {
  // Stryker's mutation score: (killed + timeout) / (killed + timeout + survived + no coverage).
  const score = (100 * (r.Killed + r.Timeout)) / (r.Killed + r.Timeout + r.Survived + r.NoCoverage);
  console.log(
    `| ${name} | ${r.Killed} | ${r.Survived} | ${r.Timeout} | ${r.NoCoverage} | ${r.Ignored} | ${score.toFixed(2)} |`,
  );
};
for (const [dir, r] of [...rows].sort()) {
  line(dir, r);
  for (const k in total) total[k] += r[k];
}
line("all", total);
