import { constants, type ClientHttp2Session } from "node:http2";
import { field, grpcFrame } from "./grpc-put.js";

/**
 * A minimal etcd v3 Watch client over Node's own HTTP/2, the companion of grpc-put.ts: one watch
 * on a key prefix, handing the key of every event it receives to a callback. Development tool,
 * not runtime code.
 *
 * Wire format (etcd api/etcdserverpb/rpc.proto, api/mvccpb/kv.proto): Watch is a bidirectional
 * stream, POST /etcdserverpb.Watch/Watch; the client sends one WatchRequest whose field 1 is a
 * WatchCreateRequest { key = 1, range_end = 2 } and keeps its side open. Each WatchResponse
 * carries its events in field 11; an Event's kv is field 2, and a KeyValue's key is field 1.
 * A prefix watch's range_end is the prefix with its last byte incremented (clientv3 GetPrefixRangeEnd).
 */
export function watchPrefix(session: ClientHttp2Session, prefix: Buffer, onKey: (key: Buffer) => void): () => void {
  const rangeEnd = Buffer.from(prefix);
  rangeEnd[rangeEnd.length - 1]!++;
  const stream = session.request({
    [constants.HTTP2_HEADER_METHOD]: "POST",
    [constants.HTTP2_HEADER_PATH]: "/etcdserverpb.Watch/Watch",
    "content-type": "application/grpc",
    te: "trailers",
  });
  stream.write(grpcFrame(field(1, Buffer.concat([field(1, prefix), field(2, rangeEnd)]))));
  let pending: Buffer = Buffer.alloc(0);
  stream.on("data", (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    // Messages are length-prefixed and may span or share DATA frames.
    while (pending.length >= 5) {
      const len = pending.readUInt32BE(1);
      if (pending.length < 5 + len) break;
      const msg = pending.subarray(5, 5 + len);
      pending = pending.subarray(5 + len);
      // WatchResponse.events (11) -> Event.kv (2) -> KeyValue.key (1).
      for (const event of fields(msg, 11)) {
        for (const kv of fields(event, 2)) {
          for (const key of fields(kv, 1)) onKey(key);
        }
      }
    }
  });
  stream.on("error", () => {});
  return () => stream.close();
}

/** The values of length-delimited field `num` in protobuf message `msg`, other fields skipped. */
function* fields(msg: Buffer, num: number): Generator<Buffer> {
  let i = 0;
  while (i < msg.length) {
    let tag: number;
    [tag, i] = varint(msg, i);
    const wire = tag & 7;
    if (wire === 0) [, i] = varint(msg, i);
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      let len: number;
      [len, i] = varint(msg, i);
      if (tag >>> 3 === num) yield msg.subarray(i, i + len);
      i += len;
    } else throw new Error(`protobuf wire type ${wire} not expected in a WatchResponse`);
  }
}

/** A varint at `i`: its value (up to 2^53) and the index after it. */
function varint(b: Buffer, i: number): [number, number] {
  let v = 0;
  let scale = 1;
  for (;;) {
    const byte = b[i++]!;
    v += (byte & 0x7f) * scale;
    if (byte < 0x80) return [v, i];
    scale *= 128;
  }
}
