import { createHash } from "node:crypto";

const TWO_POW_53 = 2n ** 53n;

/**
 * Upstream's 64-bit flow identifier hash, as a BigInt.
 * model: staging/src/k8s.io/apiserver/pkg/util/flowcontrol/apf_controller.go `hashFlowID`:
 * SHA-256 over `flowSchemaName`, one zero byte, `flowDistinguisher`; the first 8 bytes of the
 * digest read little-endian.
 * Not for hot paths: call it once per client (classification), not per request.
 */
export function hashFlowId(flowSchemaName: string, flowDistinguisher: string): bigint {
  const h = createHash("sha256");
  h.update(flowSchemaName, "utf8");
  h.update(Buffer.of(0));
  h.update(flowDistinguisher, "utf8");
  return h.digest().readBigUInt64LE(0);
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
