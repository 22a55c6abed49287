import { quantile, walFsync } from "./cluster.js";
import { EtcdPutClient } from "./grpc-put.js";

/**
 * The load of etcd's own `benchmark put` (https://etcd.io/docs/v3.4/op-guide/performance/):
 * 8-byte sequential keys, 256-byte values, `clients` closed-loop clients over min(clients, 100)
 * connections to `url`. Development tool, not runtime code, shared by measure.ts and
 * member-cpu.ts.
 */
const VALUE = Buffer.alloc(256, 0x61);

export interface ClosedLoopResult {
  opsPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** The leader's (`url`'s) WAL fsyncs in the window, their mean duration and the puts per fsync. */
  fsyncs: number;
  fsyncMeanMs: number;
  putsPerFsync: number;
  /** Puts answered in the window. */
  puts: number;
  /** The window's length, s. */
  elapsedS: number;
  /** The next key to use. */
  keys: number;
  /** The change of each of `readCounters`' values over the window. */
  counters: number[];
}

/**
 * `clients` closed-loop clients putting for `seconds` after a 1 s warm-up; `readCounters`, when
 * given, is read as the measured window opens and as it closes.
 */
export async function closedLoop(
  url: string,
  clients: number,
  seconds: number,
  keyBase: number,
  readCounters: () => Promise<number[]> = async () => [],
): Promise<ClosedLoopResult> {
  const conns = Array.from({ length: Math.min(clients, 100) }, () => new EtcdPutClient(url));
  const lat: number[] = [];
  let next = keyBase;
  let measuring = false;
  let stop = false;
  const key = Buffer.alloc(8);
  const one = async (c: EtcdPutClient) => {
    while (!stop) {
      const k = Buffer.from(key);
      k.writeBigUInt64BE(BigInt(next++));
      const s = performance.now();
      await c.put(k, VALUE);
      if (measuring) lat.push(performance.now() - s);
    }
  };
  const workers = Array.from({ length: clients }, (_, i) => one(conns[i % conns.length]!));
  await new Promise((r) => setTimeout(r, 1000));
  const [before, countersBefore] = await Promise.all([walFsync(url), readCounters()]);
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsedS = (performance.now() - t0) / 1000;
  const [after, countersAfter] = await Promise.all([walFsync(url), readCounters()]);
  stop = true;
  await Promise.all(workers);
  for (const c of conns) c.close();
  const sorted = Float64Array.from(lat).sort();
  const fsyncs = after.count - before.count;
  return {
    opsPerS: lat.length / elapsedS,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    fsyncs,
    fsyncMeanMs: fsyncs > 0 ? ((after.sum - before.sum) * 1000) / fsyncs : Number.NaN,
    putsPerFsync: fsyncs > 0 ? lat.length / fsyncs : Number.NaN,
    puts: lat.length,
    elapsedS,
    keys: next,
    counters: countersAfter.map((v, i) => v - countersBefore[i]!),
  };
}
