/** One problem in a scenario file, located so a person can go straight to it. */
export interface ScenarioIssue {
  file: string;
  /** YAML path such as `cluster.nodePools[0].allocatable.cpu`. */
  path: string;
  line: number;
  column: number;
  expected: string;
  found: string;
  /** A suggestion, e.g. a did-you-mean for an unknown key. */
  hint?: string;
}

/** Formats an issue as `file:line:col: path: expected X, found Y (hint)`. */
export function formatIssue(i: ScenarioIssue): string {
  const where = `${i.file}:${i.line}:${i.column}`;
  const hint = i.hint === undefined ? "" : ` (${i.hint})`;
  return `${where}: ${i.path === "" ? "<root>" : i.path}: expected ${i.expected}, found ${i.found}${hint}`;
}

/** A scenario that cannot be run, with every problem found in it. Thrown before simulating. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  readonly issues: readonly ScenarioIssue[];
  /** What kind of input was invalid, for the CLI's first line ("scenario", "measurements CSV"). */
  readonly what: string;

  constructor(issues: readonly ScenarioIssue[], what = "scenario") {
    super(issues.map(formatIssue).join("\n"));
    this.issues = issues;
    this.what = what;
  }
}

/** Edit distance, for did-you-mean suggestions on unknown keys and enum values. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `word` if it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
