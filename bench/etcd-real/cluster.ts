import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Starting, reading and stopping a real etcd cluster (Debian's etcd-server) on loopback, and
 * writing what was measured (CSV, probe.json), for the measurement scripts beside this file.
 * Development tool, not runtime code.
 */

/** Writes `text` to `file` through a temporary file and a rename: never half a file. */
export function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** A CSV column: its header and its cell for a row. */
export type Column<R> = readonly [name: string, cell: (row: R) => string | number];

/** A number with `dp` decimals, or an empty cell where it was not measured (not finite). */
export function fixed(x: number, dp: number): string {
  return Number.isFinite(x) ? x.toFixed(dp) : "";
}

/** Writes `rows` as a CSV through {@link writeAtomic}: a `# comment` line, the header, a line per row. */
export function writeCsv<R>(file: string, comment: string, columns: readonly Column<R>[], rows: readonly R[]): void {
  const lines = rows.map((r) => columns.map((c) => c[1](r)).join(","));
  writeAtomic(file, `# ${comment}\n${columns.map((c) => c[0]).join(",")}\n${lines.map((l) => `${l}\n`).join("")}`);
}

/**
 * Writes a measurement's results into `out` (created if need be): `csv` as {@link writeCsv}
 * writes it, then `probe` as probe.json. The scripts call it after every point, so that a sweep
 * cut short keeps what it measured.
 */
export function writeResults<R>(
  out: string,
  csv: { file: string; comment: string; columns: readonly Column<R>[]; rows: readonly R[] },
  probe: object,
): void {
  mkdirSync(out, { recursive: true });
  writeCsv(join(out, csv.file), csv.comment, csv.columns, csv.rows);
  writeAtomic(join(out, "probe.json"), `${JSON.stringify(probe, null, 2)}\n`);
}

export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export interface Cluster {
  procs: ChildProcess[];
  clientUrls: string[];
  dir: string;
}

export interface StartOptions {
  /** Member i listens for clients on basePort + i and for peers on basePort + 100 + i. */
  basePort: number;
  /** A command each member runs under (strace with a fault injection, say); none by default. */
  wrap?: readonly string[];
}

export function startCluster(members: number, dir: string, opts: StartOptions): Cluster {
  const names = Array.from({ length: members }, (_, i) => `m${i + 1}`);
  const peer = (i: number) => `http://127.0.0.1:${opts.basePort + 100 + i}`;
  const client = (i: number) => `http://127.0.0.1:${opts.basePort + i}`;
  const initial = names.map((n, i) => `${n}=${peer(i)}`).join(",");
  const wrap = opts.wrap ?? [];
  const procs = names.map((name, i) => {
    const etcd = [
      "etcd",
      `--name=${name}`,
      `--data-dir=${join(dir, name)}`,
      `--listen-client-urls=${client(i)}`,
      `--advertise-client-urls=${client(i)}`,
      `--listen-peer-urls=${peer(i)}`,
      `--initial-advertise-peer-urls=${peer(i)}`,
      `--initial-cluster=${initial}`,
      "--initial-cluster-state=new",
      "--initial-cluster-token=simctl-measure",
      "--logger=zap",
      "--log-level=error",
    ];
    const argv = [...wrap, ...etcd];
    // Its own process group, so that stopping it reaches the wrapper and etcd together.
    return spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "inherit"], detached: true });
  });
  return { procs, clientUrls: names.map((_, i) => client(i)), dir };
}

export async function waitHealthy(url: string, timeoutS = 20): Promise<void> {
  const deadline = performance.now() + timeoutS * 1000;
  while (performance.now() < deadline) {
    try {
      // A member still starting has bound its port but may not answer: do not wait on it forever.
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      if (r.ok && ((await r.json()) as { health: string }).health === "true") return;
    } catch {
      // not listening or not answering yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${url} did not become healthy in ${timeoutS} s`);
}

/** The client URL of the current leader, from `etcdctl endpoint status`. */
export function leaderUrl(c: Cluster): string {
  const r = spawnSync("etcdctl", [`--endpoints=${c.clientUrls.join(",")}`, "endpoint", "status", "-w", "json"], {
    encoding: "utf8",
    env: { ...process.env, ETCDCTL_API: "3" },
  });
  const rows = JSON.parse(r.stdout) as {
    Endpoint: string;
    Status: { header: { member_id: number }; leader: number };
  }[];
  const leader = rows.find((x) => x.Status.header.member_id === x.Status.leader);
  if (leader === undefined) throw new Error("no leader");
  return leader.Endpoint;
}

/** The values of unlabelled series `names` on a member's /metrics (NaN where absent). */
export async function metrics(url: string, names: readonly string[]): Promise<number[]> {
  const lines = (await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text()).split("\n");
  return names.map((name) => Number(/^\S+ (\S+)$/.exec(lines.find((l) => l.startsWith(`${name} `)) ?? "")?.[1]));
}

/** The WAL fsync histogram's count and sum (seconds) from a member's /metrics. */
export async function walFsync(url: string): Promise<{ count: number; sum: number }> {
  const [count, sum] = await metrics(url, [
    "etcd_disk_wal_fsync_duration_seconds_count",
    "etcd_disk_wal_fsync_duration_seconds_sum",
  ]);
  return { count: count!, sum: sum! };
}

/** How long a member has to exit on SIGTERM before its process group is killed. */
const STOP_GRACE_MS = 5000;

/**
 * SIGTERM to each member's process group, SIGKILL after STOP_GRACE_MS: a member under strace
 * with a delayed fsync can outlive the wrapper's own exit, and the data is thrown away anyway.
 */
export async function stopCluster(c: Cluster): Promise<void> {
  const group = (p: ChildProcess, sig: NodeJS.Signals) => {
    try {
      process.kill(-p.pid!, sig);
    } catch {
      // the group is gone already
    }
  };
  await Promise.all(
    c.procs.map(
      (p) =>
        new Promise<void>((r) => {
          if (p.exitCode !== null || p.signalCode !== null) return r();
          const kill = setTimeout(() => group(p, "SIGKILL"), STOP_GRACE_MS);
          p.once("exit", () => {
            clearTimeout(kill);
            group(p, "SIGKILL");
            r();
          });
          group(p, "SIGTERM");
        }),
    ),
  );
}

/**
 * Runs `work` against a fresh cluster of `members` in a fresh data directory under the system
 * temp directory (`name` prefixes it), once every member answers /health; stops the cluster
 * and removes the directory afterwards, whatever `work` does.
 */
export async function withCluster(
  members: number,
  name: string,
  opts: StartOptions,
  work: (cluster: Cluster, leader: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const cluster = startCluster(members, dir, opts);
  try {
    await Promise.all(cluster.clientUrls.map((u) => waitHealthy(u)));
    await work(cluster, leaderUrl(cluster));
  } finally {
    await stopCluster(cluster);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a measurement ran on: etcd's version, this host's cores and their model, Node's version, the point length. */
export interface HostProbe {
  etcd: string;
  cpus: number;
  cpuModel: string | undefined;
  node: string;
  secondsPerPoint: number;
}

export function hostProbe(secondsPerPoint: number): HostProbe {
  return {
    etcd: etcdVersion(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    secondsPerPoint,
  };
}

export function etcdVersion(): string {
  const r = spawnSync("etcd", ["--version"], { encoding: "utf8" });
  return /etcd Version: (\S+)/.exec(r.stdout)?.[1] ?? "unknown";
}
