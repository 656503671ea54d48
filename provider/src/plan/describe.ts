// Explaining a plan to people: the per-namespace ConfigMap text, the effective-rules table and the
// markdown summary for a pull request. Values are grouped by the scopes they came from.
import type { NormalisedRules } from "../rules/types";
import type { BypassPlan, WorkloadPlan } from "./planBypass";
import { type EffectiveRules, joinedValues } from "./resolveScopes";

/** One row of the effective-rules table: the values of one field that came from the same scopes. */
export interface EffectiveRuleRow {
    workload: string;
    field: string;
    values: string;
    from: string;
}

const grouped = new WeakMap<EffectiveRules, Array<{ field: string; values: string; from: string }>>();

/** The effective rules as rows grouped by origin; cached per (shared) effective result. */
export function effectiveRows(e: EffectiveRules): ReadonlyArray<{ field: string; values: string; from: string }> {
    let rows = grouped.get(e);
    if (rows) return rows;
    rows = [];
    for (const f of Object.values(e.fields)) {
        const suffix = f.mergesWithInstall ? " + install defaults" : "";
        if (f.sources.length === 0) rows.push({ field: f.key, values: "(none)", from: f.setBy + suffix });
        for (const g of f.sources) {
            // One group holding every value (the common case) reuses the string the meshes wrote.
            const values = f.sources.length === 1 && !f.all ? joinedValues(f) : g.values.join(",");
            rows.push({ field: f.key, values, from: g.scopes.join(" + ") + suffix });
        }
    }
    if (e.fullBypass) {
        const fb = e.fullBypass;
        const state = fb.active ? "enabled" : fb.expired ? `expired ${fb.expires}` : "disabled";
        const extra = [fb.reason && `reason: ${fb.reason}`, fb.expires && !fb.expired && `expires ${fb.expires}`].filter(Boolean).join("; ");
        rows.push({ field: "fullBypass", values: extra ? `${state} (${extra})` : state, from: fb.scope });
    }
    grouped.set(e, rows);
    return rows;
}

/**
 * One workload's entry: each field's values grouped by origin. The pod-template annotations are not
 * repeated here (the Deployment shows them, and repeating them doubled the record toward the 1 MiB limit).
 */
function describeWorkload(w: Pick<WorkloadPlan, "effective">, title: string): string {
    const lines = [title];
    const rows = effectiveRows(w.effective);
    if (rows.length === 0) lines.push("no bypass rules: mesh defaults apply");
    for (const r of rows) lines.push(`${r.field}: ${r.values}`, `    from ${r.from}`);
    return lines.join("\n") + "\n";
}

/** ConfigMap data for one namespace: a key per workload, and the namespace's shared rules once. */
export function describeNamespace(ns: string, workloads: readonly WorkloadPlan[], rules: NormalisedRules): Record<string, string> {
    const data: Record<string, string> = {};
    const nsRules = rules.namespaces.get(ns);
    const sharing = workloads.filter((w) => w.inheritsNamespace);
    data["meshes"] = rules.meshes.join(",") + "\n";
    if (sharing.length > 0) {
        data["namespace"] = describeWorkload(sharing[0], `rules for every listed workload in ${ns} that sets none itself (${nsRules ? "namespace and global scopes" : "global scope"}):`);
    }
    for (const w of workloads) {
        const key = `${w.kind.toLowerCase()}.${w.name}`;
        data[key] = w.inheritsNamespace
            ? `${w.id}: the rules under key 'namespace'${w.hash ? ` (rollout hash ${w.hash})` : ""}\n`
            : describeWorkload(w, `${w.id}${w.hash ? ` (rollout hash ${w.hash})` : ""}:`);
    }
    return data;
}

/** The effective-rules table for every listed workload. */
export function effectiveTable(plan: BypassPlan): EffectiveRuleRow[] {
    return plan.workloads.flatMap((w) => effectiveRows(w.effective).map((r) => ({ workload: w.id, ...r })));
}

function clip(s: string, max = 100): string {
    if (s.length <= max) return s;
    const shown = s.slice(0, max).replace(/,[^,]*$/, "");
    const more = s.split(",").length - shown.split(",").length;
    return `${shown} (+${more} more)`;
}

const cell = (s: string) => clip(s).replace(/\|/g, "\\|");

/** A markdown summary fit for a pull-request comment. */
export function summaryMarkdown(plan: BypassPlan, maxWorkloads = 50): string {
    const out = [`### Sidecar bypass (${plan.meshes.join(", ")})`, ""];
    const withRules = plan.workloads.filter((w) => effectiveRows(w.effective).length > 0);
    out.push(`${plan.workloads.length} workload(s) in ${plan.namespaces.length} namespace(s); ${withRules.length} with bypass rules; ${plan.kuma.length} Kuma object(s).`, "");
    if (withRules.length > 0) {
        out.push("| workload | field | values | from |", "| --- | --- | --- | --- |");
        for (const w of withRules.slice(0, maxWorkloads)) {
            for (const r of effectiveRows(w.effective)) out.push(`| ${w.id} | ${r.field} | ${cell(r.values)} | ${r.from} |`);
        }
        if (withRules.length > maxWorkloads) out.push("", `…and ${withRules.length - maxWorkloads} more workload(s).`);
        out.push("");
    }
    for (const k of plan.kuma) {
        out.push(`- Kuma ${k.patch ? "patch of " : ""}${k.kind} \`${k.metadata.namespace ? `${k.metadata.namespace}/` : ""}${k.metadata.name}\` (from ${k.scope})`);
    }
    if (plan.warnings.length > 0) {
        out.push("", "**Warnings**", "");
        for (const w of plan.warnings) out.push(`- \`${w.path}\`: ${w.message}`);
    }
    return out.join("\n") + "\n";
}
