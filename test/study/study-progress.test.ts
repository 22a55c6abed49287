import { expect, test } from "vitest";
import { StudyProgress } from "../../src/study/study-progress.js";

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; out: string[] } {
  const out: string[] = [];
  const stream = { isTTY, write: (s: string) => out.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, out };
}

test("on a terminal: finished runs and partial progress count towards the fraction, with an ETA", () => {
  const { stream, out } = fakeStream(true);
  const p = new StudyProgress(4, "runs", stream);
  p.progress(0, 50, 100);
  p.progress(1, 25, 100);
  expect(p.fraction()).toBeCloseTo(0.75 / 4, 12);
  p.finished(0);
  expect(p.fraction()).toBeCloseTo(1.25 / 4, 12);
  const last = out[out.length - 1]!;
  expect(last).toMatch(/^\r\[#{9}-{21}\] 1\/4 runs {2}1 running {2}elapsed .* ETA /);
  p.finish();
  expect(out[out.length - 1]).toBe("\r\u001b[K");
});

test("not a terminal: silent", () => {
  const { stream, out } = fakeStream(false);
  const p = new StudyProgress(2, "runs", stream);
  p.progress(0, 1, 2);
  p.finished(0);
  p.finish();
  expect(out).toEqual([]);
});
