// Scope rules at admission: per scope with rules, a MutatingAdmissionPolicy that adds, to each new pod in the scope's
// namespaces, the annotations and labels of that scope's rules the pod does not already carry (a key the pod carries
// wins: its chart's own, or a patched template's), and leaves the pods of patched workloads (they carry a rollout
// hash) as their template has them. The policy runs in kube-apiserver itself, right before the mutating webhooks
// (k8s.io/kubernetes v1.36.3 pkg/kubeapiserver/options/plugins.go, AllOrderedPlugins), so every mesh's injector reads
// what it set. Its failurePolicy is Ignore: a pod is never refused for our sake.
import type { ClusterObject } from "../meshes/adapter";
import { kubeName } from "../rules/kubeNames";
import { NAMES } from "../rules/names";
import type { AdmissionSettings } from "../rules/types";
import { ROLLOUT_HASH_ANNOTATION } from "./rolloutHash";

/** On each pod the policy mutated: which policy, and the hash of the keys it had to add. */
export const ADMISSION_ANNOTATION = NAMES.admissionAnnotation;
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Namespaces that global rules reach only when named: Kubernetes' own and the meshes' control planes (istio-system,
 * kuma-system, Kong Mesh's, linkerd and its CNI, consul, kmesh-system).
 */
export const SYSTEM_NAMESPACES: readonly string[] = [
    "consul",
    "istio-system",
    "kmesh-system",
    "kong-mesh-system",
    "kube-node-lease",
    "kube-public",
    "kube-system",
    "kuma-system",
    "linkerd",
    "linkerd-cni",
];

/** Which namespaces one binding of a policy selects. */
export interface NamespaceSelection {
    readonly in?: readonly string[];
    readonly notIn?: readonly string[];
    readonly matchLabels?: Readonly<Record<string, string>>;
}

/** One scope enforced at admission. */
export interface AdmissionScope {
    /** `global` or `namespace/<name>`. */
    readonly scope: string;
    /** The policy's name (cluster-scoped), also its bindings' prefix. */
    readonly name: string;
    /** One binding per selection; a pod is mutated once, by the one scope whose namespaces hold it. */
    readonly selections: readonly NamespaceSelection[];
    /** What a new pod in the scope gets when it lacks the key, the admission annotation included. */
    readonly annotations: Readonly<Record<string, string>>;
    readonly labels: Readonly<Record<string, string>>;
}

export interface AdmissionPlan {
    readonly mode: AdmissionSettings["mode"];
    readonly scopes: readonly AdmissionScope[];
}

/** What one scope renders for a pod of an unlisted workload (every mesh's keys; no rollout hash). */
export interface ScopeKeys {
    readonly annotations: Readonly<Record<string, string>>;
    readonly labels: Readonly<Record<string, string>>;
    readonly hash?: string;
}

const hasKeys = (k: ScopeKeys) => Object.keys(k.annotations).length > 0 || Object.keys(k.labels).length > 0;

/**
 * The scopes enforced at admission: each namespace with rules (its rules already inherit the global ones), and the
 * global rules in the namespaces the user selected, less those with rules of their own, so each pod meets one policy.
 */
export function planAdmission(
    settings: AdmissionSettings,
    namespaces: readonly string[],
    /** What a pod of an unlisted workload gets in a namespace (undefined: the global scope's own); asked only for scopes with a policy. */
    keysOf: (namespace: string | undefined) => ScopeKeys,
    prefix: string,
): AdmissionPlan {
    if (settings.mode === "off") return { mode: settings.mode, scopes: [] };
    const scopes: AdmissionScope[] = [];
    // Which policies exist follows from plain values only (the namespaces named, the fields written, the selection),
    // never from rule values that may be Outputs; a scope whose fields render nothing gets a policy that adds nothing.
    const scope = (label: string, name: string, namespace: string | undefined, selections: NamespaceSelection[]) => {
        if (selections.length === 0) return;
        const keys = keysOf(namespace);
        const { [ROLLOUT_HASH_ANNOTATION]: _hash, ...annotations } = keys.annotations;
        const marked = hasKeys(keys) ? { ...annotations, [ADMISSION_ANNOTATION]: `${name}/${keys.hash ?? ""}` } : annotations;
        scopes.push({ scope: label, name, selections, annotations: marked, labels: keys.labels });
    };
    // Namespaces with pod rules of their own have a policy of their own (their rules inherit the global ones).
    const own = namespaces.filter((n) => settings.podRuleNamespaces.has(n)).sort();
    const named = settings.globalNamespaces.filter((n) => !own.includes(n));
    const selections: NamespaceSelection[] = [];
    if (named.length > 0) selections.push({ in: named });
    if (Object.keys(settings.globalNamespaceLabels).length > 0) {
        const notIn = [...new Set([...SYSTEM_NAMESPACES, ...own, ...settings.globalNamespaces])].sort();
        selections.push({ matchLabels: settings.globalNamespaceLabels, notIn });
    }
    if (settings.globalSetsPodFields) scope("global", kubeName(`${prefix}-global`), undefined, selections);
    for (const ns of own) scope(`namespace/${ns}`, kubeName(`${prefix}-namespace-${ns}`), ns, [{ in: [ns] }]);
    return { mode: settings.mode, scopes };
}

/** Kubernetes' limit on an object's annotations: keys and values, in bytes (apimachinery TotalAnnotationSizeLimitB). */
const ANNOTATION_LIMIT = 256 * 1024;
const byteSize = (m: Readonly<Record<string, string>>) => Object.entries(m).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

/**
 * The API server parses each CEL expression with cel-go's default limit of 100,000 code points
 * (github.com/google/cel-go v0.26.0 parser/parser.go), and refuses a policy whose expression is longer.
 */
export const CEL_EXPRESSION_LIMIT = 100_000;

/** The longest CEL expression the scope's policy holds (its annotations or labels as a map literal), in code points. */
export function longestExpression(s: Pick<AdmissionScope, "annotations" | "labels">): number {
    return Math.max(celMapLength(s.annotations), celMapLength(s.labels));
}

/**
 * The scope's longest CEL expression when it is over the limit, else undefined. Most scopes are far inside it, and
 * counting a literal exactly scans every character, so the exact count is made only where the most a literal can
 * take (six code points a character, JSON's `\uXXXX`) could pass the limit.
 */
export function expressionOverLimit(s: Pick<AdmissionScope, "annotations" | "labels">): number | undefined {
    if (Math.max(celMapMostLength(s.annotations), celMapMostLength(s.labels)) <= CEL_EXPRESSION_LIMIT) return undefined;
    const length = longestExpression(s);
    return length > CEL_EXPRESSION_LIMIT ? length : undefined;
}

/**
 * A character celString escapes (a control character, a quote, a backslash), or one past ASCII, where code points and
 * UTF-16 units differ (UTF-16 units, so no `u` flag: it makes the scan of long rule values several times slower).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
const NOT_PLAIN = /[\x00-\x1f"\\\x7f-\uffff]/;

/** The code points of a string as a CEL literal (celString), counted without making it: rule values are long. */
function literalLength(text: string): number {
    return NOT_PLAIN.test(text) ? [...celString(text)].length : text.length + 2;
}

/** The code points of celMap(m), counted without making it. */
function celMapLength(m: Readonly<Record<string, string>>): number {
    const entries = Object.entries(m);
    // Braces, and per entry ": " between key and value and ", " between entries.
    return 2 + entries.reduce((n, [k, v]) => n + literalLength(k) + literalLength(v) + 2, 0) + Math.max(0, entries.length - 1) * 2;
}

/** The most code points celMap(m) can take: every character escaped as `\uXXXX`, quotes and separators. */
function celMapMostLength(m: Readonly<Record<string, string>>): number {
    let n = 2;
    for (const k of Object.keys(m)) n += 6 * (k.length + m[k].length) + 8;
    return n;
}

/** A CEL string literal: JSON's escapes are all CEL escapes. */
const celString = (s: string) => JSON.stringify(s);
const celMap = (m: Readonly<Record<string, string>>) =>
    `{${Object.keys(m)
        .sort()
        .map((k) => `${celString(k)}: ${celString(m[k])}`)
        .join(", ")}}`;

/** JSON patches that add each key of `variables.<field>` the pod lacks (and the map itself when it has none). */
function addMissing(field: "annotations" | "labels"): string {
    const present = `has(object.metadata.${field})`;
    return (
        `(${present} ? [] : [JSONPatch{op: "add", path: "/metadata/${field}", value: {}}]) + ` +
        `variables.${field}.filter(k, !${present} || !(k in object.metadata.${field}))` +
        `.map(k, JSONPatch{op: "add", path: "/metadata/${field}/" + jsonpatch.escapeKey(k), value: variables.${field}[k]})`
    );
}

function selector(s: NamespaceSelection): Record<string, unknown> {
    const expressions = [
        ...(s.in ? [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: [...s.in] }] : []),
        ...(s.notIn ? [{ key: NAMESPACE_NAME_LABEL, operator: "NotIn", values: [...s.notIn] }] : []),
    ];
    return { ...(s.matchLabels ? { matchLabels: { ...s.matchLabels } } : {}), ...(expressions.length > 0 ? { matchExpressions: expressions } : {}) };
}

/** The Kubernetes objects of the plan: per scope a policy and its bindings, at the API version the mode names. */
export function admissionObjects(plan: AdmissionPlan, labels: Readonly<Record<string, string>>): ClusterObject[] {
    if (plan.mode === "off") return [];
    const apiVersion = `admissionregistration.k8s.io/${plan.mode}`;
    return plan.scopes.flatMap((s) => {
        // Only the maps the scope adds to: a pod without labels keeps none when the scope adds no label. A policy needs
        // one mutation, so a scope that adds nothing at all still lists its (empty) annotations.
        const fields = (["annotations", "labels"] as const).filter((f) => Object.keys(s[f]).length > 0);
        if (fields.length === 0) fields.push("annotations");
        const policy: ClusterObject = {
            apiVersion,
            kind: "MutatingAdmissionPolicy",
            metadata: { name: s.name, labels: { ...labels } },
            spec: {
                matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }] },
                matchConditions: [
                    {
                        // A patched workload's pods carry its whole rules in their template, with its rollout hash.
                        name: "not-a-patched-workload",
                        expression: `!has(object.metadata.annotations) || !(${celString(ROLLOUT_HASH_ANNOTATION)} in object.metadata.annotations)`,
                    },
                    {
                        // Kubernetes refuses a pod whose annotations pass 256 KiB (keys and values, in bytes): a pod whose
                        // own leave no room for ours is left as it is, so the policy never makes a pod fail to be created.
                        name: "room-for-the-keys",
                        expression:
                            `!has(object.metadata.annotations) || object.metadata.annotations.map(k, size(bytes(k)) + ` +
                            `size(bytes(object.metadata.annotations[k]))).sum() + ${byteSize(s.annotations)} <= ${ANNOTATION_LIMIT}`,
                    },
                    {
                        // Another component's policy over the same namespace already mutated the pod: the API server
                        // evaluates policies in no defined order (k8s.io/apiserver policy/generic/policy_source.go walks a
                        // map), so each pod takes one scope's rules whole, never a mix of two.
                        name: "not-admitted-by-another-scope",
                        expression: `!has(object.metadata.annotations) || !(${celString(ADMISSION_ANNOTATION)} in object.metadata.annotations)`,
                    },
                ],
                variables: [
                    { name: "annotations", expression: celMap(s.annotations) },
                    { name: "labels", expression: celMap(s.labels) },
                ],
                mutations: [{ patchType: "JSONPatch", jsonPatch: { expression: fields.map(addMissing).join(" + ") } }],
                failurePolicy: "Ignore",
                reinvocationPolicy: "Never",
            },
            scope: s.scope,
            patch: false,
        };
        const bindings = s.selections.map(
            (sel, i): ClusterObject => ({
                apiVersion,
                kind: "MutatingAdmissionPolicyBinding",
                metadata: { name: s.selections.length === 1 ? s.name : kubeName(`${s.name}-${i + 1}`), labels: { ...labels } },
                spec: { policyName: s.name, matchResources: { namespaceSelector: selector(sel) } },
                scope: s.scope,
                patch: false,
            }),
        );
        return [policy, ...bindings];
    });
}
