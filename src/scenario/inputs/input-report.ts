/** Where an input object or field was first seen: `file:line`. */
export type InputSite = string;

/** One line of the report: what was skipped or defaulted, how often, and where first. */
export interface InputReportEntry {
  /** The object kind (Service, ConfigMap, Deployment ...). */
  kind: string;
  /** The field path within the kind (`spec.template.spec.containers[].env`); "" for a whole kind or pod. */
  field: string;
  /** The image reference, for images given the default size; "" otherwise. */
  image: string;
  count: number;
  first: InputSite;
}

/** The report of inputs.json, in the order each item was first met. */
export interface InputReportJson {
  /** Objects of kinds simctl does not simulate: skipped, once per kind. */
  kindsNotModelled: InputReportEntry[];
  /** Fields of simulated kinds whose value simctl does not model: ignored, once per field path. */
  fieldsNotModelled: InputReportEntry[];
  /** Images no input gives a size for: they get {@link DEFAULT_IMAGE_BYTES}. */
  imagesDefaultSize: InputReportEntry[];
  /** Pods of cluster.pods that are not simulated (phase Succeeded or Failed), once per phase. */
  podsSkipped: InputReportEntry[];
  /** Namespaces workloads use that no Namespace object declares: assumed to exist, once per namespace (in `field`). */
  namespacesAssumed: InputReportEntry[];
}

/**
 * model: (assumed) the compressed size of an image whose size no input gives (not under
 * images:, not in any node's status.images): 100 MiB, about a typical application image on
 * a distroless or slim base (Docker Hub's median compressed image is a few tens of MiB; JVM and
 * Python images run to hundreds). Every image given this size is listed in inputs.json.
 */
export const DEFAULT_IMAGE_BYTES = 100 * 2 ** 20;

type Section = keyof InputReportJson;

/**
 * What the inputs held that the run does not simulate as written, collected while a scenario and
 * the files it names are read: kinds skipped, fields ignored, images given the default size,
 * pods skipped. Nothing of a real cluster's dump is dropped without a line here. Printed before
 * the run and saved as inputs.json beside the results.
 */
export class InputReport {
  private readonly sections: Record<Section, Map<string, InputReportEntry>> = {
    kindsNotModelled: new Map(),
    fieldsNotModelled: new Map(),
    imagesDefaultSize: new Map(),
    podsSkipped: new Map(),
    namespacesAssumed: new Map(),
  };

  /** An object of a kind simctl does not simulate was skipped. */
  kindNotModelled(kind: string, at: InputSite): void {
    this.add("kindsNotModelled", kind, "", "", at);
  }

  /** A field of a simulated object is present but not modelled. */
  fieldNotModelled(kind: string, field: string, at: InputSite): void {
    this.add("fieldsNotModelled", kind, field, "", at);
  }

  /** A container uses an image whose size no input gives. */
  imageDefaultSize(image: string, at: InputSite): void {
    this.add("imagesDefaultSize", "", "", image, at);
  }

  /** A pod of cluster.pods was skipped because of its phase. */
  podSkipped(phase: string, at: InputSite): void {
    this.add("podsSkipped", "Pod", `status.phase=${phase}`, "", at);
  }

  /** A workload is in namespace `ns`, which no input declares. */
  namespaceAssumed(ns: string, at: InputSite): void {
    this.add("namespacesAssumed", "Namespace", ns, "", at);
  }

  /** Images listed as given the default size. */
  defaultSizedImages(): string[] {
    return [...this.sections.imagesDefaultSize.values()].map((e) => e.image);
  }

  get empty(): boolean {
    for (const s of Object.values(this.sections)) if (s.size > 0) return false;
    return true;
  }

  private add(section: Section, kind: string, field: string, image: string, at: InputSite): void {
    const key = `${kind}\u0000${field}\u0000${image}`;
    const m = this.sections[section];
    const e = m.get(key);
    if (e === undefined) m.set(key, { kind, field, image, count: 1, first: at });
    else e.count++;
  }

  toJSON(): InputReportJson {
    return {
      kindsNotModelled: [...this.sections.kindsNotModelled.values()],
      fieldsNotModelled: [...this.sections.fieldsNotModelled.values()],
      imagesDefaultSize: [...this.sections.imagesDefaultSize.values()],
      podsSkipped: [...this.sections.podsSkipped.values()],
      namespacesAssumed: [...this.sections.namespacesAssumed.values()],
    };
  }
}

/** The report as lines for the terminal (empty when there is nothing to say). */
export function formatInputReport(r: InputReportJson): string {
  const out: string[] = [];
  const times = (n: number) => (n === 1 ? "1 object" : `${n} objects`);
  for (const e of r.kindsNotModelled)
    out.push(`  kind not modelled, skipped: ${e.kind} (${times(e.count)}, first at ${e.first})`);
  for (const e of r.fieldsNotModelled)
    out.push(`  field not modelled, ignored: ${e.kind} ${e.field} (${times(e.count)}, first at ${e.first})`);
  for (const e of r.imagesDefaultSize)
    out.push(
      `  image without a size, given the default ${DEFAULT_IMAGE_BYTES / 2 ** 20} MiB: ${e.image} (first at ${e.first})`,
    );
  for (const e of r.podsSkipped) out.push(`  pod skipped: ${e.field} (${e.count} pods, first at ${e.first})`);
  for (const e of r.namespacesAssumed)
    out.push(`  namespace not declared, assumed to exist: ${e.field} (${e.count} workloads, first at ${e.first})`);
  return out.length === 0 ? "" : `simctl: inputs not simulated as written (saved in inputs.json):\n${out.join("\n")}\n`;
}
