// Drift, in our words: which of the pod-template fields we declare another field manager has taken (someone ran
// `kubectl patch` on one of our annotations, or a chart sets it), read from a live workload's managedFields. Server-side
// apply refuses to change a field another manager owns with a different value (a conflict), so these are exactly the
// fields a patch without force would fail on. Pure: the component reads the live workload and asks this.
import { describeManager, ownerOfManager } from "./owner";

/** One entry of a live object's `metadata.managedFields` (metav1.ManagedFieldsEntry), as the API server returns it. */
export interface ManagedFieldsEntry {
    readonly manager?: string;
    /** `Apply` (server-side apply) or `Update` (create, update, patch: kubectl patch, edit, annotate, controllers). */
    readonly operation?: string;
    readonly subresource?: string;
    readonly fieldsType?: string;
    /** The owned fields as a trie: `{"f:spec": {"f:template": {"f:metadata": {"f:annotations": {"f:<key>": {}}}}}}`. */
    readonly fieldsV1?: unknown;
}

/** What the check needs of a live workload: its pod-template metadata and who manages which field. */
export interface LiveWorkload {
    readonly managedFields?: readonly ManagedFieldsEntry[];
    readonly templateAnnotations?: Readonly<Record<string, string>>;
    readonly templateLabels?: Readonly<Record<string, string>>;
    /** From the object to its pod template (a CronJob's is deeper); `spec.template` when absent. */
    readonly templatePath?: readonly string[];
}

const DEFAULT_TEMPLATE_PATH = ["spec", "template"];

/** A field of ours that another manager holds with another value. */
export interface TakenField {
    readonly kind: "annotation" | "label";
    readonly key: string;
    readonly manager: string;
    readonly operation: string;
    /** Its value in the cluster (absent if the live object no longer has it). */
    readonly theirs?: string;
    readonly ours: string;
}

function child(node: unknown, key: string): unknown {
    return node !== null && typeof node === "object" && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
}

/** The keys of the pod template's annotations or labels that one managedFields entry owns. */
function ownedKeys(entry: ManagedFieldsEntry, field: "annotations" | "labels", templatePath: readonly string[]): Set<string> {
    const node = [...templatePath, "metadata", field].reduce((n, key) => child(n, `f:${key}`), entry.fieldsV1);
    if (node === null || typeof node !== "object") return new Set();
    return new Set(
        Object.keys(node)
            .filter((k) => k.startsWith("f:"))
            .map((k) => k.slice(2)),
    );
}

/** The pod-template metadata fields one managedFields entry owns, whatever their keys. */
function ownsTemplateMetadata(entry: ManagedFieldsEntry, templatePath: readonly string[]): boolean {
    return ownedKeys(entry, "annotations", templatePath).size > 0 || ownedKeys(entry, "labels", templatePath).size > 0;
}

/**
 * The field managers of other sidecar-bypass components that own pod-template annotations or labels of this workload:
 * another component already manages it. Sorted, each once.
 */
export function otherComponentManagers(live: LiveWorkload, ourManager: string): string[] {
    const managers = (live.managedFields ?? [])
        .filter(
            (e) =>
                e.manager &&
                e.manager !== ourManager &&
                ownerOfManager(e.manager).kind === "component" &&
                ownsTemplateMetadata(e, live.templatePath ?? DEFAULT_TEMPLATE_PATH),
        )
        .map((e) => e.manager as string);
    return [...new Set(managers)].sort();
}

/** What preview says when another component already manages the workload: the error that stops this one's patch. */
export function describeOtherComponents(workload: string, managers: readonly string[]): string {
    return (
        `sidecar-bypass: ${workload} is already managed by ${managers.map(describeManager).join(" and ")}, so this component's ` +
        "patch was not sent (nothing of it was written). Two components never manage one workload: each would apply only its own " +
        "fields and undo the other's. Declare the workload's rules in that component, or remove the workload from it and run " +
        "that stack's up first (which releases its fields), then run this one again."
    );
}

/**
 * The planned pod-template annotations and labels that a manager other than `ourManager` owns with a value other than
 * ours, one entry per field and manager, in the order planned. A field another manager shares with the same value is
 * not taken (server-side apply shares it without conflict).
 */
export function takenFields(
    live: LiveWorkload,
    planned: { readonly annotations: Readonly<Record<string, string>>; readonly labels: Readonly<Record<string, string>> },
    ourManager: string,
): TakenField[] {
    // Another component is refused as a whole (otherComponentManagers), not field by field.
    const others = (live.managedFields ?? []).filter(
        (e) =>
            e.manager !== ourManager &&
            !(e.manager && ownerOfManager(e.manager).kind === "component") &&
            !e.subresource &&
            (e.fieldsType ?? "FieldsV1") === "FieldsV1",
    );
    const out: TakenField[] = [];
    for (const [kind, field, ours, liveValues] of [
        ["annotation", "annotations", planned.annotations, live.templateAnnotations ?? {}],
        ["label", "labels", planned.labels, live.templateLabels ?? {}],
    ] as const) {
        const owners = others.map((e) => ({ e, keys: ownedKeys(e, field, live.templatePath ?? DEFAULT_TEMPLATE_PATH) }));
        for (const [key, value] of Object.entries(ours)) {
            const theirs = liveValues[key];
            if (theirs === value) continue;
            for (const { e, keys } of owners) {
                if (!keys.has(key)) continue;
                out.push({
                    kind,
                    key,
                    manager: e.manager ?? "(unnamed manager)",
                    operation: e.operation ?? "Update",
                    ...(theirs !== undefined ? { theirs } : {}),
                    ours: value,
                });
            }
        }
    }
    return out;
}

const quoted = (v: string | undefined) => (v === undefined ? "(none)" : `'${v}'`);

function how(operation: string): string {
    return operation === "Apply" ? "server-side apply" : "an update: kubectl patch, edit or annotate, or a controller";
}

function lines(taken: readonly TakenField[]): string {
    return taken
        .map(
            (t) =>
                `  - pod-template ${t.kind} ${t.key}: taken by ${describeManager(t.manager)} (${how(t.operation)}); their value ${quoted(t.theirs)}, ours ${quoted(t.ours)}`,
        )
        .join("\n");
}

/**
 * What preview says about the taken fields of one workload. Without `takeOwnership` it is the error that stops the
 * update before the patch (nothing is written); with it, the note of what will be taken back.
 */
export function describeTakenFields(workload: string, taken: readonly TakenField[], takeOwnership: boolean): string {
    const managers = [...new Set(taken.map((t) => describeManager(t.manager)))].join(", ");
    const shared = taken.some((t) => ownerOfManager(t.manager).kind === "shared");
    if (takeOwnership) {
        return `takeOwnership: taking back from ${managers} on ${workload} (their values are overwritten with ours):\n${lines(taken)}`;
    }
    return (
        `sidecar-bypass: ${workload}: ${taken.length === 1 ? "a field" : `${taken.length} fields`} this component declares ` +
        `${taken.length === 1 ? "is" : "are"} now managed by ${managers}, so its patch would conflict and was not sent (nothing of it was written):\n${lines(taken)}\n` +
        "Either set takeOwnership: true on the component to take these fields back (their values are overwritten with ours; it is never " +
        "the default), or change the rules to declare their values, or have that manager give the fields up." +
        (shared
            ? "\nThe shared manager holds what this component (or another) applied before each component had its own: an up that " +
              "changes no rule moves its fields to this component's manager without a rollout; change the rules in the up after it."
            : "")
    );
}
