import { connect, constants, type ClientHttp2Session } from "node:http2";

/**
 * A minimal etcd v3 KV.Put client over Node's own HTTP/2, for measuring a real etcd from a
 * development script without a gRPC dependency. Only what the load tool needs: unary Put with a
 * key and a value, success judged by the `grpc-status` trailer.
 *
 * Wire format (gRPC over HTTP/2, https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md):
 * POST /etcdserverpb.KV/Put, `content-type: application/grpc`, `te: trailers`; the body is one
 * length-prefixed message: a 0 byte (not compressed), a 4-byte big-endian length, then the
 * protobuf PutRequest. PutRequest (etcd api/etcdserverpb/rpc.proto): field 1 `key` (bytes),
 * field 2 `value` (bytes), both length-delimited (wire type 2), so their tags are 0x0a and 0x12.
 */
export class EtcdPutClient {
  readonly session: ClientHttp2Session;

  constructor(endpoint: string) {
    this.session = connect(endpoint);
    // A load client must not keep the process alive once its work is done.
    this.session.unref();
  }

  /** Puts `value` at `key`; resolves once etcd answered with grpc-status 0, rejects otherwise. */
  put(key: Buffer, value: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const stream = this.session.request({
        [constants.HTTP2_HEADER_METHOD]: "POST",
        [constants.HTTP2_HEADER_PATH]: "/etcdserverpb.KV/Put",
        "content-type": "application/grpc",
        te: "trailers",
      });
      let status: string | undefined;
      stream.on("response", (headers) => {
        // A gRPC error without a body comes back as headers only ("trailers-only").
        const s = headers["grpc-status"];
        if (s !== undefined) status = String(s);
      });
      stream.on("trailers", (trailers) => {
        status = String(trailers["grpc-status"]);
      });
      stream.on("data", () => {});
      stream.on("error", reject);
      stream.on("close", () => {
        if (status === "0") resolve();
        else reject(new Error(`etcd Put failed: grpc-status ${status ?? "missing"}`));
      });
      stream.end(putFrame(key, value));
    });
  }

  close(): void {
    this.session.close();
  }
}

/** A gRPC length-prefixed message holding a PutRequest { key, value }. */
export function putFrame(key: Buffer, value: Buffer): Buffer {
  return grpcFrame(Buffer.concat([field(1, key), field(2, value)]));
}

/** A gRPC length-prefixed message: a 0 byte (not compressed), a 4-byte big-endian length, the body. */
export function grpcFrame(body: Buffer): Buffer {
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(body.length, 1);
  body.copy(frame, 5);
  return frame;
}

/** A length-delimited protobuf field: tag (number << 3 | 2), varint length, bytes. */
export function field(num: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(num << 3) | 2]), varint(bytes.length), bytes]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}
