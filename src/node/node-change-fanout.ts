import type { NodeIdx } from "../cluster/ids.js";
import type { NodeChangeListener } from "./node-events.js";

/**
 * Passes each node change to every listener, in the order they were added: upstream, each
 * component with a Node informer (the scheduler, the DaemonSet controller) hears the event.
 */
export class NodeChangeFanout implements NodeChangeListener {
  private readonly listeners: NodeChangeListener[];

  constructor(first: NodeChangeListener) {
    this.listeners = [first];
  }

  /** Adds a listener after those already there. */
  add(listener: NodeChangeListener): void {
    this.listeners.push(listener);
  }

  onNodeChanged(node: NodeIdx): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!.onNodeChanged(node);
  }
}
