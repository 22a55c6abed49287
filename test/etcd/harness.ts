import { constant } from "../../src/core/distributions.js";
import { Engine, type EventKind } from "../../src/core/engine.js";
import { RandomStreams } from "../../src/core/random.js";
import { EtcdCluster } from "../../src/etcd/etcd-cluster.js";
import { DEFAULT_ETCD_CONFIG, type EtcdConfig } from "../../src/etcd/etcd-config.js";

/** A config with every latency constant and every CPU cost zero, for closed-form checks. */
export function idealConfig(over: Partial<EtcdConfig> = {}): EtcdConfig {
  return {
    ...DEFAULT_ETCD_CONFIG,
    peerRtt: constant(0),
    walFsync: constant(1_000_000),
    walWriteBandwidth: Number.POSITIVE_INFINITY,
    requestCpuNs: 0,
    peerMessageCpuNs: 0,
    readyCpuNs: 0,
    entryCpuNs: 0,
    applyCpuNs: 0,
    benchmarkClientCpuNs: 0,
    backendCommit: constant(0),
    ...over,
  };
}

/** Replies as fired, in firing order. */
export interface Replies {
  requestId: number[];
  revision: number[];
  atNs: number[];
}

/** An engine, a cluster and an event kind that records every `onCommit` it receives. */
export function makeCluster(config: EtcdConfig, seed = 1) {
  const engine = new Engine();
  const cluster = new EtcdCluster(engine, new RandomStreams(seed), config);
  const replies: Replies = { requestId: [], revision: [], atNs: [] };
  const onCommit: EventKind = engine.register("test.onCommit", (id, rev) => {
    replies.requestId.push(id);
    replies.revision.push(rev);
    replies.atNs.push(engine.now);
  });
  return { engine, cluster, replies, onCommit };
}
