import { DEFAULT_ETCD_CONFIG, type EtcdConfig } from "../../etcd/etcd-config.js";
import type { YamlReader } from "../yaml-reader.js";

/**
 * etcd as a scenario sets it (`controlPlane.etcd`, or `etcd:` of an etcd benchmark); the upstream
 * limits of EtcdConfig (snapshot count, request size, apply lag) keep etcd's defaults.
 */
export type EtcdSpec = Omit<EtcdConfig, "name" | "snapshotCount" | "maxRequestBytes" | "maxApplyLag">;

/** The YAML key of each {@link EtcdSpec} field, in the order `simctl calibrate` writes them. */
export const ETCD_KEYS = {
  members: "members",
  cpus: "cpus",
  colocated: "colocated",
  peerRtt: "peerRtt",
  walFsync: "walFsync",
  walWriteBandwidth: "walWriteBandwidth",
  requestCpuNs: "requestCost",
  peerMessageCpuNs: "peerMessageCost",
  readyCpuNs: "readyCost",
  entryCpuNs: "entryCost",
  applyCpuNs: "applyCost",
  benchmarkClientCpuNs: "benchmarkClientCost",
  benchmarkClientThreads: "benchmarkClientThreads",
  backendCommit: "backendCommit",
  backendBatchIntervalNs: "backendBatchInterval",
  backendBatchLimit: "backendBatchLimit",
} as const satisfies Record<keyof EtcdSpec, string>;

/** model: the 3-member cluster of src/etcd/etcd-config.ts (each field cited there). */
export const ETCD_DEFAULTS: EtcdSpec = {
  members: DEFAULT_ETCD_CONFIG.members,
  cpus: DEFAULT_ETCD_CONFIG.cpus,
  colocated: DEFAULT_ETCD_CONFIG.colocated,
  peerRtt: DEFAULT_ETCD_CONFIG.peerRtt,
  walFsync: DEFAULT_ETCD_CONFIG.walFsync,
  walWriteBandwidth: DEFAULT_ETCD_CONFIG.walWriteBandwidth,
  requestCpuNs: DEFAULT_ETCD_CONFIG.requestCpuNs,
  peerMessageCpuNs: DEFAULT_ETCD_CONFIG.peerMessageCpuNs,
  readyCpuNs: DEFAULT_ETCD_CONFIG.readyCpuNs,
  entryCpuNs: DEFAULT_ETCD_CONFIG.entryCpuNs,
  applyCpuNs: DEFAULT_ETCD_CONFIG.applyCpuNs,
  benchmarkClientCpuNs: DEFAULT_ETCD_CONFIG.benchmarkClientCpuNs,
  benchmarkClientThreads: DEFAULT_ETCD_CONFIG.benchmarkClientThreads,
  backendCommit: DEFAULT_ETCD_CONFIG.backendCommit,
  backendBatchIntervalNs: DEFAULT_ETCD_CONFIG.backendBatchIntervalNs,
  backendBatchLimit: DEFAULT_ETCD_CONFIG.backendBatchLimit,
};

/** A CPU cost per unit of work: a duration of one core's time, at most 1 s. */
const COST = { min: 0, max: 1_000_000_000 };

/**
 * Reads an etcd mapping. Keys left out take `base`'s values (the defaults unless a caller, such
 * as `simctl calibrate --fixed`, passes others).
 */
export function readEtcd(e: YamlReader, base: EtcdSpec = ETCD_DEFAULTS): EtcdSpec {
  const D = base;
  const K = ETCD_KEYS;
  e.object(Object.values(K));
  const members = e.get(K.members).int({ min: 1, max: 7, default: D.members });
  if (members % 2 === 0) e.get(K.members).fail("an odd number of members (1, 3, 5 or 7)");
  return {
    members,
    cpus: e.get(K.cpus).int({ min: 1, max: 1024, default: D.cpus }),
    colocated: e.get(K.colocated).bool({ default: D.colocated }),
    peerRtt: e.get(K.peerRtt).dist({ default: D.peerRtt }),
    walFsync: e.get(K.walFsync).dist({ default: D.walFsync }),
    walWriteBandwidth: e.get(K.walWriteBandwidth).bandwidth({ default: D.walWriteBandwidth }),
    requestCpuNs: e.get(K.requestCpuNs).duration({ ...COST, default: D.requestCpuNs }),
    peerMessageCpuNs: e.get(K.peerMessageCpuNs).duration({ ...COST, default: D.peerMessageCpuNs }),
    readyCpuNs: e.get(K.readyCpuNs).duration({ ...COST, default: D.readyCpuNs }),
    entryCpuNs: e.get(K.entryCpuNs).duration({ ...COST, default: D.entryCpuNs }),
    applyCpuNs: e.get(K.applyCpuNs).duration({ ...COST, default: D.applyCpuNs }),
    benchmarkClientCpuNs: e.get(K.benchmarkClientCpuNs).duration({ ...COST, default: D.benchmarkClientCpuNs }),
    benchmarkClientThreads: e
      .get(K.benchmarkClientThreads)
      .int({ min: 0, max: 1024, default: D.benchmarkClientThreads }),
    backendCommit: e.get(K.backendCommit).dist({ default: D.backendCommit }),
    backendBatchIntervalNs: e.get(K.backendBatchIntervalNs).duration({ min: 1, default: D.backendBatchIntervalNs }),
    backendBatchLimit: e.get(K.backendBatchLimit).int({ min: 1, default: D.backendBatchLimit }),
  };
}

/** The {@link EtcdSpec} fields a mapping sets (for `simctl calibrate --fixed`). */
export function etcdKeysPresent(e: YamlReader): (keyof EtcdSpec)[] {
  return (Object.keys(ETCD_KEYS) as (keyof EtcdSpec)[]).filter((k) => e.has(ETCD_KEYS[k]));
}
