import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { defaultInputLimits, isInside, type InputLimits } from "../scenario/input-files.js";
import { readStudyFile, type StudySpec } from "./study-file.js";
import { planStudy, type StudyPlan } from "./study-plan.js";
import { UserError } from "./user-error.js";

/** One file a study reads, placed relative to the directory that holds all of them. */
export interface InputFile {
  /** Path below {@link StudyInputs.root}, with `/` separators. */
  path: string;
  text: string;
}

/** A study's plan and every file reading it took, so that another machine can read it alike. */
export interface StudyInputs {
  plan: StudyPlan;
  /** The deepest directory holding every input (absolute). */
  root: string;
  /** The study file's path below `root`. */
  study: string;
  /** The study file first, then the other files in the order they were first read. */
  files: readonly InputFile[];
}

/**
 * Reads and plans a study as `simctl sweep` does (every grid point validated), noting every
 * file that took: the study, its scenario and what the scenario names (`apply:` manifests,
 * `cluster.objects` directories, scheduler configurations, runtime profiles), for every grid
 * point, since a parameter may name another file. Laid out below `root` as they lie on disk,
 * they read the same from any directory: the files name each other by relative paths.
 * Throws a {@link UserError} when a file was named by an absolute path, which would not hold
 * once the files move.
 */
export function readStudyInputs(studyFile: string, limits: InputLimits | undefined, scale?: number): StudyInputs {
  const seen = new Map<string, string>();
  const absolute: string[] = [];
  const base = limits ?? defaultInputLimits();
  const recording: InputLimits = {
    ...base,
    onRead: (path, written, text) => {
      if (seen.has(path)) return;
      seen.set(path, text);
      if (isAbsolute(written) && seen.size > 1) absolute.push(written);
    },
  };
  const { spec: read, locations } = readStudyFile(studyFile, recording);
  const spec: StudySpec = scale === undefined ? read : { ...read, scale };
  const plan = planStudy(spec, locations, recording);
  if (absolute.length > 0)
    throw new UserError(
      `the study's files must name each other by relative paths to run on a batch engine; found ${absolute.map((a) => JSON.stringify(a)).join(", ")}`,
      2,
    );
  const paths = [...seen.keys()];
  const root = commonDir(paths.map((p) => dirname(p)));
  const rel = (p: string) => relative(root, p).split(sep).join("/");
  return {
    plan,
    root,
    study: rel(resolve(studyFile)),
    files: paths.map((p) => ({ path: rel(p), text: seen.get(p)! })),
  };
}

/** The deepest directory that holds every one of `dirs` (absolute paths). */
function commonDir(dirs: readonly string[]): string {
  let common = dirs[0]!;
  for (const d of dirs) while (!isInside(d, common)) common = dirname(common);
  return common;
}
