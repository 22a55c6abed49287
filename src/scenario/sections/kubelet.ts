import { lognormal, type DistSpec } from "../../core/distributions.js";
import { NS_PER } from "../../core/time.js";
import type { YamlReader } from "../yaml-reader.js";
import type { ClientLimits } from "./controller-manager.js";

/** Every node's kubelet (`kubelet`). */
export interface KubeletSpec extends ClientLimits {
  sandbox: DistSpec;
  cni: DistSpec;
  containerStart: DistSpec;
  plegRelistPeriod: number;
  serializeImagePulls: boolean;
}

const { ms, s } = NS_PER;

export const KUBELET_DEFAULTS: KubeletSpec = {
  // model: pkg/kubelet/apis/config/v1beta1/defaults.go kubeAPIQPS 50, kubeAPIBurst 100.
  qps: 50,
  burst: 100,
  // model: (anecdote) RunPodSandbox with a cached pause image: a few hundred ms under load.
  sandbox: lognormal(150 * ms, 600 * ms),
  // model: (anecdote, CALIBRATION.md) CNI ADD ~0.3 s per pod for an eBPF dataplane under load.
  cni: lognormal(250 * ms, 900 * ms),
  // model: (anecdote) create + start of a container from a present image.
  containerStart: lognormal(100 * ms, 500 * ms),
  // model: pkg/kubelet/kubelet.go genericPlegRelistPeriod = 1 s.
  plegRelistPeriod: 1 * s,
  // model: kubelet config serializeImagePulls defaults to true.
  serializeImagePulls: true,
};

export function readKubelet(k: YamlReader): KubeletSpec {
  const D = KUBELET_DEFAULTS;
  k.object(["qps", "burst", "sandbox", "cni", "containerStart", "plegRelistPeriod", "serializeImagePulls"]);
  return {
    qps: k.get("qps").num({ min: 0.001, default: D.qps }),
    burst: k.get("burst").int({ min: 1, default: D.burst }),
    sandbox: k.get("sandbox").dist({ default: D.sandbox }),
    cni: k.get("cni").dist({ default: D.cni }),
    containerStart: k.get("containerStart").dist({ default: D.containerStart }),
    plegRelistPeriod: k.get("plegRelistPeriod").duration({ min: 1, default: D.plegRelistPeriod }),
    serializeImagePulls: k.get("serializeImagePulls").bool({ default: D.serializeImagePulls }),
  };
}
