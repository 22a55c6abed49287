import { Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import type { Storage } from "../apiserver/api-server.js";
import type { EtcdSpec } from "../scenario/types.js";

/** TEMPORARY: replaced by EtcdCluster at integration. */
export function createStorage(engine: Engine, random: RandomStreams, spec: EtcdSpec): Storage {
  const rtt = new Sampler(spec.peerRtt, random.stream("etcd/rtt"));
  const fsync = new Sampler(spec.walFsync, random.stream("etcd/fsync"));
  let rev = 1;
  let last = 0;
  return {
    propose(req: number, _bytes: number, onCommit: EventKind) {
      const t = Math.max(last, engine.now + rtt.sample() + fsync.sample());
      last = t;
      engine.scheduleAt(t, onCommit, req, ++rev);
    },
  };
}
