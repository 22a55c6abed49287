import type { YamlReader } from "../yaml-reader.js";
import { readPolicyHead } from "./policy-head.js";

/** One autoscaling/v2 HPAScalingPolicy. */
export interface HpaScalingPolicy {
  type: "Pods" | "Percent";
  value: number;
  periodSeconds: number;
}

/**
 * autoscaling/v2 HPAScalingRules with the API's defaults filled in (defaults.go
 * GenerateHPAScaleUpRules / GenerateHPAScaleDownRules). `stabilizationWindowSeconds` undefined
 * on scale-down means the controller's --horizontal-pod-autoscaler-downscale-stabilization.
 */
export interface HpaScalingRules {
  stabilizationWindowSeconds: number | undefined;
  selectPolicy: "Max" | "Min" | "Disabled";
  policies: readonly HpaScalingPolicy[];
}

/** A Resource cpu metric target: a utilization of the requests (percent) or an average usage (milli-CPU). */
export type HpaMetric = { type: "Utilization"; averageUtilization: number } | { type: "AverageValue"; milli: number };

/** An autoscaling/v2 HorizontalPodAutoscaler, defaults applied (pkg/apis/autoscaling/v2/defaults.go). */
export interface HpaSpec {
  name: string;
  namespace: string;
  /** spec.scaleTargetRef.name: a Deployment of the workload. */
  target: string;
  minReplicas: number;
  maxReplicas: number;
  metrics: readonly HpaMetric[];
  /** spec.behavior with every nil filled in; undefined when absent (the controller's older normalization then applies). */
  behavior: { scaleUp: HpaScalingRules; scaleDown: HpaScalingRules } | undefined;
}

// model: pkg/apis/autoscaling/v2/defaults.go: scale up by max(4 pods, 100%) per 15 s with no
// stabilization; scale down by 100% per 15 s after the controller's stabilization window.
export const DEFAULT_SCALE_UP: HpaScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [
    { type: "Pods", value: 4, periodSeconds: 15 },
    { type: "Percent", value: 100, periodSeconds: 15 },
  ],
};
export const DEFAULT_SCALE_DOWN: HpaScalingRules = {
  stabilizationWindowSeconds: undefined,
  selectPolicy: "Max",
  policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
};

/** model: autoscaling.DefaultCPUUtilization, the metric of an HPA that names none. */
const DEFAULT_CPU_UTILIZATION = 80;
/** model: validation.go MaxPeriodSeconds and MaxStabilizationWindowSeconds. */
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const INT32_MAX = 2_147_483_647;

/**
 * Reads an autoscaling/v2 HorizontalPodAutoscaler. Only what the simulation drives is accepted:
 * a Deployment target and Resource metrics of cpu (the scenario's load curves give CPU);
 * anything else is a located error, so nothing the user wrote is silently dropped.
 */
export function readHorizontalPodAutoscaler(r: YamlReader): HpaSpec {
  const { name, namespace } = readPolicyHead(
    r,
    "HorizontalPodAutoscaler",
    /^autoscaling\/v2$/,
    '"autoscaling/v2"',
    true,
  );
  const spec = r.get("spec");
  spec.object(["scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"]);
  const ref = spec.get("scaleTargetRef");
  ref.object(["apiVersion", "kind", "name"]);
  ref.get("apiVersion").str({ pattern: /^apps\/v1$/, expected: '"apps/v1" (a Deployment: the target simulated)' });
  ref.get("kind").str({ pattern: /^Deployment$/, expected: '"Deployment" (the target kind simulated)' });
  const target = ref.get("name").str({ expected: "the target Deployment's name" });
  // model: validation.go: minReplicas >= 1 (0 needs the alpha HPAScaleToZero gate), maxReplicas >= minReplicas.
  const minReplicas = spec.get("minReplicas").int({ min: 1, max: INT32_MAX, default: 1 });
  const maxR = spec.get("maxReplicas");
  if (!maxR.present) maxR.fail("spec.maxReplicas (required)");
  const maxReplicas = maxR.present ? maxR.int({ min: Math.max(1, minReplicas), max: INT32_MAX }) : minReplicas;
  const metrics: HpaMetric[] = spec
    .get("metrics")
    .list("a list of metric specs")
    .map((m) => readMetric(m));
  if (metrics.length === 0) metrics.push({ type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION });
  const b = spec.get("behavior");
  let behavior: HpaSpec["behavior"];
  if (b.present) {
    b.object(["scaleUp", "scaleDown"]);
    behavior = {
      scaleUp: readRules(b.get("scaleUp"), DEFAULT_SCALE_UP),
      scaleDown: readRules(b.get("scaleDown"), DEFAULT_SCALE_DOWN),
    };
  }
  return { name, namespace, target, minReplicas, maxReplicas, metrics, behavior };
}

function readMetric(m: YamlReader): HpaMetric {
  m.object(["type", "resource"]);
  m.get("type").str({
    pattern: /^Resource$/,
    expected: '"Resource" (Pods, Object, External and ContainerResource metrics are not simulated)',
  });
  const res = m.get("resource");
  res.object(["name", "target"]);
  res.get("name").str({ pattern: /^cpu$/, expected: '"cpu" (the scenario\'s load curves give CPU usage only)' });
  const t = res.get("target");
  t.object(["type", "averageUtilization", "averageValue"]);
  const type = t.get("type").oneOf(["Utilization", "AverageValue"] as const);
  if (type === "Utilization") {
    if (t.has("averageValue")) t.get("averageValue").fail("no averageValue with target type Utilization");
    return { type, averageUtilization: t.get("averageUtilization").int({ min: 1, max: INT32_MAX }) };
  }
  if (t.has("averageUtilization"))
    t.get("averageUtilization").fail("no averageUtilization with target type AverageValue");
  return { type, milli: Math.round(t.get("averageValue").quantity({ min: 0.001 }) * 1000) };
}

function readRules(r: YamlReader, defaults: HpaScalingRules): HpaScalingRules {
  if (!r.present) return defaults;
  r.object(["stabilizationWindowSeconds", "selectPolicy", "policies"]);
  const w = r.get("stabilizationWindowSeconds");
  const policies = r
    .get("policies")
    .list("a list of scaling policies")
    .map((p): HpaScalingPolicy => {
      p.object(["type", "value", "periodSeconds"]);
      return {
        type: p.get("type").oneOf(["Pods", "Percent"] as const),
        value: p.get("value").int({ min: 1, max: INT32_MAX }),
        periodSeconds: p.get("periodSeconds").int({ min: 1, max: MAX_PERIOD_SECONDS }),
      };
    });
  return {
    stabilizationWindowSeconds: w.present
      ? w.int({ min: 0, max: MAX_STABILIZATION_WINDOW_SECONDS })
      : defaults.stabilizationWindowSeconds,
    selectPolicy: r.get("selectPolicy").oneOf(["Max", "Min", "Disabled"] as const, { default: defaults.selectPolicy }),
    policies: policies.length > 0 ? policies : defaults.policies,
  };
}
