import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigMap } from "kubernetes-models/v1";
import { Job, type IJob } from "kubernetes-models/batch/v1";
import ts from "typescript";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, test } from "vitest";
import { defaultInputLimits } from "../../src/scenario/input-files.js";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runHash } from "../../src/study/study-plan.js";
import { mergeStudy } from "../../src/study/merge.js";
import { runSweep } from "../../src/study/sweep.js";
import { emitStudy, type Emitted } from "../../src/study/emit.js";
import { UserError } from "../../src/study/user-error.js";
import { ensureDist, REPO, simctl } from "../cli/simctl.js";
import { tmpDir } from "../tmp-dir.js";

const STUDY = "test/study/fixtures/batch/study.yaml";
const root = tmpDir("simctl-emit-");
const at = (...p: string[]) => join(root, ...p);
/** Every file of a merged dataset, by name. */
const merged = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f))]),
  );
/** A bin directory whose `simctl` runs this repository's build, as an installed simctl would. */
function shimBin(): string {
  const bin = at("bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, "simctl"),
    `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, "bin", "simctl.js")}" "$@"\n`,
  );
  chmodSync(join(bin, "simctl"), 0o755);
  return bin;
}

let whole: Record<string, Buffer>;

// The engines' commands spawn simctl (node) per shard: minutes on a loaded two-core machine.
const SPAWNS_MS = 300_000;

beforeAll(async () => {
  ensureDist();
  // The reference: the whole study swept and merged in this process.
  await runSweep(STUDY, { outDir: at("whole"), workers: 1 });
  mergeStudy([at("whole")], at("whole", "merged"));
  whole = merged(at("whole", "merged"));
}, SPAWNS_MS);

describe("sweep --emit kubernetes", () => {
  let k: Emitted;
  let docs: Record<string, Record<string, unknown>>;
  beforeAll(() => {
    k = emitStudy(STUDY, { engine: "kubernetes", workers: 1, shards: 3, image: "registry.example/simctl-k8s:0.1.0" });
    docs = Object.fromEntries(
      k.files
        .filter((f) => f.name.endsWith(".yaml"))
        .map((f) => [f.name, parseYaml(f.text) as Record<string, unknown>]),
    );
  });

  test("the ConfigMap, the Indexed Job and the merge Job validate against the Kubernetes OpenAPI schemas", () => {
    // kubernetes-models: validators generated from upstream's OpenAPI spec (types, enums, required fields).
    expect(() => new ConfigMap(docs["configmap.yaml"] as never).validate()).not.toThrow();
    expect(() => new Job(docs["job.yaml"] as never).validate()).not.toThrow();
    expect(() => new Job(docs["merge-job.yaml"] as never).validate()).not.toThrow();
    // The validators check known fields only; the same package's types refuse unknown ones
    // (an object literal checked against IJob / IConfigMap), as `kubectl apply --validate=strict` would.
    const file = join(REPO, "test", "study", "emitted-objects.check.ts");
    const source = [
      'import type { IConfigMap } from "kubernetes-models/v1";',
      'import type { IJob } from "kubernetes-models/batch/v1";',
      `export const configMap: IConfigMap = ${JSON.stringify(docs["configmap.yaml"])};`,
      `export const job: IJob = ${JSON.stringify(docs["job.yaml"])};`,
      `export const mergeJob: IJob = ${JSON.stringify(docs["merge-job.yaml"])};`,
      // A check that the check bites: an unknown field must be an error.
      `export const wrong: IJob = ${JSON.stringify({ ...docs["job.yaml"], spec: { ...(docs["job.yaml"]!.spec as object), completionsMode: "Indexed" } })};`,
    ].join("\n");
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (name, lang, ...rest) =>
      name === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest);
    const fileExists = host.fileExists;
    host.fileExists = (name) => name === file || fileExists(name);
    const program = ts.createProgram([file], options, host);
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) =>
          `${d.start === undefined ? "" : d.file?.getLineAndCharacterOfPosition(d.start).line}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`,
      );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^5: .*completionsMode/);
  });

  test("an Indexed Job of one completion per shard, its index as --shard i/N", () => {
    const job = docs["job.yaml"] as { spec: Record<string, unknown> & { template: { spec: Record<string, unknown> } } };
    expect(job.spec).toMatchObject({ completionMode: "Indexed", completions: 3, parallelism: 3 });
    const pod = job.spec.template.spec as { containers: { args: string[]; env: unknown[]; image: string }[] };
    const c = pod.containers[0]!;
    expect(c.image).toBe("registry.example/simctl-k8s:0.1.0");
    expect(c.args.slice(c.args.indexOf("--shard"), c.args.indexOf("--shard") + 2)).toEqual([
      "--shard",
      "$(JOB_COMPLETION_INDEX)/3",
    ]);
    expect(c.env).toContainEqual({
      name: "JOB_COMPLETION_INDEX",
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    });
    expect(docs["merge-job.yaml"]).toMatchObject({ spec: { suspend: true } });
  });

  test("the stream holds the same three objects, for kubectl apply -f -", () => {
    const stream = parseAllDocuments(k.stream).map((d) => d.toJS() as unknown);
    expect(stream).toEqual([docs["configmap.yaml"], docs["job.yaml"], docs["merge-job.yaml"]]);
  });

  test(
    "the pods, run as the objects say on the ConfigMap's files, merge byte-identical to the unsharded sweep",
    async () => {
      // The ConfigMap volume as the kubelet lays it out: the items in a timestamped directory,
      // ..data linking to it, and each top-level entry linking through ..data.
      const mount = at("k8s", "simctl-study");
      const results = at("k8s", "results");
      const job = docs["job.yaml"] as unknown as IJob;
      const mergeJob = docs["merge-job.yaml"] as unknown as IJob;
      const volume = job.spec!.template.spec!.volumes![0]!.configMap! as { items: { key: string; path: string }[] };
      const data = (docs["configmap.yaml"] as { data: Record<string, string> }).data;
      const real = join(mount, "..2026_01_01_00_00_00.000000000");
      for (const item of volume.items) {
        mkdirSync(dirname(join(real, item.path)), { recursive: true });
        writeFileSync(join(real, item.path), data[item.key]!);
      }
      symlinkSync("..2026_01_01_00_00_00.000000000", join(mount, "..data"));
      for (const top of new Set(volume.items.map((i) => i.path.split("/")[0]!)))
        symlinkSync(join("..data", top), join(mount, top));
      const inPod = (args: string[], index: number) =>
        args.map((a) =>
          a
            .replace("$(JOB_COMPLETION_INDEX)", String(index))
            .replace(/^\/simctl\/study/, mount)
            .replace(/^\/results/, results),
        );
      const shard = job.spec!.template.spec!.containers[0]!.args!;
      for (let i = 0; i < 3; i++) {
        const r = await simctl(inPod(shard, i));
        expect(r.code, r.stderr).toBe(0);
      }
      const merge = mergeJob.spec!.template.spec!.containers[0]!.args!;
      expect((await simctl(inPod(merge, 0))).code).toBe(0);
      expect(merged(join(results, "batch", "merged"))).toEqual(whole);
    },
    SPAWNS_MS,
  );
});

describe("sweep --emit slurm", () => {
  test(
    "each array task with its SLURM_ARRAY_TASK_ID, then the merge step: byte-identical to the unsharded sweep",
    () => {
      const out = at("slurm results");
      const e = emitStudy(STUDY, { engine: "slurm", workers: 1, shards: 3, out });
      const dir = at("slurm");
      mkdirSync(dir);
      for (const f of e.files) writeFileSync(join(dir, f.name), f.text);
      const sweep = readFileSync(join(dir, "sweep.sbatch"), "utf8");
      expect(sweep).toContain("#SBATCH --array=0-2\n");
      const env = { ...process.env, PATH: `${shimBin()}:${process.env.PATH}` };
      for (let i = 0; i < 3; i++)
        execFileSync("bash", [join(dir, "sweep.sbatch")], {
          cwd: dir,
          env: { ...env, SLURM_ARRAY_TASK_ID: String(i) },
          stdio: "pipe",
        });
      // Shard 0 of 3 ran runs 0 and 3; shard 1 run 1; shard 2 run 2.
      expect(
        readdirSync(join(out, "runs"))
          .map((d) => Number.parseInt(d, 10))
          .sort(),
      ).toEqual([0, 1, 2, 3]);
      execFileSync("bash", [join(dir, "merge.sbatch")], { cwd: dir, env, stdio: "pipe" });
      expect(merged(join(out, "merged"))).toEqual(whole);
    },
    SPAWNS_MS,
  );

  test("submit.sh and the stdout script submit the merge after the array, afterok", () => {
    const e = emitStudy(STUDY, { engine: "slurm", workers: 2, parallelism: 2, out: at("unused") });
    const dir = at("slurm-submit");
    mkdirSync(dir);
    for (const f of e.files) writeFileSync(join(dir, f.name), f.text);
    writeFileSync(join(dir, "stream.sh"), e.stream);
    // A fake sbatch: logs its arguments and script, answers --parsable with "<id>;cluster".
    const bin = at("fake-sbatch");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "sbatch"),
      `#!/bin/bash\nn=$(($(cat "${dir}/n" 2>/dev/null || echo 0) + 1)); echo $n > "${dir}/n"\n{ echo "ARGS $*"; if [ "$#" -gt 0 ] && [ -f "\${@: -1}" ]; then cat "\${@: -1}"; else cat; fi; } >> "${dir}/log"\necho "10$n;cluster"\n`,
    );
    chmodSync(join(bin, "sbatch"), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    for (const script of ["submit.sh", "stream.sh"]) {
      writeFileSync(join(dir, "log"), "");
      writeFileSync(join(dir, "n"), "0");
      execFileSync("sh", [join(dir, script)], { cwd: dir, env, stdio: "pipe" });
      const log = readFileSync(join(dir, "log"), "utf8");
      const calls = log.split(/^ARGS /m).slice(1);
      expect(calls).toHaveLength(2);
      expect(calls[0]).toMatch(/^--parsable/);
      expect(calls[0]).toContain("#SBATCH --array=0-3%2\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=2\n");
      expect(calls[1]).toMatch(/^--dependency=afterok:101 --kill-on-invalid-dep=yes/);
      expect(calls[1]).toContain("simctl merge ");
    }
    expect(statSync(at("slurm-submit", "submit.sh")).isFile()).toBe(true);
  });
});

describe("run hashes name the same runs on every machine", () => {
  test("a scheduler configuration's plugin args hash as written, not with where the file was read", () => {
    const copy = at("hash-copy");
    cpSync(dirname(join(REPO, "test/study/fixtures/batch/scenario/cluster.yaml")), copy, { recursive: true });
    const hash = (file: string) => runHash(loadScenario(file), 1);
    expect(hash(join(copy, "cluster.yaml"))).toBe(hash("test/study/fixtures/batch/scenario/cluster.yaml"));
  });
});

describe("sweep --emit refuses what cannot run there", () => {
  test("a file named by an absolute path, more shards than runs, --image for Slurm", () => {
    const dir = at("abs");
    mkdirSync(dir);
    const scenario = join(REPO, "test", "study", "fixtures", "tiny.yaml");
    writeFileSync(join(dir, "s.yaml"), `name: abs\nscenario: ${scenario}\n`);
    const limits = { ...defaultInputLimits(), allowPaths: [dirname(scenario)] };
    expect(() => emitStudy(join(dir, "s.yaml"), { engine: "kubernetes", workers: 1, limits })).toThrow(
      /relative paths.*tiny\.yaml/,
    );
    expect(() => emitStudy(STUDY, { engine: "kubernetes", workers: 1, shards: 5 })).toThrow(UserError);
    expect(() => emitStudy(STUDY, { engine: "slurm", workers: 1, image: "x" })).toThrow(/--image/);
  });
});
