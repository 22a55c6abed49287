/**
 * The API Priority and Fairness configuration objects a kube-apiserver starts with: the
 * mandatory and suggested PriorityLevelConfigurations and FlowSchemas, as plain data.
 *
 * model: every number below is read from kubernetes/kubernetes (flowcontrol/v1, v1.29+)
 * staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go, variables
 * MandatoryPriorityLevelConfiguration{Exempt,CatchAll}, SuggestedPriorityLevelConfiguration*,
 * MandatoryFlowSchema{Exempt,CatchAll} and SuggestedFlowSchema*.
 */

/** Queuing parameters of a priority level (`spec.limited.limitResponse.queuing`). */
export interface QueuingSpec {
  readonly queues: number;
  readonly handSize: number;
  readonly queueLengthLimit: number;
}

/**
 * One PriorityLevelConfiguration.
 * Contract: `exempt` levels have no limit (and no queuing); a limited level without `queuing`
 * has limitResponse `Reject`. `borrowingLimitPercent` undefined means upstream's nil (no limit
 * on borrowing: the level may borrow up to the whole server concurrency limit).
 */
export interface PriorityLevelSpec {
  readonly name: string;
  readonly exempt: boolean;
  readonly nominalConcurrencyShares: number;
  readonly lendablePercent: number;
  readonly borrowingLimitPercent?: number;
  readonly queuing?: QueuingSpec;
}

/** A FlowSchema subject: a user name, a group, or a service account (`name` may be `*`). */
export interface SubjectSpec {
  readonly kind: "user" | "group" | "serviceAccount";
  readonly name: string;
  /** Namespace of a service account subject. */
  readonly namespace?: string;
}

/** `spec.rules[].resourceRules[]`; `*` alone in a list is the wildcard. */
export interface ResourceRuleSpec {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly namespaces: readonly string[];
  readonly clusterScope: boolean;
}

/** `spec.rules[].nonResourceRules[]`. */
export interface NonResourceRuleSpec {
  readonly verbs: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/** One `spec.rules[]` entry: subjects and the requests they make that match. */
export interface PolicyRuleSpec {
  readonly subjects: readonly SubjectSpec[];
  readonly resourceRules: readonly ResourceRuleSpec[];
  readonly nonResourceRules: readonly NonResourceRuleSpec[];
}

/** How a FlowSchema splits its traffic into flows (upstream `FlowDistinguisherMethodType`). */
export type DistinguisherMethod = "ByUser" | "ByNamespace";

/** One FlowSchema. Lower `matchingPrecedence` is matched first; ties break by name. */
export interface FlowSchemaSpec {
  readonly name: string;
  readonly priorityLevel: string;
  readonly matchingPrecedence: number;
  /** Undefined: every request of the schema is one flow (upstream nil distinguisher). */
  readonly distinguisher?: DistinguisherMethod;
  readonly rules: readonly PolicyRuleSpec[];
}

// model: well-known names, k8s.io/apiserver/pkg/authentication/user/user.go and
// pkg/authentication/serviceaccount/util.go.
/** `user.SystemPrivilegedGroup`. */
export const GROUP_MASTERS = "system:masters";
/** `user.NodesGroup`. */
export const GROUP_NODES = "system:nodes";
/** `user.AllAuthenticated`. */
export const GROUP_AUTHENTICATED = "system:authenticated";
/** `user.AllUnauthenticated`. */
export const GROUP_UNAUTHENTICATED = "system:unauthenticated";
/** `serviceaccount.AllServiceAccountsGroup`. */
export const GROUP_SERVICE_ACCOUNTS = "system:serviceaccounts";
/** `user.KubeControllerManager`. */
export const USER_KUBE_CONTROLLER_MANAGER = "system:kube-controller-manager";
/** `user.KubeScheduler`. */
export const USER_KUBE_SCHEDULER = "system:kube-scheduler";

/** A suggested (non-exempt, queuing) level; every one of them has queueLengthLimit 50. */
function queuingLevel(
  name: string,
  nominalConcurrencyShares: number,
  lendablePercent: number,
  queues: number,
  handSize: number,
): PriorityLevelSpec {
  return {
    name,
    exempt: false,
    nominalConcurrencyShares,
    lendablePercent,
    queuing: { queues, handSize, queueLengthLimit: 50 },
  };
}

/**
 * The default priority levels in the order simctl indexes them (level ids are positions here).
 * model: bootstrap/default.go. Exempt: nominalConcurrencyShares 0, lendablePercent 0 (v1.29+
 * `ExemptPriorityLevelConfiguration`); catch-all: 5 shares, lendable 0, Reject; the suggested
 * levels: system 30 / lendable 33 / 64 queues, hand 6, length 50; node-high 40 / 25 / 64,6,50;
 * leader-election 10 / 0 / 16,4,50; workload-high 40 / 50 / 128,6,50; workload-low 100 / 90 /
 * 128,6,50; global-default 20 / 50 / 128,6,50. No default level sets borrowingLimitPercent.
 */
export const DEFAULT_PRIORITY_LEVELS: readonly PriorityLevelSpec[] = [
  { name: "exempt", exempt: true, nominalConcurrencyShares: 0, lendablePercent: 0 },
  queuingLevel("system", 30, 33, 64, 6),
  queuingLevel("node-high", 40, 25, 64, 6),
  queuingLevel("leader-election", 10, 0, 16, 4),
  queuingLevel("workload-high", 40, 50, 128, 6),
  queuingLevel("workload-low", 100, 90, 128, 6),
  queuingLevel("global-default", 20, 50, 128, 6),
  { name: "catch-all", exempt: false, nominalConcurrencyShares: 5, lendablePercent: 0 },
];

const ALL: readonly string[] = ["*"];

/** A resource rule over every namespace (each default rule is); `clusterScope` adds cluster-scoped objects. */
function resourceRule(
  verbs: readonly string[],
  apiGroups: readonly string[],
  resources: readonly string[],
  clusterScope: boolean,
): ResourceRuleSpec {
  return { verbs, apiGroups, resources, namespaces: ALL, clusterScope };
}

function everything(): { resourceRules: ResourceRuleSpec[]; nonResourceRules: NonResourceRuleSpec[] } {
  return {
    resourceRules: [resourceRule(ALL, ALL, ALL, true)],
    nonResourceRules: [{ verbs: ALL, nonResourceURLs: ALL }],
  };
}

/** A schema whose one rule matches every request of `subjects`. */
function everythingOf(
  name: string,
  priorityLevel: string,
  matchingPrecedence: number,
  distinguisher: DistinguisherMethod,
  subjects: SubjectSpec[],
): FlowSchemaSpec {
  return { name, priorityLevel, matchingPrecedence, distinguisher, rules: [{ subjects, ...everything() }] };
}

function groups(...names: string[]): SubjectSpec[] {
  return names.map((name) => ({ kind: "group" as const, name }));
}

function users(...names: string[]): SubjectSpec[] {
  return names.map((name) => ({ kind: "user" as const, name }));
}

function kubeSystemServiceAccounts(...names: string[]): SubjectSpec[] {
  return names.map((name) => ({ kind: "serviceAccount" as const, name, namespace: "kube-system" }));
}

const GET_CREATE_UPDATE: readonly string[] = ["get", "create", "update"];

/**
 * The default FlowSchemas (mandatory and suggested), in matching order.
 * model: bootstrap/default.go, flowcontrol/v1: exempt (1), probes (2), system-leader-election
 * (100), endpoint-controller (150), workload-leader-election (200), system-node-high (400),
 * system-nodes (500), kube-controller-manager (800), kube-scheduler (800),
 * kube-system-service-accounts (900), service-accounts (9000), global-default (9900),
 * catch-all (10000).
 */
export const DEFAULT_FLOW_SCHEMAS: readonly FlowSchemaSpec[] = [
  {
    name: "exempt",
    priorityLevel: "exempt",
    matchingPrecedence: 1,
    rules: [{ subjects: groups(GROUP_MASTERS), ...everything() }],
  },
  {
    name: "probes",
    priorityLevel: "exempt",
    matchingPrecedence: 2,
    rules: [
      {
        subjects: groups(GROUP_UNAUTHENTICATED, GROUP_AUTHENTICATED),
        resourceRules: [],
        nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/readyz", "/livez"] }],
      },
    ],
  },
  {
    name: "system-leader-election",
    priorityLevel: "leader-election",
    matchingPrecedence: 100,
    distinguisher: "ByUser",
    rules: [
      {
        subjects: [...users(USER_KUBE_CONTROLLER_MANAGER, USER_KUBE_SCHEDULER), ...kubeSystemServiceAccounts("*")],
        resourceRules: [resourceRule(GET_CREATE_UPDATE, ["coordination.k8s.io"], ["leases"], false)],
        nonResourceRules: [],
      },
    ],
  },
  {
    name: "endpoint-controller",
    priorityLevel: "workload-high",
    matchingPrecedence: 150,
    distinguisher: "ByUser",
    rules: [
      {
        subjects: [
          ...users(USER_KUBE_CONTROLLER_MANAGER),
          ...kubeSystemServiceAccounts("endpoint-controller", "endpointslicemirroring-controller"),
        ],
        resourceRules: [resourceRule(GET_CREATE_UPDATE, [""], ["endpoints"], false)],
        nonResourceRules: [],
      },
    ],
  },
  {
    name: "workload-leader-election",
    priorityLevel: "leader-election",
    matchingPrecedence: 200,
    distinguisher: "ByUser",
    rules: [
      {
        subjects: kubeSystemServiceAccounts("*"),
        resourceRules: [
          resourceRule(GET_CREATE_UPDATE, [""], ["endpoints", "configmaps"], false),
          resourceRule(GET_CREATE_UPDATE, ["coordination.k8s.io"], ["leases"], false),
        ],
        nonResourceRules: [],
      },
    ],
  },
  {
    name: "system-node-high",
    priorityLevel: "node-high",
    matchingPrecedence: 400,
    distinguisher: "ByUser",
    rules: [
      {
        subjects: groups(GROUP_NODES),
        resourceRules: [
          resourceRule(ALL, [""], ["nodes", "nodes/status"], true),
          resourceRule(ALL, ["coordination.k8s.io"], ["leases"], false),
        ],
        nonResourceRules: [],
      },
    ],
  },
  everythingOf("system-nodes", "system", 500, "ByUser", groups(GROUP_NODES)),
  everythingOf("kube-controller-manager", "workload-high", 800, "ByNamespace", users(USER_KUBE_CONTROLLER_MANAGER)),
  everythingOf("kube-scheduler", "workload-high", 800, "ByNamespace", users(USER_KUBE_SCHEDULER)),
  everythingOf("kube-system-service-accounts", "workload-high", 900, "ByNamespace", kubeSystemServiceAccounts("*")),
  everythingOf("service-accounts", "workload-low", 9000, "ByUser", groups(GROUP_SERVICE_ACCOUNTS)),
  everythingOf("global-default", "global-default", 9900, "ByUser", groups(GROUP_UNAUTHENTICATED, GROUP_AUTHENTICATED)),
  everythingOf("catch-all", "catch-all", 10000, "ByUser", groups(GROUP_UNAUTHENTICATED, GROUP_AUTHENTICATED)),
];

/** model: staging/src/k8s.io/apiserver/pkg/server/config.go NewConfig, MaxRequestsInFlight = 400. */
export const DEFAULT_MAX_REQUESTS_INFLIGHT = 400;
/** model: same place, MaxMutatingRequestsInFlight = 200. */
export const DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT = 200;
/** model: same place, RequestTimeout = 60 s. */
export const DEFAULT_REQUEST_TIMEOUT_NS = 60_000_000_000;
