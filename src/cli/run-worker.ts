import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { runEtcdBenchmarkScenario } from "../sim/run-etcd-benchmark.js";
import { runScenario } from "../sim/run-scenario.js";
import { workerError } from "../study/worker-error.js";
import { loadRunInput, type RunWorkerData, type RunWorkerMessage } from "./run-request.js";

// Worker entry: simctl run simulates here so that the main thread stays free to handle
// SIGINT/SIGTERM (a synchronous simulation on the main thread would defer them to its end).
const port = parentPort;
const data = workerData as RunWorkerData | undefined;
if (!isMainThread && port !== null && data?.simctlRun !== undefined) {
  const req = data.simctlRun;
  try {
    const input = loadRunInput(req);
    if (input.kind === "etcd") {
      const { rows, outDir } = runEtcdBenchmarkScenario(input.bench, req.out);
      port.postMessage({ type: "etcd", rows, outDir } satisfies RunWorkerMessage);
    } else {
      const { summary, stats, outDir } = runScenario(input.scenario, {
        outRoot: req.out,
        onProgress: (nowNs, events, done, total) =>
          port.postMessage({ type: "progress", nowNs, events, done, total } satisfies RunWorkerMessage),
        ...(req.trace === undefined ? {} : { trace: req.trace }),
      });
      port.postMessage({ type: "scenario", summary, stats, outDir } satisfies RunWorkerMessage);
    }
  } catch (e) {
    port.postMessage({ type: "error", ...workerError(e) } satisfies RunWorkerMessage);
  }
}
