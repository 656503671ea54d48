// What a mesh adapter is: everything the package knows about one mesh, in one object. Validation sees its traits
// (name, sidecar ports, options); planning asks it to render each workload and for the cluster objects it needs;
// the transform and the component read the keys it owns. Adapters know only their own mesh's formats.
import type { Mesh } from "../args";
import type { EffectiveField, EffectiveRules } from "../resolve/effective";
import type { FieldKey } from "../rules/fields";
import type { MeshTraits } from "../rules/meshTraits";
import type { PlainBypassArgs } from "../rules/schema";
import type { NormalisedRules, NormalisedWorkload } from "../rules/types";
import type { PodKeys, ReadBack } from "./readBack";

export interface RenderInput<Settings> {
    readonly effective: EffectiveRules;
    /** This mesh's settings (its options with their defaults). */
    readonly settings: Settings;
    /** Every mesh selected, for adapters whose advice depends on the others. */
    readonly meshes: readonly string[];
    /** The workload's own listed rules, when it is rendered on its own; absent when it shares its namespace's. */
    readonly workload?: NormalisedWorkload;
}

export interface Rendered {
    readonly annotations: Record<string, string>;
    readonly labels: Record<string, string>;
    /** Rules this mesh cannot express or that have no effect on its data plane: warnings at preview. */
    readonly notes: string[];
}

/** A cluster object a mesh needs besides the pod templates (Kuma's policies, its Mesh patch). */
export interface ClusterObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    readonly spec: Record<string, unknown>;
    /** Which scope produced it, for grouping and explanation. */
    readonly scope: string;
    /** A patch of an object someone else owns (Kuma's Mesh), rather than an object we create. */
    readonly patch: boolean;
}

/** A ConfigMap a mesh keeps its install's defaults in, read at preview when the user asks. */
export interface ClusterDefaults {
    /** Names the read in the stack, e.g. `istio-injector`. */
    readonly readName: string;
    /** Where to read, or undefined when the arguments do not ask for it. */
    source(args: PlainBypassArgs): { namespace: string; name: string } | undefined;
    /** The arguments with what was read (the ConfigMap's data, `{}` while unknown) in place of the request. */
    apply(args: PlainBypassArgs, data: Readonly<Record<string, string>>): PlainBypassArgs;
}

export interface MeshAdapter<Settings = unknown, Id extends string = Mesh> extends MeshTraits<Settings> {
    readonly id: Id;
    /** Every pod-template annotation and label key the adapter may write: changes to them replace bare Pods. */
    readonly annotationKeys: readonly string[];
    readonly labelKeys: readonly string[];
    /** One workload's pod-template annotations and labels. */
    render(input: RenderInput<Settings>): Rendered;
    /** The cluster objects for the whole rule set; `name` prefixes them so several components can coexist. */
    objects?(rules: NormalisedRules, settings: Settings, name: string): ClusterObject[];
    /** Choices the adapter made that a reviewer should see (not problems); preview prints them. */
    notices?(settings: Settings, rules: NormalisedRules): string[];
    readonly clusterDefaults?: ClusterDefaults;
    /** What this mesh's keys on a pod template say, as rules (see readBack.ts); undefined when none is set. */
    readBack?(pod: PodKeys): ReadBack | undefined;
}

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
        // A field with values that the mesh cannot write says why in the adapter's own note.
        else if (emptyNote && f.sources.length === 0) out.notes.push(emptyNote(f.key));
    }
    if (effective.fullBypass?.active) {
        out.notes.push(`${mesh} cannot take a pod out of the mesh through traffic annotations; fullBypass is not applied for ${mesh}`);
    }
    return out;
}
