// Explaining a plan to people: the per-namespace ConfigMap text, the effective-rules table and the
// markdown summary for a pull request. Values are grouped by the scopes they came from.

import { MESHES, type MeshRegistry } from "../meshes/registry";
import { FIELD_SPECS } from "../rules/fields";
import { VALUE_KINDS } from "../rules/valueKinds";
import type { AdmissionScope } from "./admissionPolicy";
import { kindNotices } from "./podReplacement";
import type { BypassPlan, PlannedEffective, WorkloadPlan } from "./types";

/** One row of the effective-rules table: the values of one field that came from the same scopes. */
export interface EffectiveRuleRow {
    workload: string;
    field: string;
    values: string;
    from: string;
}

type Row = Omit<EffectiveRuleRow, "workload">;

/** A workload's key in its namespace's record starts with its kind in lower case. */
export const KIND_KEYS: Record<WorkloadPlan<string>["kind"], string> = {
    Deployment: "deployment",
    StatefulSet: "statefulset",
    DaemonSet: "daemonset",
    CronJob: "cronjob",
    Rollout: "rollout",
    Pod: "pod",
};

/** Describes the workloads of one plan; rows are made once per (shared) effective result. */
export class PlanDescriber {
    private readonly rows = new Map<PlannedEffective, readonly Row[]>();
    /** Joined value lists by identity: values inherited from one scope are shared arrays, joined once. */
    private readonly joined = new Map<readonly string[], string>();

    /** The effective rules as rows grouped by origin. */
    rowsOf(e: PlannedEffective): readonly Row[] {
        let rows = this.rows.get(e);
        if (!rows) {
            rows = effectiveRows(e, (values, separator) => this.join(values, separator));
            this.rows.set(e, rows);
        }
        return rows;
    }

    private join(values: readonly string[], separator: string): string {
        let j = this.joined.get(values);
        if (j === undefined) {
            j = values.join(separator);
            this.joined.set(values, j);
        }
        return j;
    }

    /**
     * ConfigMap data for one namespace: a key per workload, and the namespace's shared rules once; with its size (the
     * characters of its keys and values), counted as it is written.
     */
    namespaceRecord(
        ns: string,
        workloads: readonly WorkloadPlan<string>[],
        context: { meshes: readonly string[]; namespaceRules: boolean; admission?: { mode: string; scope: AdmissionScope } },
    ): { data: Record<string, string>; size: number } {
        // Keys no other record has (its workloads' names): made without a prototype, the engine keeps the object as a
        // dictionary from the start instead of making a hidden class per key added; it gets the usual prototype once
        // whole.
        const data: Record<string, string> = Object.create(null);
        let size = 0;
        // Every key is written once (a workload's kind and name are unique in its namespace), so the sum is exact.
        const put = (key: string, text: string) => {
            data[key] = text;
            size += key.length + text.length;
        };
        const sharing = workloads.find((w) => w.inheritsNamespace);
        put("meshes", `${context.meshes.join(",")}\n`);
        if (context.admission) {
            const { mode, scope } = context.admission;
            // The values are in the policy and under key 'namespace': the record names the keys, not their values again.
            const keys = [...Object.keys(scope.annotations).map((k) => `  annotation ${k}`), ...Object.keys(scope.labels).map((k) => `  label ${k}`)];
            put(
                "admission",
                `every new pod in ${ns} gets the keys below it does not carry, from MutatingAdmissionPolicy ${scope.name} ` +
                    `(admissionregistration.k8s.io/${mode}, the ${scope.scope} scope); running pods keep the rules they were created with:\n${keys.join("\n")}\n`,
            );
        }
        if (sharing) {
            const scopes = context.namespaceRules ? "namespace and global scopes" : "global scope";
            put("namespace", this.describeWorkload(sharing, `rules for every listed workload in ${ns} that sets none itself (${scopes}):`));
        }
        // The workloads that share the namespace's rules share its rendering, and so its hash: the pointer text is made once.
        const pointers = new Map<string | undefined, string>();
        const pointer = (hash: string | undefined) => {
            let text = pointers.get(hash);
            if (text === undefined) {
                text = `: the rules under key 'namespace'${hash ? ` (rollout hash ${hash})` : ""}\n`;
                pointers.set(hash, text);
            }
            return text;
        };
        for (const w of workloads) {
            put(
                `${KIND_KEYS[w.kind]}.${w.name}`,
                w.inheritsNamespace ? w.id + pointer(w.hash) : this.describeWorkload(w, `${w.id}${w.hash ? ` (rollout hash ${w.hash})` : ""}:`),
            );
        }
        Object.setPrototypeOf(data, Object.prototype);
        return { data, size };
    }

    /**
     * One workload's entry: each field's values grouped by origin. The pod-template annotations are not
     * repeated here (the Deployment shows them, and repeating them doubled the record toward the 1 MiB limit).
     */
    private describeWorkload(w: Pick<WorkloadPlan<string>, "effective">, title: string): string {
        const rows = this.rowsOf(w.effective);
        // Concatenated rather than joined: the engine then keeps long shared values by reference instead of copying them.
        let text = `${title}\n`;
        if (rows.length === 0) text += "no bypass rules: mesh defaults apply\n";
        for (const r of rows) text += `${r.field}: ${r.values}\n    from ${r.from}\n`;
        return text;
    }
}

function effectiveRows(e: PlannedEffective, join: (values: readonly string[], separator: string) => string): Row[] {
    const rows: Row[] = [];
    for (const f of Object.values(e.fields)) {
        const suffix = f.mergesWithInstall ? " + install defaults" : "";
        if (f.sources.length === 0) rows.push({ field: f.key, values: "(none)", from: f.setBy + suffix });
        for (const g of f.sources)
            rows.push({ field: f.key, values: join(g.values, VALUE_KINDS[FIELD_SPECS[f.key].values].separator), from: g.scopes.join(" + ") + suffix });
    }
    if (e.fullBypass) {
        const fb = e.fullBypass;
        const state = fb.active ? "enabled" : fb.expired ? `expired ${fb.expires}` : "disabled";
        const extra = [fb.reason && `reason: ${fb.reason}`, fb.expires && !fb.expired && `expires ${fb.expires}`].filter(Boolean).join("; ");
        rows.push({ field: "fullBypass", values: extra ? `${state} (${extra})` : state, from: fb.scope });
    }
    return rows;
}

/** The effective-rules table for every listed workload. */
export function effectiveTable(plan: BypassPlan<string>): EffectiveRuleRow[] {
    const describer = new PlanDescriber();
    return plan.workloads.flatMap((w) => describer.rowsOf(w.effective).map((r) => ({ workload: w.id, ...r })));
}

function clip(s: string, max = 100): string {
    if (s.length <= max) return s;
    const shown = s.slice(0, max).replace(/,[^,]*$/, "");
    const more = s.split(",").length - shown.split(",").length;
    return `${shown} (+${more} more)`;
}

const cell = (s: string) => clip(s).replace(/\|/g, "\\|");

/**
 * A markdown summary fit for a pull-request comment. `unreplaced`: what preview's live read found, per workload whose running pods this change will not replace (an
 * OnDelete StatefulSet or DaemonSet, a paused Deployment): known at preview only, where the summary is a PR comment.
 */
export function summaryMarkdown(
    plan: BypassPlan<string>,
    /** `registry`: the adapters the plan was made with, for the meshes' names; default the package's own. */
    options: { maxWorkloads?: number; unreplaced?: readonly string[]; registry?: MeshRegistry } = {},
): string {
    const maxWorkloads = options.maxWorkloads ?? 50;
    const describer = new PlanDescriber();
    const out = [`### Sidecar bypass (${plan.meshes.join(", ")})`, ""];
    const withRules = plan.workloads.filter((w) => describer.rowsOf(w.effective).length > 0);
    const registry: MeshRegistry = options.registry ?? MESHES;
    const byMesh = Object.entries(plan.objects).map(([mesh, list]) => ({ mesh: registry[mesh]?.displayName ?? mesh, list: list ?? [] }));
    const counts = byMesh.map((m) => `${m.list.length} ${m.mesh} object(s)`).join(", ") || "no mesh objects";
    out.push(`${plan.workloads.length} workload(s) in ${plan.namespaces.length} namespace(s); ${withRules.length} with bypass rules; ${counts}.`, "");
    if (withRules.length > 0) {
        out.push("| workload | field | values | from |", "| --- | --- | --- | --- |");
        for (const w of withRules.slice(0, maxWorkloads)) {
            for (const r of describer.rowsOf(w.effective)) out.push(`| ${w.id} | ${r.field} | ${cell(r.values)} | ${r.from} |`);
        }
        if (withRules.length > maxWorkloads) out.push("", `…and ${withRules.length - maxWorkloads} more workload(s).`);
        out.push("");
    }
    for (const k of byMesh.flatMap((m) => m.list.map((o) => ({ mesh: m.mesh, ...o })))) {
        out.push(
            `- ${k.mesh} ${k.patch ? "patch of " : ""}${k.kind} \`${k.metadata.namespace ? `${k.metadata.namespace}/` : ""}${k.metadata.name}\` (from ${k.scope})`,
        );
    }
    if (plan.admission.scopes.length > 0) {
        out.push(
            "",
            `**At admission** (MutatingAdmissionPolicy, admissionregistration.k8s.io/${plan.admission.mode}): every new pod in scope gets the keys it lacks`,
            "",
        );
        for (const s of plan.admission.scopes.slice(0, 10)) {
            const where = s.selections.map((sel) =>
                [...(sel.in ?? []), ...Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `labelled ${k}=${v}`)].join(", "),
            );
            out.push(`- ${s.scope}: ${where.join("; ")}`);
        }
        if (plan.admission.scopes.length > 10) out.push(`- …and ${plan.admission.scopes.length - 10} more scope(s)`);
    }
    const pods = [
        ...(options.unreplaced ?? []).map((u) => `- ${u}`),
        ...plan.replaceOnDelete.map((id) => `- ${id}: stale pods are evicted one at a time during up (rollout.replaceOnDeletePods)`),
    ];
    if (pods.length > 0) out.push("", "**Running pods**", "", ...pods);
    const kinds = kindNotices(plan.workloads.filter((w) => !w.declaredInProgram));
    if (kinds.length > 0) out.push("", ...kinds.map((k) => `- ${k}`));
    if (plan.warnings.length > 0) {
        out.push("", "**Warnings**", "");
        for (const w of plan.warnings) out.push(`- \`${w.path}\`: ${w.message}`);
    }
    return `${out.join("\n")}\n`;
}
