/**
 * Resource columns. CPU is integer milli-cores, memory and ephemeral storage integer bytes,
 * pods a count; extended resources (`nvidia.com/gpu`) follow in the order a scenario names them.
 * Integer arithmetic throughout, so float drift can never flip a fit decision.
 */
export const Res = { cpu: 0, memory: 1, pods: 2, ephemeralStorage: 3 } as const;
/** Number of built-in resource columns; extended resources start at this index. */
export const BUILTIN_RESOURCES = 4;
export const BUILTIN_RESOURCE_NAMES = ["cpu", "memory", "pods", "ephemeral-storage"] as const;

const BINARY_SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL_SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY_RE =
  /^([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(e[+-]?[0-9]+)|(n|u|m|k|M|G|T|P|E)?)$/;

/**
 * Parses a Kubernetes resource.Quantity (`500m`, `2`, `1.5Gi`, `128974848`, `129e6`, `123Mi`) into
 * its value in base units. Returns undefined for text that is not a quantity.
 * model: apimachinery pkg/api/resource/quantity.go suffixes: binary SI (Ki..Ei), decimal SI
 * (n, u, m, "", k, M, G, T, P, E) and decimal exponents (e3, E3 is the exa suffix).
 */
export function parseQuantity(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) ? text : undefined;
  const m = QUANTITY_RE.exec(text.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  if (m[2] !== undefined) return n * BINARY_SUFFIX[m[2]]!;
  if (m[3] !== undefined) return n * 10 ** Number(m[3].slice(1));
  return n * DECIMAL_SUFFIX[m[4] ?? ""]!;
}

/**
 * Converts a quantity to the integer unit its column stores: milli for cpu, whole units
 * otherwise, rounding up as Kubernetes does for `Value()` / `MilliValue()`.
 */
export function quantityToColumnUnit(resource: number, value: number): number {
  return resource === Res.cpu ? Math.ceil(Math.round(value * 1e9) / 1e6) : Math.ceil(value);
}
