import type { EventTrace } from "../core/trace.js";
import type { Column } from "./arrow-writer.js";

/**
 * events.arrow (`simctl run --trace`): one row per engine event dispatched in the trace window,
 * in (time, sequence) order: `time_ns`, `kind` (the registered event kind's name, dictionary
 * encoded), `target` and `arg` (the event's two numbers: usually a table index and an operand).
 */
export function eventColumns(trace: EventTrace, kinds: readonly string[]): { columns: Column[]; rows: number } {
  return {
    rows: trace.size,
    columns: [
      trace.arrow("timeNs", "int64", "time_ns"),
      trace.arrow("kind", "dict", "kind", 0, kinds),
      trace.arrow("target", "int64", "target"),
      trace.arrow("arg", "int64", "arg"),
    ],
  };
}
