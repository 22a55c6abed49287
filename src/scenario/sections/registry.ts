import type { YamlReader } from "../yaml-reader.js";

/** The shared image registry and node NICs (`registry`). */
export interface RegistrySpec {
  /** Aggregate bandwidth of the shared registry, bytes/s. */
  bandwidth: number;
  /** Each node's download bandwidth, bytes/s. */
  perNodeBandwidth: number;
}

export const REGISTRY_DEFAULTS: RegistrySpec = {
  // model: (assumed) a registry mirror serving 10 Gbps, nodes with 1 Gbps NICs.
  bandwidth: 10e9 / 8,
  perNodeBandwidth: 1e9 / 8,
};

export function readRegistry(reg: YamlReader): RegistrySpec {
  reg.object(["bandwidth", "perNodeBandwidth"]);
  return {
    bandwidth: reg.get("bandwidth").bandwidth({ default: REGISTRY_DEFAULTS.bandwidth }),
    perNodeBandwidth: reg.get("perNodeBandwidth").bandwidth({ default: REGISTRY_DEFAULTS.perNodeBandwidth }),
  };
}
