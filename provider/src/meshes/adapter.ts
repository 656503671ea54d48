// What a mesh adapter is: a pure function from one workload's effective rules to the pod-template
// annotations and labels that mesh reads. Adapters know only their own mesh's formats.
import type { Mesh } from "../args";
import type { EffectiveField, EffectiveRules } from "../plan/resolveScopes";
import type { FieldKey } from "../rules/fields";
import type { IstioInstall, WorkloadIdentity } from "../rules/types";

export interface RenderInput {
    readonly effective: EffectiveRules;
    readonly istio: IstioInstall;
    /** Every mesh selected, for adapters whose advice depends on the others. */
    readonly meshes: readonly Mesh[];
    /** Present when the workload has its own passthrough policy and must be selectable by label. */
    readonly passthroughWorkload?: WorkloadIdentity;
}

export interface Rendered {
    readonly annotations: Record<string, string>;
    readonly labels: Record<string, string>;
    /** Rules this mesh cannot express or that have no effect on its data plane. */
    readonly notes: string[];
}

export type MeshRenderer = (input: RenderInput) => Rendered;

export function emptyRendered(): { annotations: Record<string, string>; labels: Record<string, string>; notes: string[] } {
    return { annotations: {}, labels: {}, notes: [] };
}

/** Writes the exclude lists a mesh supports as comma-joined annotations; notes the rest. */
export function renderExcludeLists(
    mesh: string,
    effective: EffectiveRules,
    annotationFor: Partial<Record<FieldKey, string>>,
    format: (f: EffectiveField) => string,
    /** Note for a field set to an empty list, where the mesh cannot express "none". */
    emptyNote?: (key: FieldKey) => string,
    /** Why the mesh cannot express a field, where a plain "has no per-pod field" would mislead. */
    cannot: Partial<Record<FieldKey, string>> = {},
): ReturnType<typeof emptyRendered> {
    const out = emptyRendered();
    for (const f of Object.values(effective.fields)) {
        const name = annotationFor[f.key];
        if (!name) {
            out.notes.push(cannot[f.key] ?? `${mesh} has no per-pod ${f.key}; it is not applied for ${mesh}`);
            continue;
        }
        const value = format(f);
        if (value !== "") out.annotations[name] = value;
        else if (emptyNote) out.notes.push(emptyNote(f.key));
    }
    if (effective.fullBypass?.active) {
        out.notes.push(`${mesh} cannot take a pod out of the mesh through traffic annotations; fullBypass is not applied for ${mesh}`);
    }
    return out;
}
