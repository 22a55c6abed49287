import { Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import type { RandomStreams } from "../core/random.js";
import { BackendCommitLog, BackendCommitReason } from "./backend-commit-log.js";
import { EtcdBatchLog } from "./batch-log.js";
import { EtcdError, type EtcdConfig } from "./etcd-config.js";
import { FloatColumn } from "./float-column.js";
import { ProposalRing } from "./proposal-ring.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** No backend commit is waiting for the batch-tx lock. */
const NO_WAITER = -1;

/**
 * An etcd v3.5 raft group of `members` voters, member 0 being the leader, as seen by its
 * clients: writes are proposed to the leader and, once committed and applied, answered with the
 * MVCC revision they created.
 *
 * What is modelled, stage by stage (each with its upstream source at the code):
 * 1. request: `requestNs` of per-request work (a pure delay), then `proposeNs` in the serial raft
 *    node goroutine, after which the entry is in the leader's log.
 * 2. group commit: the leader's raft loop handles one Ready at a time. A Ready takes every entry
 *    appended since the last one, sends it to followers and writes it to the WAL with one
 *    fdatasync; entries proposed meanwhile wait for the next Ready. Followers batch the same way
 *    and ack after their own fsync. An entry is committed once a quorum (leader included) holds
 *    it durably; etcdserver learns it from the next Ready the leader's loop takes.
 * 3. apply: committed entries are applied one at a time (`applyNs` each); each put gets the next
 *    revision and its reply fires. The bbolt backend commits every `backendBatchIntervalNs`, after
 *    `backendBatchLimit` puts or at a raft snapshot; a commit holds the batch-tx lock, so applies
 *    wait for it, but the raft/WAL path does not.
 * Not modelled: leader elections, heartbeats, flow-control limits (MaxInflightMsgs 512 and
 * MaxSizePerMsg 1 MiB are far above benchmark batches), WAL segment cuts, disk contention between
 * WAL and backend, follower apply (off the client's path).
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
  /** Per committed proposal, in revision order: reply time minus `propose` time, ns. */
  readonly commitLatencyNs = new FloatColumn(4096);
  /** Proposals refused with {@link EtcdError.RequestTooLarge}. */
  rejectedTooLarge = 0;
  /** Proposals refused with {@link EtcdError.TooManyRequests}. */
  rejectedTooManyRequests = 0;

  private readonly engine: Engine;
  private readonly name: string;
  private readonly members: number;
  private readonly quorum: number;
  private readonly fsync: Sampler[] = [];
  private readonly net: Sampler[] = [];
  private readonly backendSampler: Sampler;

  private readonly kAppend: EventKind;
  private readonly kLeaderSaved: EventKind;
  private readonly kMsgApp: EventKind;
  private readonly kFollowerSaved: EventKind;
  private readonly kMsgAppResp: EventKind;
  private readonly kApplied: EventKind;
  private readonly kBackendTimer: EventKind;
  private readonly kBackendCommitted: EventKind;

  // Proposals from acceptance to apply; sequence number = raft index.
  private readonly ring = new ProposalRing(1024);
  /** When the raft node goroutine finishes stepping the last accepted proposal. */
  private proposeFreeNs = 0;

  // Leader raft state.
  private lastIndex = 0;
  private unsavedBytes = 0;
  private leaderSaving = false;
  private savingUpTo = 0;
  private stableIndex = 0;
  private commitIdx = 0;
  private handedIndex = 0;
  private nextCommitRow = 0;

  // Followers, indexed by member (slot 0 unused). perf: typed columns, no object per member.
  private readonly match: Float64Array;
  private readonly fReceived: Float64Array;
  private readonly fPendingEntries: Float64Array;
  private readonly fPendingBytes: Float64Array;
  private readonly fSavingUpTo: Float64Array;
  private readonly fBusy: Uint8Array;
  /** Arrival time of the last message on the leader -> member link (TCP keeps order). */
  private readonly linkOut: Float64Array;
  /** Arrival time of the last message on the member -> leader link. */
  private readonly linkIn: Float64Array;
  private readonly scratch: Float64Array;

  // Apply loop and backend.
  private appliedIdx = 0;
  private applyBusy = false;
  private rev = 1;
  private pendingPuts = 0;
  private backendCommitting = false;
  private committingReason: BackendCommitReason = BackendCommitReason.interval;
  private backendWaiter: number = NO_WAITER;
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
    for (let m = 0; m < this.members; m++) {
      this.fsync.push(new Sampler(config.walFsync, random.stream(`${this.name}/${m}`)));
      this.net.push(new Sampler(config.peerRtt, random.stream(`${this.name}/${m}/net`)));
    }
    this.backendSampler = new Sampler(config.backendCommit, random.stream(`${this.name}/0/backend`));
    const n = this.members;
    this.match = new Float64Array(n);
    this.fReceived = new Float64Array(n);
    this.fPendingEntries = new Float64Array(n);
    this.fPendingBytes = new Float64Array(n);
    this.fSavingUpTo = new Float64Array(n);
    this.fBusy = new Uint8Array(n);
    this.linkOut = new Float64Array(n);
    this.linkIn = new Float64Array(n);
    this.scratch = new Float64Array(n);

    const p = this.name;
    this.kAppend = engine.register(`${p}.append`, () => this.onAppend());
    this.kLeaderSaved = engine.register(`${p}.leaderSaved`, () => this.onLeaderSaved());
    this.kMsgApp = engine.register(`${p}.msgApp`, (f, row) => this.onMsgApp(f, row));
    this.kFollowerSaved = engine.register(`${p}.followerSaved`, (f) => this.onFollowerSaved(f));
    this.kMsgAppResp = engine.register(`${p}.msgAppResp`, (f, index) => this.onMsgAppResp(f, index));
    this.kApplied = engine.register(`${p}.applied`, () => this.onApplied());
    this.kBackendTimer = engine.register(`${p}.backendTimer`, () => this.onBackendTimer());
    this.kBackendCommitted = engine.register(`${p}.backendCommitted`, () => this.onBackendCommitted());
  }

  /** The MVCC revision of the last applied write (1 for an empty store). */
  get revision(): number {
    return this.rev;
  }

  /** Raft commit index: the highest index a quorum holds durably. */
  get commitIndex(): number {
    return this.commitIdx;
  }

  /** Entries applied (= committed writes answered). */
  get appliedIndex(): number {
    return this.appliedIdx;
  }

  /** Entries in the leader's log (appended, durable or not). */
  get logIndex(): number {
    return this.lastIndex;
  }

  /**
   * Proposes a write of `bytes` (the marshalled request). When it is committed and applied,
   * `onCommit(requestId, revision)` fires; if refused it fires at once with a negative
   * {@link EtcdError} code. `requestId` must be an int32 (it travels as an event target).
   */
  propose(requestId: number, bytes: number, onCommit: EventKind): void {
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
      this.rejectedTooLarge++;
      engine.schedule(0, onCommit, requestId, EtcdError.RequestTooLarge);
      return;
    }
    if (this.handedIndex > this.appliedIdx + cfg.maxApplyLag) {
      this.rejectedTooManyRequests++;
      engine.schedule(0, onCommit, requestId, EtcdError.TooManyRequests);
      return;
    }
    const now = engine.now;
    this.ring.push(requestId, onCommit, bytes, now);
    // model: the request goroutine's work overlaps other requests (pure delay); the raft node
    // goroutine then steps proposals one at a time (go.etcd.io/raft node.go run: case <-propc).
    // Both costs are constants, so proposals reach the log in acceptance order.
    const ready = now + cfg.requestNs;
    const at = (ready > this.proposeFreeNs ? ready : this.proposeFreeNs) + cfg.proposeNs;
    this.proposeFreeNs = at;
    engine.scheduleAt(at, this.kAppend);
  }

  // ---- leader raft loop ------------------------------------------------------------------

  private onAppend(): void {
    const seq = ++this.lastIndex;
    this.unsavedBytes += this.ring.bytes[this.ring.slot(seq)]!;
    this.tryLeaderReady();
  }

  /**
   * model: server/etcdserver/raft.go raftNode.start: one `rd := <-r.Ready()` at a time. The
   * Ready hands committed entries to apply (r.applyc <- ap), sends the new entries to followers
   * (the leader sends before saving, raft thesis 10.2.1), then r.storage.Save (WAL append +
   * fdatasync) and r.Advance(). node.run offers no new Ready until Advance, so proposals that
   * arrive during the save wait for the next Ready: group commit.
   */
  private tryLeaderReady(): void {
    if (this.leaderSaving) return;
    // model: a Ready that carries only a commit-index change writes the HardState without
    // fsync (server/storage/wal/wal.go Save: raft.MustSync is false when no entries and the
    // term/vote are unchanged), so it costs no disk time here.
    if (this.handedIndex < this.commitIdx) this.handOff();
    const n = this.lastIndex - this.stableIndex;
    if (n <= 0) return;
    const cfg = this.config;
    const bytes = this.unsavedBytes;
    const fsyncNs = this.fsync[0]!.sample();
    const saveNs = n * cfg.walEncodeNsPerEntry + Math.round(bytes * cfg.walWriteNsPerByte) + fsyncNs;
    const row = this.batches.add(this.engine.now, this.stableIndex + 1, n, bytes, fsyncNs, saveNs);
    for (let f = 1; f < this.members; f++) this.send(0, f, this.kMsgApp, row);
    this.unsavedBytes = 0;
    this.leaderSaving = true;
    this.savingUpTo = this.lastIndex;
    this.engine.schedule(saveNs, this.kLeaderSaved);
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

  /** Marks entries up to the commit index as committed and hands them to the apply loop. */
  private handOff(): void {
    const c = this.commitIdx;
    this.handedIndex = c;
    const log = this.batches;
    const now = this.engine.now;
    let r = this.nextCommitRow;
    while (r < log.size && log.lastIndex(r) <= c) log.commitNs[r++] = now;
    this.nextCommitRow = r;
    this.startApply();
  }

  /** Commit index = the quorum-th highest durable index among members. */
  private updateCommit(): void {
    const n = this.members;
    const s = this.scratch;
    s[0] = this.stableIndex;
    for (let m = 1; m < n; m++) s[m] = this.match[m]!;
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
   * Sends one raft message from member `from` to member `to`, taking half a round-trip sample.
   * model: rafthttp streams each peer's messages over one long-lived HTTP connection, so
   * messages on a link arrive in the order sent (a later message never overtakes).
   */
  private send(from: number, to: number, kind: EventKind, arg: number): void {
    const engine = this.engine;
    const delay = Math.round(this.net[from]!.sample() / 2);
    const link = from === 0 ? this.linkOut : this.linkIn;
    const peer = from === 0 ? to : from;
    let at = engine.now + delay;
    if (at < link[peer]!) at = link[peer]!;
    link[peer] = at;
    engine.scheduleAt(at, kind, from === 0 ? to : from, arg);
  }

  private onMsgApp(f: number, row: number): void {
    const log = this.batches;
    this.fReceived[f] = log.lastIndex(row);
    this.fPendingEntries[f] = this.fPendingEntries[f]! + log.entries[row]!;
    this.fPendingBytes[f] = this.fPendingBytes[f]! + log.bytes[row]!;
    this.tryFollowerReady(f);
  }

  /**
   * model: raft.go raftNode.start on a follower: same one-Ready-at-a-time loop, but messages
   * (the MsgAppResp) are sent only after r.storage.Save returns; processMessages keeps only
   * the last MsgAppResp of a Ready, so one ack covers the whole batch.
   */
  private tryFollowerReady(f: number): void {
    if (this.fBusy[f] === 1) return;
    const n = this.fPendingEntries[f]!;
    if (n === 0) return;
    const cfg = this.config;
    const saveNs =
      n * cfg.walEncodeNsPerEntry +
      Math.round(this.fPendingBytes[f]! * cfg.walWriteNsPerByte) +
      this.fsync[f]!.sample();
    this.fSavingUpTo[f] = this.fReceived[f]!;
    this.fPendingEntries[f] = 0;
    this.fPendingBytes[f] = 0;
    this.fBusy[f] = 1;
    this.engine.schedule(saveNs, this.kFollowerSaved, f);
  }

  private onFollowerSaved(f: number): void {
    this.fBusy[f] = 0;
    this.send(f, 0, this.kMsgAppResp, this.fSavingUpTo[f]!);
    this.tryFollowerReady(f);
  }

  /** model: MsgAppResp is stepped by node.run at once, independent of the busy raft loop. */
  private onMsgAppResp(f: number, index: number): void {
    if (index > this.match[f]!) this.match[f] = index;
    const before = this.commitIdx;
    this.updateCommit();
    if (this.commitIdx > before) this.tryLeaderReady();
  }

  // ---- apply loop and bbolt backend ------------------------------------------------------

  /**
   * model: server/etcdserver/server.go run -> applyAll -> applyEntries applies entries one by
   * one in a FIFO scheduler; each put takes the backend batch-tx lock (mvcc txn write), so it
   * cannot run while a backend commit holds that lock, and a commit waiting for the lock gets
   * it when the current put releases it.
   */
  private startApply(): void {
    if (this.applyBusy || this.backendCommitting) return;
    if (this.backendWaiter !== NO_WAITER) {
      const reason = this.backendWaiter as BackendCommitReason;
      this.backendWaiter = NO_WAITER;
      if (this.pendingPuts > 0) {
        this.startBackendCommit(reason);
        return;
      }
      this.timerResetNs = this.engine.now;
    }
    if (this.appliedIdx >= this.handedIndex) return;
    this.applyBusy = true;
    this.engine.schedule(this.config.applyNs, this.kApplied);
  }

  private onApplied(): void {
    this.applyBusy = false;
    const ring = this.ring;
    const seq = ++this.appliedIdx;
    const s = ring.slot(seq);
    // model: mvcc/kvstore.go NewStore starts at currentRev = 1; each write txn that changes
    // something ends at currentRev+1 (kvstore_txn.go storeTxnWrite.End).
    const rev = ++this.rev;
    const engine = this.engine;
    this.commitLatencyNs.push(engine.now - ring.proposeNs[s]!);
    engine.schedule(0, ring.kind[s]! as EventKind, ring.requestId[s]!, rev);
    ring.release(seq);
    this.pendingPuts++;
    const cfg = this.config;
    // model: backend/batch_tx.go batchTxBuffered.Unlock commits in the applying goroutine once
    // pending >= batchLimit.
    if (this.pendingPuts >= cfg.backendBatchLimit) {
      this.startBackendCommit(BackendCommitReason.limit);
      return;
    }
    // model: server.go triggerSnapshot: once appliedi - snapi > SnapshotCount, snapshot() runs
    // s.KV().Commit(), a forced backend commit in the apply path.
    if (this.appliedIdx - this.snapshotIndex > cfg.snapshotCount) {
      this.snapshotIndex = this.appliedIdx;
      this.startBackendCommit(BackendCommitReason.snapshot);
      return;
    }
    this.armBackendTimer();
    this.startApply();
  }

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
    if (this.pendingPuts === 0 && !this.backendCommitting) {
      this.timerResetNs = this.engine.now;
      return;
    }
    if (this.applyBusy || this.backendCommitting) {
      this.backendWaiter = BackendCommitReason.interval;
      return;
    }
    this.startBackendCommit(BackendCommitReason.interval);
  }

  private startBackendCommit(reason: BackendCommitReason): void {
    const d = this.backendSampler.sample();
    this.backendCommits.add(this.engine.now, d, this.pendingPuts, reason);
    this.backendCommitting = true;
    this.committingReason = reason;
    this.engine.schedule(d, this.kBackendCommitted);
  }

  private onBackendCommitted(): void {
    this.backendCommitting = false;
    this.pendingPuts = 0;
    if (this.committingReason === BackendCommitReason.interval) this.timerResetNs = this.engine.now;
    this.startApply();
  }
}

function validate(c: EtcdConfig): void {
  const bad = (what: string, v: unknown): never => {
    throw new RangeError(`etcd config: ${what} must be a non-negative integer, got ${String(v)}`);
  };
  if (!Number.isInteger(c.members) || c.members < 1) {
    throw new RangeError(`etcd config: members must be a positive integer, got ${c.members}`);
  }
  const ints: [string, number][] = [
    ["walEncodeNsPerEntry", c.walEncodeNsPerEntry],
    ["requestNs", c.requestNs],
    ["proposeNs", c.proposeNs],
    ["applyNs", c.applyNs],
    ["backendBatchLimit", c.backendBatchLimit],
    ["snapshotCount", c.snapshotCount],
    ["maxApplyLag", c.maxApplyLag],
  ];
  for (const [k, v] of ints) if (!Number.isInteger(v) || v < 0) bad(k, v);
  if (!Number.isInteger(c.backendBatchIntervalNs) || c.backendBatchIntervalNs < 1) {
    throw new RangeError(`etcd config: backendBatchIntervalNs must be a positive integer`);
  }
  if (!(c.walWriteNsPerByte >= 0)) bad("walWriteNsPerByte", c.walWriteNsPerByte);
  if (!(c.maxRequestBytes >= 0)) bad("maxRequestBytes", c.maxRequestBytes);
}
