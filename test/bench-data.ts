import { readFileSync } from "node:fs";

/**
 * The rows of a CSV that a bench/etcd-real script wrote into bench/data (a `#` comment line, a
 * header, one line per row), each row keyed by the header's column names.
 */
export function readBenchCsv(file: string): Record<string, string>[] {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"));
  const head = lines[0]!.split(",");
  return lines.slice(1).map((l) => {
    const cells = l.split(",");
    return Object.fromEntries(head.map((name, i) => [name, cells[i]!]));
  });
}
