import type { DistSpec } from "../../core/distributions.js";
import { DEFAULT_ETCD_CONFIG } from "../../etcd/etcd-config.js";
import type { YamlReader } from "../yaml-reader.js";

/** etcd as a scenario sets it (`controlPlane.etcd`); the rest of EtcdConfig keeps etcd's defaults. */
export interface EtcdSpec {
  members: number;
  peerRtt: DistSpec;
  walFsync: DistSpec;
  /** Serial apply cost per committed entry (MVCC put): what caps write throughput. */
  applyNs: number;
  /** One bbolt transaction commit. */
  backendCommit: DistSpec;
  /** --backend-batch-interval and --backend-batch-limit. */
  backendBatchIntervalNs: number;
  backendBatchLimit: number;
}

/** model: the calibrated 3-member SSD cluster of src/etcd/etcd-config.ts (each field cited there). */
export const ETCD_DEFAULTS: EtcdSpec = {
  members: DEFAULT_ETCD_CONFIG.members,
  peerRtt: DEFAULT_ETCD_CONFIG.peerRtt,
  walFsync: DEFAULT_ETCD_CONFIG.walFsync,
  applyNs: DEFAULT_ETCD_CONFIG.applyNs,
  backendCommit: DEFAULT_ETCD_CONFIG.backendCommit,
  backendBatchIntervalNs: DEFAULT_ETCD_CONFIG.backendBatchIntervalNs,
  backendBatchLimit: DEFAULT_ETCD_CONFIG.backendBatchLimit,
};

export function readEtcd(e: YamlReader): EtcdSpec {
  const D = ETCD_DEFAULTS;
  e.object([
    "members",
    "peerRtt",
    "walFsync",
    "applyCost",
    "backendCommit",
    "backendBatchInterval",
    "backendBatchLimit",
  ]);
  const members = e.get("members").int({ min: 1, max: 7, default: D.members });
  if (members % 2 === 0) e.get("members").fail("an odd number of members (1, 3, 5 or 7)");
  return {
    members,
    peerRtt: e.get("peerRtt").dist({ default: D.peerRtt }),
    walFsync: e.get("walFsync").dist({ default: D.walFsync }),
    applyNs: e.get("applyCost").duration({ min: 0, default: D.applyNs }),
    backendCommit: e.get("backendCommit").dist({ default: D.backendCommit }),
    backendBatchIntervalNs: e.get("backendBatchInterval").duration({ min: 1, default: D.backendBatchIntervalNs }),
    backendBatchLimit: e.get("backendBatchLimit").int({ min: 1, default: D.backendBatchLimit }),
  };
}
