import { readFileSync } from "node:fs";
import { tableFromIPC } from "apache-arrow";

/** A run's pods.arrow as plain arrays: `col(name)` is one column's values, `rows` their count. */
export function podsColumns(file: string): { rows: number; col: (name: string) => unknown[] } {
  const pods = tableFromIPC(readFileSync(file));
  return {
    rows: pods.numRows,
    col: (name) => {
      const v = pods.getChild(name)!;
      return Array.from({ length: v.length }, (_, i) => v.get(i) as unknown);
    },
  };
}

/** A nullable int64 cell as a number or null. */
export const numOrNull = (v: unknown): number | null => (v === null ? null : Number(v));
