import { expect, test } from "vitest";
import { ScenarioError } from "../../src/scenario/scenario-error.js";
import { errorFromWorker, workerError } from "../../src/study/worker-error.js";

/** What a worker's postMessage delivers: a structured clone. */
const cloned = <T>(v: T): T => structuredClone(v);

test("a scenario error crosses from a worker as a ScenarioError with the same issues", () => {
  const issue = { file: "s.yaml", path: "cluster", line: 3, column: 1, expected: "a mapping", found: "42" };
  const back = errorFromWorker(cloned(workerError(new ScenarioError([issue]))));
  expect(back).toBeInstanceOf(ScenarioError);
  expect((back as ScenarioError).issues).toEqual([issue]);
});

test("any other error crosses as an Error saying the message given, with the worker's stack after it", () => {
  const m = cloned(workerError(new Error("boom")));
  const back = errorFromWorker(m, "run 3 failed: boom");
  expect(back).not.toBeInstanceOf(ScenarioError);
  expect(back.message).toBe("run 3 failed: boom");
  expect(back.stack).toMatch(/^run 3 failed: boom\n\(worker\) Error: boom\n/);
  expect(errorFromWorker(m).message).toBe("boom");
});
