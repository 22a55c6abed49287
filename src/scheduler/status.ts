import { namesOf, type ValueOf } from "../core/names-of.js";

/**
 * Framework status codes with upstream's names and order.
 * model: pkg/scheduler/framework/interface.go (Success, Error, Unschedulable,
 * UnschedulableAndUnresolvable, Wait, Skip, Pending).
 */
export const Code = {
  Success: 0,
  Error: 1,
  Unschedulable: 2,
  UnschedulableAndUnresolvable: 3,
  Wait: 4,
  Skip: 5,
  Pending: 6,
} as const;
export type Code = ValueOf<typeof Code>;
/** Code names indexed by code, spelled as upstream's `Code.String()`. */
export const CODE_NAMES = namesOf(Code);
export type CodeName = keyof typeof Code;

/**
 * A plugin's verdict: a code, human-readable reasons and the plugin that produced it.
 * Contract: `Success` and `Skip` carry no reasons; a rejection carries at least one.
 */
export class Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  plugin: string;

  constructor(code: Code, reasons: readonly string[] = [], plugin = "") {
    this.code = code;
    this.reasons = reasons;
    this.plugin = plugin;
  }

  get isSuccess(): boolean {
    return this.code === Code.Success;
  }

  /** Unschedulable or UnschedulableAndUnresolvable (upstream `IsRejected`). */
  get isRejected(): boolean {
    return (
      this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable || this.code === Code.Pending
    );
  }

  get codeName(): CodeName {
    return CODE_NAMES[this.code];
  }

  /** Reasons joined as upstream's `Status.Message()` does. */
  message(): string {
    return this.reasons.join(", ");
  }
}

/** perf: shared immutable statuses, so that the per-cycle paths allocate nothing on success. */
export const SUCCESS = new Status(Code.Success);
export const SKIP = new Status(Code.Skip);

/** A rejection with reasons. */
export function rejected(code: Code, ...reasons: string[]): Status {
  return new Status(code, reasons);
}
