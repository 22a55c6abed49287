import { hash } from "node:crypto";

const TWO_POW_53 = 2n ** 53n;

/**
 * Upstream's 64-bit flow identifier hash, as a BigInt.
 * model: staging/src/k8s.io/apiserver/pkg/util/flowcontrol/apf_controller.go `hashFlowID`:
 * SHA-256 over `flowSchemaName`, one zero byte, `flowDistinguisher`; the first 8 bytes of the
 * digest read little-endian.
 * Not for hot paths: call it once per flow (see classify.ts), not per request.
 * perf: one-shot `crypto.hash` over the joined string (the same UTF-8 bytes: the zero byte
 * separates the halves, so no surrogate pair can form across it) is about twice as fast as a
 * `createHash` object fed three times.
 */
export function hashFlowId(flowSchemaName: string, flowDistinguisher: string): bigint {
  return hash("sha256", `${flowSchemaName}\0${flowDistinguisher}`, "buffer").readBigUInt64LE(0);
}

/**
 * Folds a 64-bit hash into a `number` that deals the same hand: `hash mod period` when the
 * deal's period (see `Dealer.period`) is below 2^53 (true of every default level: 128 queues
 * with hands of 6 give about 3.9e12), else `hash mod 2^53` (then the hand differs from upstream's
 * but stays a valid, deterministic hand).
 */
export function foldHashForDeal(hash: bigint, period: bigint): number {
  const m = period > 0n && period <= TWO_POW_53 ? period : TWO_POW_53;
  return Number(hash % m);
}
