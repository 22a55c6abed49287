import { constant, type DistSpec } from "../../core/distributions.js";
import type { YamlReader } from "../yaml-reader.js";

/** The shared image registry and node NICs (`registry`). */
export interface RegistrySpec {
  /** Aggregate bandwidth of the shared registry, bytes/s. */
  bandwidth: number;
  /** Each node's download bandwidth, bytes/s. */
  perNodeBandwidth: number;
  /** Blob requests the registry serves at once (later ones queue FIFO); null: no limit. */
  maxConcurrentRequests: number | null;
  /** Time from the start of a pull to its first layer request (resolve, manifest, config). */
  manifestLatency: DistSpec;
}

/** The registry section's defaults (assumptions, cited per field). */
export const REGISTRY_DEFAULTS: RegistrySpec = {
  // model: (assumed) a registry mirror serving 10 Gbps, nodes with 1 Gbps NICs.
  bandwidth: 10e9 / 8,
  perNodeBandwidth: 1e9 / 8,
  // model: (assumed) no request limit unless the scenario models the registry's workers.
  maxConcurrentRequests: null,
  // model: no upstream or calibration figure; 0 until measured for the registry in question
  // (see src/node/image-puller.ts ImagePullerConfig.manifestLatency).
  manifestLatency: constant(0),
};

/** Reads `registry:`; every key is optional. */
export function readRegistry(reg: YamlReader): RegistrySpec {
  const D = REGISTRY_DEFAULTS;
  reg.object(["bandwidth", "perNodeBandwidth", "maxConcurrentRequests", "manifestLatency"]);
  return {
    bandwidth: reg.get("bandwidth").bandwidth({ default: D.bandwidth }),
    perNodeBandwidth: reg.get("perNodeBandwidth").bandwidth({ default: D.perNodeBandwidth }),
    maxConcurrentRequests: reg.has("maxConcurrentRequests")
      ? reg.get("maxConcurrentRequests").int({ min: 1 })
      : D.maxConcurrentRequests,
    manifestLatency: reg.get("manifestLatency").dist({ default: D.manifestLatency }),
  };
}
