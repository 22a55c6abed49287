import { resolve } from "node:path";
import { VERSION } from "../version.js";
import type { EmitContext, EmittedFile } from "./emit.js";

/**
 * The Slurm job array that runs a study, as sbatch scripts: `sweep.sbatch`, one array task
 * per shard (`--array=0-(N-1)`, `%P` when fewer run at once), whose task i runs `simctl sweep
 * STUDY --shard $SLURM_ARRAY_TASK_ID/N` into `out` on the shared file system; `merge.sbatch`,
 * the `simctl merge` step; and `submit.sh`, which submits the array and then the merge with
 * `--dependency=afterok:<array job>` (it starts once every task succeeded). The scripts read
 * the study where it lies (absolute paths) and run `simctl` from PATH.
 */
export function slurmFiles(ctx: EmitContext, out: string): { files: EmittedFile[]; stream: string; submit: string[] } {
  const { inputs, options, name, shards, parallelism } = ctx;
  const study = resolve(inputs.root, inputs.study);
  const allow = (options.limits?.allowPaths ?? []).flatMap((d) => ["--allow-path", resolve(d)]);
  const sweep = ["simctl", "sweep", study, ...ctx.flags, ...allow].map(shellWord).join(" ");
  const head = `# simctl ${VERSION}: study ${inputs.plan.spec.name}, ${inputs.plan.runs.length} runs in ${shards} shards`;
  const sweepScript = [
    "#!/bin/bash",
    `${head}: array task i runs shard i.`,
    `#SBATCH --job-name=${name}`,
    `#SBATCH --array=0-${shards - 1}${parallelism < shards ? `%${parallelism}` : ""}`,
    "#SBATCH --ntasks=1",
    `#SBATCH --cpus-per-task=${options.workers}`,
    `#SBATCH --mem=${ctx.memoryMi}M`,
    `#SBATCH --output=${name}-%A_%a.out`,
    "set -euo pipefail",
    `${sweep} --shard "\${SLURM_ARRAY_TASK_ID}/${shards}" --out ${shellWord(out)}`,
    "",
  ].join("\n");
  const mergeScript = [
    "#!/bin/bash",
    `${head}: the merge, once every array task succeeded.`,
    `#SBATCH --job-name=${name}-merge`,
    "#SBATCH --ntasks=1",
    "#SBATCH --cpus-per-task=1",
    `#SBATCH --mem=${ctx.memoryMi}M`,
    `#SBATCH --output=${name}-merge-%j.out`,
    "set -euo pipefail",
    `simctl merge ${shellWord(out)} --out ${shellWord(`${out}/merged`)}`,
    "",
  ].join("\n");
  const submit = [
    "jid=$(sbatch --parsable sweep.sbatch)",
    `sbatch --dependency=afterok:"\${jid%%;*}" --kill-on-invalid-dep=yes merge.sbatch`,
  ];
  const script = ["#!/bin/sh", `${head}.`, "set -eu", 'cd "$(dirname "$0")"', ...submit, ""].join("\n");
  // One script for stdout: sbatch reads each job's script from its standard input.
  const stream = [
    "#!/bin/sh",
    `${head}: submits the array, then the merge after it.`,
    "set -eu",
    "jid=$(sbatch --parsable <<'SIMCTL_SWEEP'",
    `${sweepScript}SIMCTL_SWEEP`,
    ")",
    `sbatch --dependency=afterok:"\${jid%%;*}" --kill-on-invalid-dep=yes <<'SIMCTL_MERGE'`,
    `${mergeScript}SIMCTL_MERGE`,
    "",
  ].join("\n");
  return {
    files: [
      { name: "sweep.sbatch", text: sweepScript, executable: true },
      { name: "merge.sbatch", text: mergeScript, executable: true },
      { name: "submit.sh", text: script, executable: true },
    ],
    stream,
    submit,
  };
}

/** `s` as one word for a POSIX shell: single-quoted unless it is plainly safe. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
