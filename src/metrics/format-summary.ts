import { formatDuration } from "../core/time.js";
import type { LatencySummary, RunStats, SimulatedSummary } from "./summary.js";
import { formatAutoscaler } from "../autoscaler/autoscaler-summary.js";

const d = (ns: number | null) => (ns === null ? "-" : formatDuration(ns));

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
}

function latencyRow(name: string, l: LatencySummary, widths: readonly number[]): string {
  return row([name, String(l.count), d(l.p50Ns), d(l.p90Ns), d(l.p99Ns), d(l.maxNs)], widths);
}

/** The human summary printed at the end of `simctl run`. */
export function formatSummary(
  s: SimulatedSummary,
  stats: RunStats,
  outDir: string | undefined,
  tables: readonly string[],
): string {
  const out: string[] = [];
  const ok = s.timeToAllRunningNs !== null;
  out.push(`simctl run ${s.scenario} (seed ${s.seed})`);
  out.push(
    ok
      ? `  all ${s.pods.expected} pods Running after ${d(s.timeToAllRunningNs)} of simulated time`
      : `  NOT all pods Running: ${s.pods.running}/${s.pods.expected} Running, ${s.pods.scheduled} scheduled, ${s.pods.unschedulable} unschedulable (stopped: ${s.stopReason} at ${d(s.simulatedNs)})`,
  );
  const w = [44, 7, 10, 10, 10, 10];
  out.push("", row(["pod startup", "pods", "p50", "p90", "p99", "max"], w));
  out.push(latencyRow("  create -> Running", s.podStartup, w));
  const ph = s.podStartupPhases;
  out.push(latencyRow("    schedule: create -> scheduled", ph.schedule, w));
  out.push(latencyRow("    run after schedule: -> containers started", ph.runAfterSchedule, w));
  out.push(latencyRow("    watch: -> Running status committed", ph.watch, w));
  const t = s.densityTest;
  if (t !== undefined) {
    const m = t.asMeasured;
    out.push(`  as the e2e density test measured ${t.pods ?? "every pod"} (API timestamps: ${t.apiTimestamps})`);
    out.push(latencyRow("    schedule: created -> Scheduled Event", m.schedule, w));
    out.push(latencyRow("    run after schedule: -> startedAt", m.runAfterSchedule, w));
    out.push(latencyRow("    watch: -> seen Running by the test", m.watch, w));
    out.push(latencyRow("    e2e: created -> seen Running", m.e2e, w));
  }
  const slo = s.podStartupExcludingPulls;
  out.push(latencyRow("  excluding image pulls (SLO: p99 <= 5 s)", slo, w) + (slo.sloMet ? "  met" : "  MISSED"));
  const kinds = Object.entries(s.byOwnerKind);
  if (kinds.length > 1 || (kinds.length === 1 && kinds[0]![0] !== "Deployment"))
    for (const [k, v] of kinds) out.push(latencyRow(`  ${k} (${v.running} of ${v.created} Running)`, v.podStartup, w));
  out.push("", row(["API latency (client view)", "calls", "p50", "p90", "p99", "max"], w));
  for (const [k, l] of Object.entries(s.api)) out.push(latencyRow(`  ${k}`, l, w));
  out.push(latencyRow("  watch delivery (commit -> watcher)", s.watchDelivery, w));
  if (s.apiRejections.tooManyRequests + s.apiRejections.webhookFailures > 0) {
    out.push(
      `  rejected: ${s.apiRejections.tooManyRequests} x 429 (APF, retried by clients), ${s.apiRejections.webhookFailures} x 500 (webhooks)`,
    );
  }
  for (const q of s.resourceQuotas ?? [])
    if (q.rejections > 0)
      out.push(
        `  refused by ResourceQuota ${q.namespace}/${q.name}: ${q.rejections} pod creates (403), first: ${q.firstRejection}`,
      );
  if (s.watchDelivery.terminations > 0)
    out.push(
      `  watchers terminated as unresponsive: ${s.watchDelivery.terminations} (${s.watchDelivery.relists} relisted)`,
    );
  const mix = Object.entries(s.writeMix)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`);
  out.push("", `writes by resource: ${mix.join(", ")}`);
  const b = s.background;
  const lease = b.leaseRenewalLatency;
  out.push(
    `background (${b.mode}): ${b.nodeLeaseRenewals ?? "no"} node Lease renewals (p99 ${d(lease.p99Ns)}, ${b.nodeLeaseFailures} failed), ` +
      `${b.nodeStatusPatches ?? "no"} node status patches, ${b.events.written} Events; ` +
      `NotReady transitions: ${b.notReadyTransitions}`,
  );
  if (s.autoscaler !== undefined) out.push("", ...formatAutoscaler(s.autoscaler, d));
  out.push("", "where the time went (total wait, mean per request or pod)");
  const shown = s.waits.slice(0, 8);
  // The columns stay aligned however long a client's name and its setting are.
  const width = Math.max(52, ...shown.map((x) => x.component.length));
  for (const x of shown)
    out.push(`  ${x.component.padEnd(width)} ${d(x.totalNs).padStart(12)}  ${d(x.meanNs).padStart(10)}`);
  out.push(
    "",
    `scheduler: ${s.scheduler.bindingsPerSecond} bindings/s (${s.scheduler.bindings} pods bound), ${s.scheduler.cyclesPerSecond} cycles/s (${s.scheduler.cycles} cycles, ${s.scheduler.nodesExamined} nodes examined), per second of simulated time`,
  );
  const pe = s.preemption;
  if (pe !== undefined)
    out.push(
      `preemption: ${pe.preemptions} preemptions, ${pe.victims} victims (${pe.pdbViolatingVictims} against a PDB), ` +
        `${pe.preemptors} preemptors (${pe.boundToNominatedNode} bound to their nominated node), ` +
        `preemptor startup p50 ${d(pe.preemptorStartup.p50Ns)} p99 ${d(pe.preemptorStartup.p99Ns)}`,
    );
  out.push(
    `engine: ${stats.events} events in ${(stats.wallMs / 1000).toFixed(2)} s wall (${(stats.eventsPerSec / 1e6).toFixed(2)} M events/s), peak RSS ${(stats.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  if (outDir !== undefined)
    out.push(
      `outputs: ${outDir}/ (${[...tables.map((t) => `${t}.arrow`), ...(s.autoscaler === undefined ? [] : ["autoscaler.arrow"]), "summary.json", "scenario.json", "inputs.json"].join(", ")})`,
    );
  return out.join("\n");
}
