import { ScenarioError, type ScenarioIssue } from "../scenario/scenario-error.js";

/**
 * An error caught on a worker thread, as it crosses to the main thread: a structured clone keeps
 * neither the class nor the stack's link to it, so the fields travel and the error is rebuilt.
 */
export interface WorkerError {
  message: string;
  stack: string | undefined;
  /** A ScenarioError's issues (undefined for any other error). */
  issues: unknown;
}

/** The fields a worker posts for an error it caught. */
export function workerError(e: unknown): WorkerError {
  const err = e as Error & { issues?: unknown };
  return { message: err.message, stack: err.stack, issues: err.issues };
}

/**
 * The error to raise on the main thread for a worker's `m`: a ScenarioError again when it carried
 * issues (so it is printed with its locations), else an Error saying `message` with the worker's
 * stack after it.
 */
export function errorFromWorker(m: WorkerError, message = m.message): Error {
  if (Array.isArray(m.issues)) return new ScenarioError(m.issues as ScenarioIssue[]);
  const err = new Error(message);
  if (m.stack !== undefined) err.stack = `${message}\n(worker) ${m.stack}`;
  return err;
}
