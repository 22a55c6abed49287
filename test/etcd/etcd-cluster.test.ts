import { describe, expect, it } from "vitest";
import { constant, lognormal, Sampler } from "../../src/core/distributions.js";
import { RandomStreams } from "../../src/core/random.js";
import { EventTrace } from "../../src/core/trace.js";
import { BackendCommitReason } from "../../src/etcd/backend-commit-log.js";
import { runEtcdBenchmark } from "../../src/etcd/benchmark.js";
import { DEFAULT_ETCD_CONFIG, EtcdError } from "../../src/etcd/etcd-config.js";
import { idealConfig, makeCluster } from "./harness.js";

const MS = 1_000_000;
const US = 1_000;

describe("group commit at saturation (closed form)", () => {
  it("one fsync F per batch, back to back: batches/s = 1/F and every latency in [F, 2F]", () => {
    const F = 2 * MS;
    const cfg = idealConfig({ members: 1, walFsync: constant(F) });
    const r = runEtcdBenchmark(cfg, {
      clients: 200,
      writesPerClient: 20,
      valueBytes: 256,
      seed: 7,
      clientRtt: constant(0),
    });
    const log = r.cluster.batches;
    expect(log.size).toBeGreaterThan(10);
    // The raft loop never idles: each Ready starts exactly when the previous fsync ends.
    for (let i = 1; i < log.size; i++) expect(log.startNs[i]! - log.startNs[i - 1]!).toBe(F);
    // The last reply comes when the last batch's fsync ends: size * F after t = 0.
    const elapsedS = r.writes / r.writesPerSec;
    expect(Math.abs(log.size / elapsedS / (1e9 / F) - 1)).toBeLessThan(1e-9);
    // Many entries share one fsync: far more than one write per F.
    expect(r.writesPerSec).toBeGreaterThan(50 * (1e9 / F));
    const lat = r.cluster.commitLatency;
    expect(lat.commits).toBe(r.writes);
    expect(lat.minNs).toBeGreaterThanOrEqual(F);
    expect(lat.maxNs).toBeLessThanOrEqual(2 * F);
    expect(r.meanLatencyMs * MS).toBeGreaterThanOrEqual(F);
    expect(r.meanLatencyMs * MS).toBeLessThanOrEqual(2 * F);
  });

  it("with clients arriving at random times, still one batch per F and latency in [F, 2F]", () => {
    const F = 1 * MS;
    const cfg = idealConfig({ members: 1, walFsync: constant(F) });
    const r = runEtcdBenchmark(cfg, {
      clients: 500,
      writesPerClient: 10,
      valueBytes: 256,
      seed: 3,
      clientRtt: { kind: "uniform", min: 0, max: 400 * US },
    });
    const log = r.cluster.batches;
    let gapsOfF = 0;
    for (let i = 1; i < log.size; i++) {
      const gap = log.startNs[i]! - log.startNs[i - 1]!;
      expect(gap).toBeGreaterThanOrEqual(F);
      if (gap === F) gapsOfF++;
    }
    // Saturated: (almost) every Ready follows the previous fsync at once.
    expect(gapsOfF / (log.size - 1)).toBeGreaterThan(0.95);
    const lat = r.cluster.commitLatency;
    expect(lat.commits).toBe(r.writes);
    expect(lat.minNs).toBeGreaterThanOrEqual(F);
    expect(lat.maxNs).toBeLessThanOrEqual(2 * F);
  });
});

describe("saturation: CPU or disk, whichever binds (closed form)", () => {
  // One member, constant fsync F, every put costing c of CPU on a host of k cores, 200
  // closed-loop clients: throughput = min(k / c, batch / F), batch = puts per fsync.
  const F = 1 * MS;
  const run = (k: number, c: number) => {
    const cfg = idealConfig({ members: 1, cpus: k, requestCpuNs: c, walFsync: constant(F) });
    const r = runEtcdBenchmark(cfg, {
      clients: 200,
      totalWrites: 20_000,
      valueBytes: 256,
      seed: 1,
      clientRtt: constant(0),
      trimFraction: 0.1,
    });
    const batch = r.writes / r.batches;
    const log = r.cluster.batches;
    const elapsed = log.startNs[log.size - 1]! + F;
    return {
      x: r.writesPerSec,
      cpuBound: (k * 1e9) / c,
      diskBound: (batch * 1e9) / F,
      util: r.cluster.hosts[0]!.utilization(elapsed),
    };
  };

  it.each([
    [2, 100 * US, "CPU"],
    [8, 5 * US, "disk"],
    [4, 20 * US, "disk"],
  ])("k = %i cores, c = %i ns: %s-bound, at min(k/c, batch/F) within 2%%", (k, c, binds) => {
    const r = run(k, c);
    const bound = Math.min(r.cpuBound, r.diskBound);
    expect(Math.abs(r.x / bound - 1)).toBeLessThan(0.02);
    if (binds === "CPU") {
      expect(r.cpuBound).toBeLessThan(r.diskBound);
      expect(r.util).toBeGreaterThan(0.98);
    } else {
      expect(r.diskBound).toBeLessThan(r.cpuBound);
      expect(r.util).toBeLessThan(0.6);
    }
  });
});

describe("sequential single client (closed form)", () => {
  // One write at a time, nothing queues: the latency is the sum of the stages on the critical
  // path. Leader: request, Ready (+ one MsgApp encode per follower), WAL save; with followers,
  // the MsgApp's trip, the follower's decode + Ready, its save, its ack encode and trip; then
  // the leader's next Ready hands the entry to apply.
  const rtt = 300 * US;
  const F = 700 * US;
  const valueBytes = 256;
  const bytes = 8 + valueBytes + 20;
  const costs = {
    benchmarkClientCpuNs: 5 * US,
    requestCpuNs: 30 * US,
    readyCpuNs: 40 * US,
    entryCpuNs: 2 * US,
    applyCpuNs: 20 * US,
    peerMessageCpuNs: 15 * US,
    // 100 MB/s: 10 ns per WAL byte; a record adds 24 bytes of framing to the proposal.
    walWriteBandwidth: 100_000_000,
  };
  const save = F + (bytes + 24) * 10;
  const c = costs;
  const leaderPath = c.benchmarkClientCpuNs + c.requestCpuNs + c.readyCpuNs + c.entryCpuNs;
  const followerPath = rtt + c.peerMessageCpuNs + c.readyCpuNs + c.entryCpuNs + c.peerMessageCpuNs;
  const expected = (members: number) =>
    leaderPath +
    (members - 1) * c.peerMessageCpuNs +
    (members > 1 ? followerPath : 0) +
    save +
    c.readyCpuNs +
    c.applyCpuNs;

  it.each([1, 3, 5])("%i member(s): the mean latency is the sum of the stages, exactly", (members) => {
    const cfg = idealConfig({ members, peerRtt: constant(rtt), walFsync: constant(F), ...costs });
    const r = runEtcdBenchmark(cfg, { clients: 1, writesPerClient: 300, valueBytes, seed: 1, clientRtt: constant(0) });
    expect(r.meanLatencyMs * MS).toBeCloseTo(expected(members), 6);
    expect(r.p99LatencyMs * MS).toBe(expected(members));
    expect(r.writesPerSec).toBeCloseTo(1e9 / expected(members), 6);
    // One entry per batch: nothing to group.
    expect(r.batches).toBe(300);
  });

  it("the client round trip adds on top, exactly", () => {
    const cfg = idealConfig({ members: 3, peerRtt: constant(rtt), walFsync: constant(F), ...costs });
    const clientRtt = 500 * US;
    const r = runEtcdBenchmark(cfg, {
      clients: 1,
      writesPerClient: 50,
      valueBytes,
      seed: 1,
      clientRtt: constant(clientRtt),
    });
    expect(r.meanLatencyMs * MS).toBeCloseTo(clientRtt + expected(3), 6);
  });

  it("a write waits for the slower of the leader's fsync and the quorum's RTT + fsync", () => {
    // With RTT 0 the leader's own 5 ms fsync is the whole wait; with RTT 2 ms the follower's
    // ack (1 ms out + 5 ms fsync + 1 ms back) is.
    const cfgRtt0 = idealConfig({ members: 3, peerRtt: constant(0), walFsync: constant(5 * MS) });
    const r0 = runEtcdBenchmark(cfgRtt0, {
      clients: 1,
      writesPerClient: 10,
      valueBytes,
      seed: 1,
      clientRtt: constant(0),
    });
    expect(r0.meanLatencyMs).toBeCloseTo(5, 9);
    const cfgRtt2 = idealConfig({ members: 3, peerRtt: constant(2 * MS), walFsync: constant(5 * MS) });
    const r2 = runEtcdBenchmark(cfgRtt2, {
      clients: 1,
      writesPerClient: 10,
      valueBytes,
      seed: 1,
      clientRtt: constant(0),
    });
    expect(r2.meanLatencyMs).toBeCloseTo(7, 9);
  });
});

describe("followers computed ahead of their messages", () => {
  // A follower's receive, save and ack are computed when the leader sends, unless the message
  // arrives after the leader's own save ends (then a `etcd.msgApp` event carries it). Both ways
  // give the closed form: request + the MsgApp's trip + the follower's fsync + the ack's trip.
  const F = 5 * MS;
  const writes = 10;
  /** `writes` writes one after another (each proposed when the last is answered), traced. */
  const run = (rtt: number) => {
    const { engine, cluster, replies } = makeCluster(
      idealConfig({ members: 3, peerRtt: constant(rtt), walFsync: constant(F) }),
    );
    const trace = new EventTrace(engine);
    trace.start();
    const onReply = engine.register("test.onReply", (id, rev) => {
      replies.requestId.push(id);
      replies.revision.push(rev);
      replies.atNs.push(engine.now);
      if (id + 1 < writes) cluster.propose(id + 1, 100, onReply);
    });
    cluster.propose(0, 100, onReply);
    engine.run();
    const count = (name: string) => {
      let n = 0;
      for (let i = 0; i < trace.size; i++) if (engine.kinds[trace.kind[i]!] === name) n++;
      return n;
    };
    const gaps = replies.atNs.map((t, i) => t - (i === 0 ? 0 : replies.atNs[i - 1]!));
    return { gaps, msgApp: count("etcd.msgApp"), msgAppResp: count("etcd.msgAppResp") };
  };

  it("a message that arrives before the leader's save ends costs no event", () => {
    const r = run(2 * MS);
    expect(r.msgApp).toBe(0);
    expect(r.msgAppResp).toBe(2 * writes);
    expect(r.gaps).toEqual(new Array(writes).fill(1 * MS + F + 1 * MS));
  });

  it("with free CPU, the same replies as colocated members, which always take the events", () => {
    // Zero-cost bursts on 64 cores never wait, so a shared host changes nothing but the path:
    // colocated followers get every message as an event. Random RTTs and fsyncs make followers
    // busy past the leader's save, messages overtake its end, and both paths mix.
    const trial = (colocated: boolean) => {
      const cfg = idealConfig({
        members: 5,
        cpus: 64,
        colocated,
        peerRtt: lognormal(300 * US, 3 * MS),
        walFsync: lognormal(1 * MS, 6 * MS),
      });
      const { engine, cluster, replies, onCommit } = makeCluster(cfg, 4);
      const trace = new EventTrace(engine);
      trace.start();
      const rng = new RandomStreams(8).stream("arrivals");
      const kPropose = engine.register("test.propose", (id) => cluster.propose(id, 200, onCommit));
      let t = 0;
      for (let id = 0; id < 3000; id++) {
        t += Math.round(-Math.log(1 - rng.next()) * 400 * US);
        engine.scheduleAt(t, kPropose, id);
      }
      engine.run();
      let msgApps = 0;
      for (let i = 0; i < trace.size; i++) if (engine.kinds[trace.kind[i]!] === "etcd.msgApp") msgApps++;
      return { replies, msgApps, batches: cluster.batches.size };
    };
    const events = trial(true);
    const ahead = trial(false);
    expect(ahead.replies).toEqual(events.replies);
    expect(events.replies.requestId.length).toBe(3000);
    expect(events.msgApps).toBe(4 * events.batches);
    expect(ahead.msgApps).toBeGreaterThan(0);
    expect(ahead.msgApps).toBeLessThan(events.msgApps / 2);
  });

  it("a message that arrives after it is an event, with the same closed form", () => {
    const r = run(12 * MS);
    expect(r.msgApp).toBe(2 * writes);
    expect(r.msgAppResp).toBe(2 * writes);
    expect(r.gaps).toEqual(new Array(writes).fill(6 * MS + F + 6 * MS));
  });
});

describe("revisions and delivery", () => {
  it("every proposal gets exactly one onCommit; revisions go 2, 3, 4, ... in reply order", () => {
    const cfg = { ...DEFAULT_ETCD_CONFIG, backendBatchLimit: 97, snapshotCount: 500 };
    const { engine, cluster, replies, onCommit } = makeCluster(cfg, 11);
    const kPropose = engine.register("test.propose", (id, bytes) => cluster.propose(id, bytes, onCommit));
    const n = 3000;
    let tooLarge = 0;
    for (let id = 0; id < n; id++) {
      // Every 50th request is over the 1.5 MiB limit.
      const bytes = id % 50 === 49 ? cfg.maxRequestBytes + 1 : 100 + (id % 7) * 1000;
      if (bytes > cfg.maxRequestBytes) tooLarge++;
      engine.schedule(id * 20 * US, kPropose, id, bytes);
    }
    engine.run();
    expect(replies.requestId.length).toBe(n);
    const seen = new Uint8Array(n);
    for (const id of replies.requestId) seen[id] = seen[id]! + 1;
    expect(seen.every((c) => c === 1)).toBe(true);
    const revs = replies.revision.filter((r) => r >= 0);
    expect(revs.length).toBe(n - tooLarge);
    for (let i = 0; i < revs.length; i++) expect(revs[i]).toBe(i + 2);
    expect(cluster.revision).toBe(n - tooLarge + 1);
    expect(cluster.appliedIndex).toBe(n - tooLarge);
    expect(cluster.rejectedTooLarge).toBe(tooLarge);
    expect(replies.revision.filter((r) => r === EtcdError.RequestTooLarge).length).toBe(tooLarge);
    // Writes are answered in proposal order (one leader, FIFO raft log).
    const accepted = replies.requestId.filter((_, i) => replies.revision[i]! >= 0);
    for (let i = 1; i < accepted.length; i++) expect(accepted[i]!).toBeGreaterThan(accepted[i - 1]!);
    // The batch log accounts for every entry once.
    const log = cluster.batches;
    let entries = 0;
    for (let r = 0; r < log.size; r++) {
      expect(log.firstIndex[r]).toBe(entries + 1);
      entries += log.entries[r]!;
      expect(log.commitNs[r]!).toBeGreaterThanOrEqual(log.startNs[r]! + log.saveNs[r]!);
    }
    expect(entries).toBe(n - tooLarge);
    // The queue drains: no backend timer is left armed on an idle cluster.
    expect(engine.pending).toBe(0);
  });

  it("the request size limit is 1.5 MiB: exactly 1.5 MiB passes, one byte more fails at once", () => {
    const { engine, cluster, replies, onCommit } = makeCluster(DEFAULT_ETCD_CONFIG);
    expect(DEFAULT_ETCD_CONFIG.maxRequestBytes).toBe(1_572_864);
    cluster.propose(1, 1_572_864, onCommit);
    cluster.propose(2, 1_572_865, onCommit);
    expect(replies.requestId.length).toBe(0); // never synchronous
    engine.step();
    expect(replies.requestId).toEqual([2]);
    expect(replies.revision).toEqual([EtcdError.RequestTooLarge]);
    expect(replies.atNs).toEqual([0]);
    engine.run();
    expect(replies.requestId).toEqual([2, 1]);
    expect(replies.revision).toEqual([-1, 2]);
  });

  it("refuses with TooManyRequests while the apply loop lags the commit index by more than maxApplyLag", () => {
    const cfg = idealConfig({ members: 1, applyCpuNs: 1 * MS, maxApplyLag: 20 });
    const { engine, cluster, replies, onCommit } = makeCluster(cfg);
    const kPropose = engine.register("test.propose", (id) => cluster.propose(id, 100, onCommit));
    // 10 proposals/ms commit in batches every 1 ms, but only 1 applies per ms: the lag grows.
    for (let id = 0; id < 200; id++) engine.schedule(id * 100 * US, kPropose, id);
    engine.run();
    expect(replies.requestId.length).toBe(200);
    const refused = replies.revision.filter((r) => r === EtcdError.TooManyRequests).length;
    expect(refused).toBeGreaterThan(0);
    expect(cluster.rejectedTooManyRequests).toBe(refused);
    expect(cluster.appliedIndex).toBe(200 - refused);
  });

  it("rejects request ids that cannot travel as an event target", () => {
    const { cluster, onCommit } = makeCluster(DEFAULT_ETCD_CONFIG);
    expect(() => cluster.propose(2 ** 31, 10, onCommit)).toThrow(/int32/);
    expect(() => cluster.propose(1.5, 10, onCommit)).toThrow(/int32/);
  });
});

describe("bbolt backend batching", () => {
  it("commits on the 100 ms timer (reset after each commit) and after 10,000 puts", () => {
    const commit = 3 * MS;
    const cfg = idealConfig({
      members: 1,
      walFsync: constant(100 * US),
      applyCpuNs: 10 * US,
      backendCommit: constant(commit),
    });
    expect(cfg.backendBatchIntervalNs).toBe(100 * MS);
    expect(cfg.backendBatchLimit).toBe(10_000);
    const { engine, cluster, onCommit } = makeCluster(cfg);
    const kPropose = engine.register("test.propose", (id) => cluster.propose(id, 300, onCommit));
    // 1,000 writes/s for 1 s: interval commits only.
    for (let id = 0; id < 1000; id++) engine.schedule(id * MS, kPropose, id);
    engine.run();
    const bc = cluster.backendCommits;
    expect(bc.size).toBe(10);
    let puts = 0;
    for (let i = 0; i < bc.size; i++) {
      expect(bc.reason[i]).toBe(BackendCommitReason.interval);
      // The timer restarts when the previous commit ends: starts at 100, 203, 306, ... ms.
      expect(bc.startNs[i]).toBe((i + 1) * 100 * MS + i * commit);
      puts += bc.puts[i]!;
    }
    expect(puts).toBe(1000);
  });

  it("a burst of more than 10,000 puts commits at the limit, with exactly 10,000 puts", () => {
    const cfg = idealConfig({
      members: 1,
      walFsync: constant(100 * US),
      applyCpuNs: 1 * US,
      backendCommit: constant(1 * MS),
    });
    const { engine, cluster, onCommit } = makeCluster(cfg);
    for (let id = 0; id < 25_000; id++) cluster.propose(id, 100, onCommit);
    engine.run();
    const bc = cluster.backendCommits;
    const limit = [];
    for (let i = 0; i < bc.size; i++) if (bc.reason[i] === BackendCommitReason.limit) limit.push(bc.puts[i]);
    expect(limit).toEqual([10_000, 10_000]);
    expect(cluster.appliedIndex).toBe(25_000);
  });

  it("a backend commit blocks the apply loop (no reply inside it) but not raft commits", () => {
    const cfg = idealConfig({
      members: 3,
      peerRtt: constant(200 * US),
      walFsync: constant(500 * US),
      applyCpuNs: 50 * US,
      backendCommit: constant(20 * MS),
    });
    const { engine, cluster, replies, onCommit } = makeCluster(cfg);
    const kPropose = engine.register("test.propose", (id) => cluster.propose(id, 300, onCommit));
    for (let id = 0; id < 2000; id++) engine.schedule(id * 150 * US, kPropose, id);
    engine.run();
    const bc = cluster.backendCommits;
    expect(bc.size).toBeGreaterThan(1);
    let checked = 0;
    for (let i = 0; i < bc.size; i++) {
      const s = bc.startNs[i]!;
      const e = s + bc.durationNs[i]!;
      if (e > 2000 * 150 * US) continue; // after the load ended, nothing is left to commit
      checked++;
      expect(replies.atNs.some((t) => t > s && t < e)).toBe(false);
      // Raft keeps committing batches during the backend commit.
      let rows = 0;
      for (let r = 0; r < cluster.batches.size; r++) {
        const c = cluster.batches.commitNs[r]!;
        if (c > s && c < e) rows++;
      }
      expect(rows).toBeGreaterThan(10);
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});

describe("determinism", () => {
  it("same seed, same results; another seed, other results", () => {
    const opts = { clients: 50, writesPerClient: 40, valueBytes: 256, seed: 5 };
    const a = runEtcdBenchmark(DEFAULT_ETCD_CONFIG, opts);
    const b = runEtcdBenchmark(DEFAULT_ETCD_CONFIG, opts);
    const c = runEtcdBenchmark(DEFAULT_ETCD_CONFIG, { ...opts, seed: 6 });
    expect({ ...b, cluster: 0 }).toEqual({ ...a, cluster: 0 });
    const n = a.cluster.batches.size;
    expect(b.cluster.batches.size).toBe(n);
    expect(Array.from(b.cluster.batches.startNs.subarray(0, n))).toEqual(
      Array.from(a.cluster.batches.startNs.subarray(0, n)),
    );
    expect(b.cluster.commitLatency).toEqual(a.cluster.commitLatency);
    expect(c.meanLatencyMs).not.toBe(a.meanLatencyMs);
  });

  it("the leader's WAL fsyncs are the draws of stream etcd/0, in batch order, plus bytes / bandwidth", () => {
    const cfg = { ...DEFAULT_ETCD_CONFIG, walFsync: lognormal(MS, 5 * MS) };
    const r = runEtcdBenchmark(cfg, { clients: 20, writesPerClient: 20, valueBytes: 256, seed: 9 });
    const replay = new Sampler(cfg.walFsync, new RandomStreams(9).stream("etcd/0"));
    const log = r.cluster.batches;
    expect(log.size).toBeLessThan(400); // puts share batches, so the bytes term varies
    // Each fsync is the drawn latency plus the batch's WAL bytes (24 per record) at the bandwidth.
    const nsPerByte = 1e9 / cfg.walWriteBandwidth;
    for (let i = 0; i < log.size; i++) {
      const walBytes = log.bytes[i]! + 24 * log.entries[i]!;
      expect(log.fsyncNs[i]).toBe(replay.sample() + Math.round(walBytes * nsPerByte));
    }
  });
});
