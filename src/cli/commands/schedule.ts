import type { CommandModule } from "yargs";
import { loadSchedulerConfig } from "../../scheduler/config.js";
import { explainSchedule, formatExplainTable } from "../../scheduler/explain.js";
import { readBoundPods, readNodes, readPdbs, readPod } from "../../scheduler/k8s-objects.js";
import { numberOption, SEED_RULE } from "../input-options.js";
import { commandModule } from "../command-index.js";

interface ScheduleArgs {
  nodes: string;
  pod: string;
  existing?: string;
  pdbs?: string;
  config?: string;
  explain: boolean;
  json: boolean;
  seed: number;
}

/**
 * `simctl schedule --nodes NODES.yaml --pod POD.yaml [--existing PODS.yaml] [--pdbs PDBS.yaml]
 * [--config SCHED.yaml] [--explain] [--json]`: one kube-scheduler cycle for the pod on those
 * nodes, with upstream's plugins and the profile its schedulerName selects. `--explain` adds, per
 * node, each Filter plugin's status and each Score plugin's raw, normalized and weight; `--json`
 * prints one JSON object instead of a table. When the pod fits nowhere, DefaultPreemption's
 * decision (nominated node, victims, PDB violations) is shown too. Exit code 0 when a node was
 * selected, 4 when none fits.
 */
export const scheduleCommand: CommandModule<object, ScheduleArgs> = commandModule("schedule", {
  builder: (y) =>
    y
      .option("nodes", {
        type: "string",
        demandOption: true,
        describe: "Nodes YAML (kubectl get nodes -o yaml, or --- documents)",
      })
      .option("pod", { type: "string", demandOption: true, describe: "Pod YAML to schedule" })
      .option("existing", { type: "string", describe: "List of Pods already bound with spec.nodeName" })
      .option("pdbs", {
        type: "string",
        describe: "PodDisruptionBudgets with status.disruptionsAllowed (preemption respects them)",
      })
      .option("config", { type: "string", describe: "KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1)" })
      .option("explain", { type: "boolean", default: false, describe: "show every node's filter statuses and scores" })
      .option("json", { type: "boolean", default: false, describe: "print JSON instead of a table" })
      .option("seed", numberOption("--seed", "seed of the tie-breaking random stream", SEED_RULE, 1)),
  handler: (args) => {
    const nodes = readNodes(args.nodes);
    const pod = readPod(args.pod);
    const existing = args.existing === undefined ? [] : readBoundPods(args.existing, undefined, nodes);
    const config = args.config === undefined ? undefined : loadSchedulerConfig(args.config);
    const pdbs = args.pdbs === undefined ? [] : readPdbs(args.pdbs);
    const { message, ...result } = explainSchedule({
      nodes,
      pod,
      existing,
      pdbs,
      ...(config === undefined ? {} : { config }),
      seed: args.seed,
    });
    if (args.json) {
      const out = args.explain
        ? result
        : {
            pod: result.pod,
            selectedNode: result.selectedNode,
            feasibleNodesToFind: result.feasibleNodesToFind,
            nodesFiltered: result.nodesFiltered,
            ...(result.preemption === undefined ? {} : { preemption: result.preemption }),
          };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else process.stdout.write(`${formatExplainTable({ ...result, message }, args.explain)}\n`);
    if (result.selectedNode === null) process.exitCode = 4;
  },
});
