import { parentPort } from "node:worker_threads";
import { executeRunTask, type RunTask } from "./run-task.js";
import { workerError, type WorkerError } from "./worker-error.js";

/** Messages a run worker sends to the pool. */
export type WorkerMessage =
  | { type: "progress"; index: number; done: number; total: number }
  | { type: "done"; outcome: ReturnType<typeof executeRunTask> }
  | ({ type: "error"; index: number } & WorkerError);

// Worker thread entry: runs one task per message, one at a time, and reports back.
const port = parentPort;
if (port !== null) {
  port.on("message", (task: RunTask) => {
    try {
      const outcome = executeRunTask(task, (done, total) =>
        port.postMessage({ type: "progress", index: task.index, done, total } satisfies WorkerMessage),
      );
      port.postMessage({ type: "done", outcome } satisfies WorkerMessage);
    } catch (e) {
      port.postMessage({ type: "error", index: task.index, ...workerError(e) } satisfies WorkerMessage);
    }
  });
}
