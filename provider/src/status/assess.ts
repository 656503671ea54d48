// What is really in force, the pure part: from what the cluster holds (workloads with their template's rollout hash,
// admission policies with the mark they put on each pod they mutate, and the pods), which pods run with rules other
// than those declared, and why. Both checks compare hashes the component writes: a pod of a patched workload carries
// its template's rollout hash, and a pod an admission policy mutated carries that policy's mark.
import type { WorkloadKind } from "../args";
import { ADMISSION_ANNOTATION as ADMISSION_MARK } from "../plan/admissionPolicy";
import { ROLLOUT_HASH_ANNOTATION as ROLLOUT_HASH } from "../plan/rolloutHash";
import { workloadId } from "../rules/names";

export interface ObservedPod {
    readonly name: string;
    readonly annotations: Readonly<Record<string, string>>;
    /** RFC 3339. */
    readonly createdAt?: string;
}

export interface ObservedWorkload {
    readonly kind: WorkloadKind;
    readonly namespace: string;
    readonly name: string;
    /** The component that declares it, as its record names it. */
    readonly component: string;
    /** The rollout hash on its pod template (undefined: the component's patch is not there). */
    readonly templateHash?: string;
    readonly updateStrategy?: string;
    readonly paused?: boolean;
    /** The controller has not yet replaced every pod with the current template. */
    readonly rollingOut: boolean;
    readonly pods: readonly ObservedPod[];
}

export interface ObservedScope {
    readonly policy: string;
    readonly component: string;
    readonly namespace: string;
    /** The mark the policy puts on each pod it mutates: `<policy>/<hash of its keys>`. */
    readonly mark: string;
    /** When the policy last changed (RFC 3339): a pod created earlier was admitted under older rules, or none. */
    readonly changedAt?: string;
    /** The pods of the namespace that no patched workload owns (no rollout hash). */
    readonly pods: readonly ObservedPod[];
}

/** How `--restart-stale` replaces a workload's stale pods. */
export type Restart = "rollout-restart" | "evict" | "resume-first" | "none";

export interface StatusRow {
    readonly namespace: string;
    /** `Deployment/shop/cart`, or `admission <policy>` for a scope's unlisted pods. */
    readonly subject: string;
    readonly component: string;
    readonly pods: number;
    readonly stale: readonly string[];
    /** Why the stale pods are stale, each once. */
    readonly reasons: readonly string[];
    readonly restart: Restart;
}

export function assessWorkload(w: ObservedWorkload): StatusRow {
    const id = workloadId(w);
    const base = { namespace: w.namespace, subject: id, component: w.component, pods: w.pods.length };
    if (w.templateHash === undefined) {
        return { ...base, stale: w.pods.map((p) => p.name), reasons: ["the component's patch is not on the pod template"], restart: "none" };
    }
    const stale = w.pods.filter((p) => p.annotations[ROLLOUT_HASH] !== w.templateHash).map((p) => p.name);
    if (stale.length === 0) return { ...base, stale, reasons: [], restart: "none" };
    if (w.kind === "CronJob") {
        return { ...base, stale, reasons: ["a Job started before the change: the next Job the schedule starts gets it"], restart: "none" };
    }
    if (w.updateStrategy === "OnDelete") {
        return { ...base, stale, reasons: ["OnDelete: its controller replaces a pod only when it is deleted"], restart: "evict" };
    }
    if (w.paused) return { ...base, stale, reasons: [`paused: the ${w.kind} rolls nothing until it is resumed`], restart: "resume-first" };
    if (w.rollingOut) return { ...base, stale, reasons: ["rollout in progress"], restart: "none" };
    return {
        ...base,
        stale,
        reasons: ["running a template other than the workload's (hand-edited, or left by an interrupted rollout)"],
        restart: "rollout-restart",
    };
}

export function assessScope(s: ObservedScope): StatusRow {
    const base = { namespace: s.namespace, subject: `admission ${s.policy}`, component: s.component, pods: s.pods.length };
    const stalePods = s.pods.filter((p) => p.annotations[ADMISSION_MARK] !== s.mark);
    const reasons = new Set<string>();
    for (const p of stalePods) {
        const before = s.changedAt !== undefined && p.createdAt !== undefined && p.createdAt < s.changedAt;
        if (before) reasons.add("created before the rule");
        else if (p.annotations[ADMISSION_MARK] === undefined)
            reasons.add("not mutated at admission (the policy ignores its own failures: see the API server's log)");
        else reasons.add("admitted under other rules");
    }
    // Unlisted pods are restarted through their owner, found by the command, not here.
    return { ...base, stale: stalePods.map((p) => p.name), reasons: [...reasons], restart: stalePods.length > 0 ? "rollout-restart" : "none" };
}

/** The rows as a table, the way kubectl prints one. */
export function formatTable(rows: readonly StatusRow[]): string {
    const header = ["NAMESPACE", "WORKLOAD", "COMPONENT", "PODS", "STALE", "WHY"];
    const lines = rows.map((r) => [
        r.namespace,
        r.subject,
        r.component,
        String(r.pods),
        r.stale.length === 0 ? "0" : `${r.stale.length} of ${r.pods}`,
        r.reasons.join("; ") || "up to date",
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    return [header, ...lines].map((l) => l.map((c, i) => (i === l.length - 1 ? c : c.padEnd(widths[i]))).join("   ")).join("\n");
}

/** A label selector, as Kubernetes writes one. */
export interface LabelSelector {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: readonly string[] }>;
}

/** A label selector as the API server evaluates it (matchLabels and In/NotIn/Exists/DoesNotExist). */
export function selects(s: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
    if (!Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v)) return false;
    return (s.matchExpressions ?? []).every((e) => {
        const v = labels[e.key];
        if (e.operator === "In") return v !== undefined && (e.values ?? []).includes(v);
        if (e.operator === "NotIn") return v === undefined || !(e.values ?? []).includes(v);
        if (e.operator === "Exists") return v !== undefined;
        if (e.operator === "DoesNotExist") return v === undefined;
        return false;
    });
}
