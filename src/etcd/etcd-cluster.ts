import { columnTable } from "../core/column-table.js";
import { Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import type { RandomStreams } from "../core/random.js";
import { BackendCommitLog, BackendCommitReason } from "./backend-commit-log.js";
import { EtcdBatchLog } from "./batch-log.js";
import { EtcdError, type EtcdConfig } from "./etcd-config.js";
import { ProposalRing } from "./proposal-ring.js";
import { HostCpu } from "../sync/host-cpu.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Ring kind of a grouped proposal that is not its group's last: it fires no reply. */
const NO_REPLY = -1;

/**
 * model: a WAL record frames each raftpb.Entry with a length prefix and a crc32, padded to 8
 * bytes (server/storage/wal/encoder.go: 8-byte frame header, walpb.Record type + crc + data),
 * and the entry adds term, index and type: about 24 bytes over the proposal.
 */
const WAL_RECORD_OVERHEAD_BYTES = 24;

/**
 * What the leader knows of each follower, and the follower's own raft loop: one row per
 * member. perf: typed columns, no object per member.
 */
const Followers = columnTable({
  /** The highest index the follower has acked as durable (raft Progress.Match). */
  match: "Float64",
  /** The last index of the batches the follower has received. */
  received: "Float64",
  /** Entries and bytes received and not yet saved: its next Ready's. */
  pendingEntries: "Float64",
  pendingBytes: "Float64",
  /** When the follower's current Ready (save + ack encode) ends. */
  busyUntilNs: "Float64",
  /** A `kFollowerReady` wake-up is scheduled for the follower (1), and for when. */
  wake: "Uint8",
  wakeNs: "Float64",
  /** The follower's `kMsgApp` events in flight. */
  inFlight: "Uint32",
  /** The commit index the follower has applied up to, and when its apply goroutine is free. */
  applied: "Float64",
  applyFreeNs: "Float64",
  /** Arrival time of the last message on the leader -> member link (TCP keeps order). */
  linkOutNs: "Float64",
  /** Arrival time of the last message on the member -> leader link. */
  linkInNs: "Float64",
});

/**
 * An etcd v3.5 raft group of `members` voters, member 0 being the leader, as seen by its
 * clients: writes are proposed to the leader and, once committed and applied, answered with the
 * MVCC revision they created.
 *
 * Every piece of work that needs a CPU runs as a burst on its member's host ({@link HostCpu}:
 * the host's cores as a FCFS queue; colocated members share one host), so latency and the
 * throughput ceiling come from contention for cores, the disk and the serial loops. Stage by
 * stage (each with its upstream source at the code):
 * 1. request: `requestCpuNs` on the leader's host (gRPC, auth, marshal); the raft node
 *    goroutine then steps proposals into the log in order.
 * 2. group commit: the leader's raft loop handles one Ready at a time. A Ready takes every entry
 *    appended since the last one, costs `readyCpuNs` + `entryCpuNs` per entry + one message
 *    encode per follower, sends the entries to followers and writes them to the WAL with one
 *    fdatasync of `walFsync` + bytes / `walWriteBandwidth`; entries proposed meanwhile wait for
 *    the next Ready. Followers run the same loop on their own host and ack after their fsync.
 *    An entry is committed once a quorum (leader included) holds it durably; etcdserver learns
 *    it from the next Ready the leader's loop takes.
 * 3. apply: committed entries are applied in order by one goroutine (`applyCpuNs` each, on the
 *    leader's cores); each put gets the next revision and its reply fires when it is applied.
 *    Followers apply the same entries (on their cores) once a MsgApp tells them the commit
 *    index. The bbolt backend commits every `backendBatchIntervalNs`, after `backendBatchLimit`
 *    puts or at a raft snapshot; a commit holds the batch-tx lock, so applies wait for it, but
 *    the raft/WAL path does not.
 * Not modelled: leader elections, heartbeats, flow-control limits (MaxInflightMsgs 512 and
 * MaxSizePerMsg 1 MiB are far above benchmark batches), WAL segment cuts, disk contention between
 * WAL and backend. A backend commit waits for the apply batch in progress, not only its current put.
 * Against a real 3-member etcd with every fsync delayed by 5-500 ms (bench/data/etcd-slow-disk,
 * test/etcd/slow-disk.test.ts) the group commit above holds; with fsync at or past the 1 s
 * election timeout the real cluster never became healthy, a regime this model, without
 * heartbeats or elections, does not cover.
 *
 * Contract: `propose` never fires its event synchronously; every accepted proposal fires
 * `onCommit(requestId, revision)` exactly once, in raft-index order, with revisions 2, 3, 4, ...
 * (an empty etcd store is at revision 1); a refused one fires `onCommit(requestId, code)` with a
 * negative {@link EtcdError} code at the current time. Random draws come from the streams
 * `<name>/<member>` (WAL fsync), `<name>/<member>/net` (messages it sends) and
 * `<name>/0/backend`.
 */
export class EtcdCluster {
  readonly config: EtcdConfig;
  /** One row per leader WAL batch (group commit). */
  readonly batches = new EtcdBatchLog();
  /** One row per bbolt backend commit. */
  readonly backendCommits = new BackendCommitLog(64);
  /**
   * Reply time minus `propose` time over the committed proposals: how many, their sum, the
   * least and the greatest, ns. perf: totals, not a value per proposal (nothing reads those,
   * and a 1M-pod run commits 60M proposals: 512 MB).
   */
  readonly commitLatency = { commits: 0, sumNs: 0, minNs: Infinity, maxNs: -Infinity };
  /** The hosts the members run on: one per member, or one shared by all when colocated. */
  readonly hosts: readonly HostCpu[];
  /** Proposals refused with {@link EtcdError.RequestTooLarge}. */
  rejectedTooLarge = 0;
  /** Proposals refused with {@link EtcdError.TooManyRequests}. */
  rejectedTooManyRequests = 0;

  private readonly engine: Engine;
  private readonly name: string;
  private readonly members: number;
  private readonly quorum: number;
  /** Members share one host: a follower's bursts interleave with the leader's (no look-ahead). */
  private readonly colocated: boolean;
  private readonly cpu: HostCpu[] = [];
  private readonly fsync: Sampler[] = [];
  private readonly net: Sampler[] = [];
  private readonly backendSampler: Sampler;
  /** ns per WAL byte written within an fdatasync (1e9 / walWriteBandwidth). */
  private readonly walNsPerByte: number;

  private readonly kAppend: EventKind;
  private readonly kLeaderSaved: EventKind;
  private readonly kMsgApp: EventKind;
  private readonly kFollowerReady: EventKind;
  private readonly kMsgAppResp: EventKind;
  private readonly kBackendTimer: EventKind;

  // Proposals from acceptance to hand-off; sequence number = raft index.
  private readonly ring = new ProposalRing(1024);
  /** When the raft node goroutine has stepped the last accepted proposal into the log. */
  private lastAppendNs = 0;
  /** A `kAppend` wake-up is scheduled. */
  private appendWake = false;

  // Leader raft state.
  private lastIndex = 0;
  private leaderSaving = false;
  /** When the leader's raft loop finishes processing its last Ready. */
  private raftFreeNs = 0;
  private savingUpTo = 0;
  private stableIndex = 0;
  private commitIdx = 0;
  private handedIndex = 0;
  private nextCommitRow = 0;

  // Followers, one row per member (row 0, the leader's, unused).
  private readonly followers = new Followers(8);
  /** The members' durable indexes, sorted to find the commit index. */
  private readonly scratch: Float64Array;

  // Apply loop and backend: their timelines are computed, not evented.
  private rev = 1;
  /** When the leader's apply goroutine finishes the entries handed to it so far. */
  private applyFreeNs = 0;
  /** Entries known applied (a lower bound, advanced lazily against `applyFreeNs`). */
  private appliedFloor = 0;
  private pendingPuts = 0;
  /** When the backend commit in progress (if any) releases the batch-tx lock. */
  private backendFreeNs = 0;
  private timerArmed = false;
  private timerResetNs = 0;
  private snapshotIndex = 0;

  constructor(engine: Engine, random: RandomStreams, config: EtcdConfig) {
    validate(config);
    this.engine = engine;
    this.config = config;
    this.name = config.name ?? "etcd";
    this.members = config.members;
    this.quorum = Math.floor(config.members / 2) + 1;
    this.colocated = config.colocated;
    const shared = config.colocated ? new HostCpu(`${this.name}/host`, config.cpus) : undefined;
    for (let m = 0; m < this.members; m++) {
      this.cpu.push(shared ?? new HostCpu(`${this.name}/${m}`, config.cpus));
      this.fsync.push(new Sampler(config.walFsync, random.stream(`${this.name}/${m}`)));
      this.net.push(new Sampler(config.peerRtt, random.stream(`${this.name}/${m}/net`)));
    }
    this.hosts = shared ? [shared] : this.cpu;
    this.backendSampler = new Sampler(config.backendCommit, random.stream(`${this.name}/0/backend`));
    this.walNsPerByte = 1e9 / config.walWriteBandwidth;
    this.followers.addRows(this.members);
    this.scratch = new Float64Array(this.members);

    const p = this.name;
    this.kAppend = engine.register(`${p}.append`, () => this.onAppend());
    this.kLeaderSaved = engine.register(`${p}.leaderSaved`, () => this.onLeaderSaved());
    this.kMsgApp = engine.register(`${p}.msgApp`, (f, row) => this.onMsgApp(f, row));
    this.kFollowerReady = engine.register(`${p}.followerReady`, (f) => this.onFollowerReady(f));
    this.kMsgAppResp = engine.register(`${p}.msgAppResp`, (f, index) => this.onMsgAppResp(f, index));
    this.kBackendTimer = engine.register(`${p}.backendTimer`, () => this.onBackendTimer());
  }

  /** The MVCC revision of the last write handed to apply (1 for an empty store). */
  get revision(): number {
    return this.rev;
  }

  /** Raft commit index: the highest index a quorum holds durably. */
  get commitIndex(): number {
    return this.commitIdx;
  }

  /** Entries applied by now (= committed writes answered or being answered). */
  get appliedIndex(): number {
    const cost = this.config.applyCpuNs;
    const behind = cost > 0 ? Math.ceil((this.applyFreeNs - this.engine.now) / cost) : 0;
    const applied = behind > 0 ? this.handedIndex - behind : this.handedIndex;
    if (applied > this.appliedFloor) this.appliedFloor = applied;
    return this.appliedFloor;
  }

  /** Entries in the leader's log (appended, durable or not). */
  get logIndex(): number {
    return this.lastIndex;
  }

  /** The host of member `m` (the load client of a colocated benchmark shares member 0's). */
  hostOf(m: number): HostCpu {
    return this.cpu[m]!;
  }

  /**
   * Proposes a write of `bytes` (the marshalled request). When it is committed and applied,
   * `onCommit(requestId, revision)` fires; if refused it fires at once with a negative
   * {@link EtcdError} code. `requestId` must be an int32 (it travels as an event target).
   */
  propose(requestId: number, bytes: number, onCommit: EventKind): void {
    this.accept(requestId, 1, bytes, onCommit);
  }

  /**
   * Proposes `entries` writes of `bytes` each, accepted together as consecutive proposals (an
   * aggregate of a background stream, ApiServer.submitGroup). Each is a raft entry with its own
   * revision, CPU, WAL bytes and commit latency sample; only the last fires
   * `onCommit(requestId, revision)`, so the group costs the engine no event per entry.
   */
  proposeGroup(requestId: number, entries: number, bytes: number, onCommit: EventKind): void {
    if (!Number.isInteger(entries) || entries < 1) {
      throw new SimulationError(this.name, this.engine.now, `bad group of ${entries} proposals`);
    }
    this.accept(requestId, entries, bytes, onCommit);
  }

  private accept(requestId: number, entries: number, bytes: number, onCommit: EventKind): void {
    const engine = this.engine;
    if (!Number.isInteger(requestId) || requestId < INT32_MIN || requestId > INT32_MAX) {
      throw new SimulationError(this.name, engine.now, `requestId ${requestId} is not an int32`);
    }
    if (!(bytes >= 0)) throw new SimulationError(this.name, engine.now, `bad proposal size ${bytes}`);
    const cfg = this.config;
    // model: server/etcdserver/v3_server.go processInternalRaftRequestOnce: the size check
    // (len(data) > MaxRequestBytes -> ErrRequestTooLarge) and the apply-lag check
    // (ci > ai+maxGapBetweenApplyAndCommitIndex -> ErrTooManyRequests) run before raft.
    if (bytes > cfg.maxRequestBytes) {
      this.rejectedTooLarge += entries;
      engine.schedule(0, onCommit, requestId, EtcdError.RequestTooLarge);
      return;
    }
    if (this.handedIndex > this.appliedIndex + cfg.maxApplyLag) {
      this.rejectedTooManyRequests += entries;
      engine.schedule(0, onCommit, requestId, EtcdError.TooManyRequests);
      return;
    }
    const now = engine.now;
    // model: the request's goroutine does its gRPC and marshalling work on any core; the raft
    // node goroutine then steps proposals one at a time (go.etcd.io/raft node.go run: case
    // <-propc), so they reach the log in acceptance order.
    const cpu = this.cpu[0]!;
    let at = this.lastAppendNs;
    for (let i = 1; i <= entries; i++) {
      const done = cpu.run(now, cfg.requestCpuNs);
      if (done > at) at = done;
      const last = i === entries;
      this.ring.push(last ? requestId : -1, last ? onCommit : NO_REPLY, bytes, now, at);
    }
    this.lastAppendNs = at;
    // perf: a busy leader takes the entry at its next Ready without an event of its own.
    if (!this.leaderSaving && !this.appendWake) {
      this.appendWake = true;
      engine.scheduleAt(at, this.kAppend);
    }
  }

  // ---- leader raft loop ------------------------------------------------------------------

  private onAppend(): void {
    this.appendWake = false;
    this.tryLeaderReady();
  }

  /**
   * model: server/etcdserver/raft.go raftNode.start: one `rd := <-r.Ready()` at a time. The
   * Ready hands committed entries to apply (r.applyc <- ap), sends the new entries to followers
   * (the leader sends before saving, raft thesis 10.2.1, so its fsync overlaps replication),
   * then r.storage.Save (WAL append + fdatasync) and r.Advance(). node.run offers no new Ready
   * until Advance, so proposals that arrive during the save wait for the next Ready: group
   * commit, with the next batch forming while the current fsync runs.
   */
  private tryLeaderReady(): void {
    if (this.leaderSaving) return;
    const engine = this.engine;
    const now = engine.now;
    const ring = this.ring;
    // The previous Ready took every entry appended by then, so the log's unsaved tail starts
    // at stableIndex + 1 and holds the entries the node goroutine has stepped in since.
    const first = this.stableIndex + 1;
    let last = this.stableIndex;
    let bytes = 0;
    while (last < ring.last && ring.appendNs[ring.slot(last + 1)]! <= now) {
      last++;
      bytes += ring.bytes[ring.slot(last)]!;
    }
    this.lastIndex = last;
    const n = last - this.stableIndex;
    const commits = this.handedIndex < this.commitIdx;
    if (n > 0 || commits) {
      const cfg = this.config;
      // model: one Ready costs the loop `readyCpuNs` whatever it carries, plus the encoding of
      // its entries and of one MsgApp per follower; a Ready that carries only a commit-index
      // change writes the HardState without fsync (server/storage/wal/wal.go Save:
      // raft.MustSync is false when no entries and the term/vote are unchanged).
      const burst = cfg.readyCpuNs + (n > 0 ? n * cfg.entryCpuNs + (this.members - 1) * cfg.peerMessageCpuNs : 0);
      const done = this.cpu[0]!.run(now > this.raftFreeNs ? now : this.raftFreeNs, burst);
      this.raftFreeNs = done;
      if (commits) this.handOff(done);
      if (n > 0) {
        const fsyncNs = this.walFsyncNs(0, n, bytes);
        const row = this.batches.add(now, first, n, bytes, fsyncNs, done + fsyncNs - now);
        const savedNs = done + fsyncNs;
        for (let f = 1; f < this.members; f++) this.replicate(done, f, row, savedNs);
        this.leaderSaving = true;
        this.savingUpTo = last;
        engine.scheduleAt(savedNs, this.kLeaderSaved);
        return;
      }
    }
    if (last < ring.last && !this.appendWake) {
      this.appendWake = true;
      engine.scheduleAt(ring.appendNs[ring.slot(last + 1)]!, this.kAppend);
    }
  }

  /**
   * One WAL fdatasync of `n` entries: the device's fixed latency plus the batch's bytes at its
   * write bandwidth. model: the service time of a disk write as positioning/flush latency plus
   * size over transfer rate (Ruemmler and Wilkes, "An Introduction to Disk Drive Modeling",
   * IEEE Computer 1994); fitted here, on a real etcd, fsync time grows with puts per fsync
   * (bench/data/etcd/etcd-wal.csv).
   */
  private walFsyncNs(member: number, n: number, bytes: number): number {
    const walBytes = bytes + n * WAL_RECORD_OVERHEAD_BYTES;
    return this.fsync[member]!.sample() + Math.round(walBytes * this.walNsPerByte);
  }

  private onLeaderSaved(): void {
    this.leaderSaving = false;
    this.stableIndex = this.savingUpTo;
    // model: the leader counts itself only for entries it has saved. etcd v3.5 raft counts the
    // leader at append, but etcdserver only sees a commit in a Ready taken after the Save of
    // those entries returned (and shouldWaitWALSync, raft.go, covers the single-member case),
    // so replies never precede the leader's own fsync either way.
    this.updateCommit();
    this.tryLeaderReady();
  }

  /**
   * Marks entries up to the commit index as committed and hands them, at `now` (when the Ready's
   * processing ends), to the apply loop.
   *
   * model: server/etcdserver/server.go run -> applyAll -> applyEntries applies the entries of
   * one Ready in order on one goroutine; each put takes the backend batch-tx lock (mvcc txn
   * write), so the batch starts once the apply goroutine is free and no backend commit holds
   * the lock. Its timeline is known here, so each reply is scheduled for the moment its put is
   * applied, with no event per apply.
   */
  private handOff(now: number): void {
    const c = this.commitIdx;
    const from = this.handedIndex + 1;
    this.handedIndex = c;
    const engine = this.engine;
    const log = this.batches;
    let r = this.nextCommitRow;
    while (r < log.size && log.lastIndex(r) <= c) log.commitNs[r++] = now;
    this.nextCommitRow = r;

    const cfg = this.config;
    const cost = cfg.applyCpuNs;
    const cpu = this.cpu[0]!;
    const ring = this.ring;
    let ready = now > this.applyFreeNs ? now : this.applyFreeNs;
    if (this.backendFreeNs > ready) ready = this.backendFreeNs;
    for (let first = from; first <= c; ) {
      // model: backend/batch_tx.go batchTxBuffered.Unlock commits in the applying goroutine as
      // soon as pending >= batchLimit, inside the put that reaches it: a Ready's puts apply in
      // runs that end at the limit, the put that filled the batch answers after the commit, and
      // the next run starts when the commit ends.
      const room = cfg.backendBatchLimit - this.pendingPuts;
      const last = room > 0 && first + room - 1 < c ? first + room - 1 : c;
      const end = cpu.run(ready, (last - first + 1) * cost);
      this.pendingPuts += last - first + 1;
      const full = this.pendingPuts >= cfg.backendBatchLimit;
      if (full) this.backendCommit(end, BackendCommitReason.limit);
      for (let seq = first; seq <= last; seq++) {
        const s = ring.slot(seq);
        const at = full && seq === last ? this.backendFreeNs : end - (last - seq) * cost;
        // model: mvcc/kvstore.go NewStore starts at currentRev = 1; each write txn that changes
        // something ends at currentRev+1 (kvstore_txn.go storeTxnWrite.End).
        const rev = ++this.rev;
        const latencyNs = at - ring.proposeNs[s]!;
        const lat = this.commitLatency;
        lat.commits++;
        lat.sumNs += latencyNs;
        if (latencyNs < lat.minNs) lat.minNs = latencyNs;
        if (latencyNs > lat.maxNs) lat.maxNs = latencyNs;
        const kind = ring.kind[s]!;
        if (kind !== NO_REPLY) engine.scheduleAt(at, kind as EventKind, ring.requestId[s]!, rev);
      }
      ready = full ? this.backendFreeNs : end;
      first = last + 1;
    }
    this.applyFreeNs = ready;
    ring.release(c);
    // model: server.go triggerSnapshot: once appliedi - snapi > SnapshotCount, snapshot() runs
    // s.KV().Commit(), a forced backend commit in the apply path.
    if (c - this.snapshotIndex > cfg.snapshotCount) {
      this.snapshotIndex = c;
      this.backendCommit(ready, BackendCommitReason.snapshot);
      return;
    }
    this.armBackendTimer();
  }

  /** Commit index = the quorum-th highest durable index among members. */
  private updateCommit(): void {
    const n = this.members;
    const s = this.scratch;
    s[0] = this.stableIndex;
    const match = this.followers.match;
    for (let m = 1; m < n; m++) s[m] = match[m]!;
    // perf: insertion sort, descending, of at most a handful of members; no allocation.
    for (let i = 1; i < n; i++) {
      const x = s[i]!;
      let j = i - 1;
      while (j >= 0 && s[j]! < x) {
        s[j + 1] = s[j]!;
        j--;
      }
      s[j + 1] = x;
    }
    const c = s[this.quorum - 1]!;
    if (c > this.commitIdx) this.commitIdx = c;
  }

  // ---- network and followers -------------------------------------------------------------

  /**
   * When a raft message from member `from` to member `to`, sent at `atNs`, arrives: half a
   * round-trip sample later. model: rafthttp streams each peer's messages over one long-lived
   * HTTP connection, so messages on a link arrive in the order sent (a later one never
   * overtakes).
   */
  private arrival(atNs: number, from: number, to: number): number {
    const delay = Math.round(this.net[from]!.sample() / 2);
    const link = from === 0 ? this.followers.linkOutNs : this.followers.linkInNs;
    const peer = from === 0 ? to : from;
    let at = atNs + delay;
    if (at < link[peer]!) at = link[peer]!;
    link[peer] = at;
    return at;
  }

  /**
   * Sends batch `row` to follower `f` at `atNs`; the leader's own save of it ends at `savedNs`.
   *
   * perf: when nothing can reach the follower between now and the message's arrival, the
   * follower receives it now, at its arrival time, instead of from a `kMsgApp` event, and when
   * it can save it before any later batch arrives, saves and acks it now too; the results are
   * the same, bit for bit:
   * - its host is its own (not colocated) and no earlier message is in flight to it, so its
   *   cores, its fsync and net streams and its state see the same calls in the same order; a
   *   pending `kFollowerReady` wake-up is no obstacle if the message arrives before it;
   * - the message arrives by `savedNs`, so the commit index it applies up to is today's: the
   *   leader hands entries to apply only in a Ready taken after `savedNs` (a `kMsgApp` at
   *   `savedNs` fires before `kLeaderSaved`, scheduled after it);
   * - a save that starts before `savedNs` takes only what has arrived: the next batch leaves
   *   after the leader's next Ready, which starts at `savedNs` at the earliest. A later save
   *   waits for its `kFollowerReady` wake-up, as after a `kMsgApp`.
   */
  private replicate(atNs: number, f: number, row: number, savedNs: number): void {
    const at = this.arrival(atNs, 0, f);
    const fl = this.followers;
    const waking = fl.wake[f] === 1;
    if (this.colocated || fl.inFlight[f] !== 0 || at > savedNs || (waking && at >= fl.wakeNs[f]!)) {
      fl.inFlight[f]!++;
      this.engine.scheduleAt(at, this.kMsgApp, f, row);
      return;
    }
    this.receive(f, row, at);
    if (waking) return;
    const busy = fl.busyUntilNs[f]!;
    if (busy <= at || busy < savedNs) this.followerReady(f, busy > at ? busy : at);
    else this.wakeAt(f, busy);
  }

  /** The follower saves the batch at once, or when its Ready in progress ends. */
  private onMsgApp(f: number, row: number): void {
    const fl = this.followers;
    fl.inFlight[f]!--;
    const now = this.engine.now;
    this.receive(f, row, now);
    if (fl.busyUntilNs[f]! <= now) this.followerReady(f, now);
    else if (fl.wake[f] === 0) this.wakeAt(f, fl.busyUntilNs[f]!);
  }

  private wakeAt(f: number, atNs: number): void {
    this.followers.wake[f] = 1;
    this.followers.wakeNs[f] = atNs;
    this.engine.scheduleAt(atNs, this.kFollowerReady, f);
  }

  /** Follower `f` receives batch `row` at `nowNs`: the entries wait for its next Ready. */
  private receive(f: number, row: number, nowNs: number): void {
    const log = this.batches;
    const fl = this.followers;
    fl.received[f] = log.lastIndex(row);
    fl.pendingEntries[f] = fl.pendingEntries[f]! + log.entries[row]!;
    fl.pendingBytes[f] = fl.pendingBytes[f]! + log.bytes[row]!;
    this.followerApply(f, nowNs);
  }

  private onFollowerReady(f: number): void {
    this.followers.wake[f] = 0;
    if (this.followers.pendingEntries[f]! > 0) this.followerReady(f, this.engine.now);
  }

  /**
   * model: raft.go raftNode.start on a follower: the same one-Ready-at-a-time loop, but
   * messages (the MsgAppResp) are sent only after r.storage.Save returns; processMessages
   * keeps only the last MsgAppResp of a Ready, so one ack covers the whole batch. The ack's
   * encode runs once the fsync returns.
   */
  private followerReady(f: number, nowNs: number): void {
    const cfg = this.config;
    const fl = this.followers;
    const n = fl.pendingEntries[f]!;
    const cpu = this.cpu[f]!;
    const decoded = cpu.run(nowNs, cfg.peerMessageCpuNs + cfg.readyCpuNs + n * cfg.entryCpuNs);
    const saved = decoded + this.walFsyncNs(f, n, fl.pendingBytes[f]!);
    const acked = cpu.run(saved, cfg.peerMessageCpuNs);
    fl.pendingEntries[f] = 0;
    fl.pendingBytes[f] = 0;
    fl.busyUntilNs[f] = acked;
    this.engine.scheduleAt(this.arrival(acked, f, 0), this.kMsgAppResp, f, fl.received[f]!);
  }

  /**
   * model: a MsgApp carries the leader's commit index (raftpb.Message.Commit); the follower's
   * own apply goroutine then applies up to it. Nothing waits on a follower's apply, but it
   * spends the follower's cores (which colocated members share).
   */
  private followerApply(f: number, now: number): void {
    const c = this.handedIndex;
    const fl = this.followers;
    const k = c - fl.applied[f]!;
    if (k <= 0) return;
    fl.applied[f] = c;
    const ready = fl.applyFreeNs[f]! > now ? fl.applyFreeNs[f]! : now;
    fl.applyFreeNs[f] = this.cpu[f]!.run(ready, k * this.config.applyCpuNs);
  }

  /**
   * model: MsgAppResp is stepped by node.run, independent of the busy raft loop; decoding it
   * costs the leader's cores but, to save an event, its commit takes effect on arrival.
   */
  private onMsgAppResp(f: number, index: number): void {
    this.cpu[0]!.run(this.engine.now, this.config.peerMessageCpuNs);
    const match = this.followers.match;
    if (index > match[f]!) match[f] = index;
    const before = this.commitIdx;
    this.updateCommit();
    if (this.commitIdx > before) this.tryLeaderReady();
  }

  // ---- bbolt backend ---------------------------------------------------------------------

  /**
   * model: backend/backend.go run: a timer of batchInterval; on firing, commit if anything is
   * pending, then t.Reset(batchInterval) (after the commit). An idle timer keeps firing on the
   * same grid, so it is armed lazily, on that grid, only while puts are pending: a quiet
   * cluster leaves no event behind and `engine.run()` can drain.
   */
  private armBackendTimer(): void {
    if (this.timerArmed) return;
    const interval = this.config.backendBatchIntervalNs;
    const now = this.engine.now;
    let m = Math.ceil((now - this.timerResetNs) / interval);
    if (m < 1) m = 1;
    this.timerArmed = true;
    this.engine.scheduleAt(this.timerResetNs + m * interval, this.kBackendTimer);
  }

  private onBackendTimer(): void {
    this.timerArmed = false;
    const now = this.engine.now;
    if (this.pendingPuts === 0) {
      this.timerResetNs = now > this.backendFreeNs ? now : this.backendFreeNs;
      return;
    }
    // The commit takes the batch-tx lock once the apply batch in progress lets go of it.
    this.backendCommit(now > this.applyFreeNs ? now : this.applyFreeNs, BackendCommitReason.interval);
  }

  /** A bbolt commit of every pending put, starting at `startNs` (or when the lock frees). */
  private backendCommit(startNs: number, reason: BackendCommitReason): void {
    const start = startNs > this.backendFreeNs ? startNs : this.backendFreeNs;
    const d = this.backendSampler.sample();
    this.backendCommits.add(start, d, this.pendingPuts, reason);
    this.pendingPuts = 0;
    this.backendFreeNs = start + d;
    if (reason === BackendCommitReason.interval) this.timerResetNs = start + d;
  }
}

function validate(c: EtcdConfig): void {
  const bad = (what: string, v: unknown): never => {
    throw new RangeError(`etcd config: ${what} must be a non-negative integer, got ${String(v)}`);
  };
  if (!Number.isInteger(c.members) || c.members < 1) {
    throw new RangeError(`etcd config: members must be a positive integer, got ${c.members}`);
  }
  if (!Number.isInteger(c.cpus) || c.cpus < 1) {
    throw new RangeError(`etcd config: cpus must be a positive integer, got ${c.cpus}`);
  }
  const ints: [string, number][] = [
    ["requestCpuNs", c.requestCpuNs],
    ["peerMessageCpuNs", c.peerMessageCpuNs],
    ["readyCpuNs", c.readyCpuNs],
    ["entryCpuNs", c.entryCpuNs],
    ["applyCpuNs", c.applyCpuNs],
    ["benchmarkClientCpuNs", c.benchmarkClientCpuNs],
    ["backendBatchLimit", c.backendBatchLimit],
    ["snapshotCount", c.snapshotCount],
    ["maxApplyLag", c.maxApplyLag],
  ];
  for (const [k, v] of ints) if (!Number.isInteger(v) || v < 0) bad(k, v);
  if (!Number.isInteger(c.backendBatchIntervalNs) || c.backendBatchIntervalNs < 1) {
    throw new RangeError(`etcd config: backendBatchIntervalNs must be a positive integer`);
  }
  if (!(c.walWriteBandwidth > 0)) {
    throw new RangeError(`etcd config: walWriteBandwidth must be positive, got ${c.walWriteBandwidth}`);
  }
  if (!(c.maxRequestBytes >= 0)) bad("maxRequestBytes", c.maxRequestBytes);
}
