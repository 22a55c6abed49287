import { expect, test } from "vitest";
import { ATTEMPT_RESULT_NAMES, AttemptResult } from "../../src/scheduler/attempt-log.js";
import { namesOf } from "../../src/core/names-of.js";
import { Code, CODE_NAMES } from "../../src/scheduler/status.js";

test("CODE_NAMES are upstream's Code.String() spellings, indexed by code", () => {
  // model: pkg/scheduler/framework/interface.go codes, in order.
  expect(CODE_NAMES).toEqual([
    "Success",
    "Error",
    "Unschedulable",
    "UnschedulableAndUnresolvable",
    "Wait",
    "Skip",
    "Pending",
  ]);
  expect(CODE_NAMES[Code.UnschedulableAndUnresolvable]).toBe("UnschedulableAndUnresolvable");
  expect(ATTEMPT_RESULT_NAMES[AttemptResult.Nominated]).toBe("Nominated");
});

test("namesOf rejects a table whose values are not 0, 1, 2... in key order", () => {
  expect(() => namesOf({ A: 0, B: 2 })).toThrow(/B is 2, expected 1/);
  expect(() => namesOf({ A: 1, B: 0 })).toThrow(/A is 1, expected 0/);
  expect(namesOf({})).toEqual([]);
});
