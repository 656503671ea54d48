// The pull-request comment: what a change does, not the state. From `pulumi preview --json`, the component's steps
// say it all: each workload patch's old and new pod-template keys (read back by each mesh into rule fields), the
// namespace records' new provenance (which scope a value comes from), the rollout hash (whether pods roll), the
// admission policies created, changed or removed, and what the component reported. Grouped and cut so that 10,000
// workloads stay readable and under GitHub's 65,536-character limit; a no-op is one line.
import { MESHES, type MeshRegistry } from "../meshes/registry";
import { ROLLOUT_HASH_ANNOTATION } from "../plan/rolloutHash";
import { FIELD_SPECS, type FieldKey } from "../rules/fields";
import { listFew } from "../rules/listFew";
import { workloadId } from "../rules/names";
import { VALUE_KINDS } from "../rules/valueKinds";
import { templateOf, WORKLOAD_KINDS } from "../rules/workloadKinds";

/** The parts of `pulumi preview --json` the comment reads. */
export interface PreviewJson {
    readonly steps?: readonly PreviewStep[];
    readonly diagnostics?: ReadonlyArray<{ readonly urn?: string; readonly message?: string; readonly severity?: string }>;
}

export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly oldState?: { readonly type?: string; readonly inputs?: Record<string, unknown> };
    readonly newState?: { readonly type?: string; readonly inputs?: Record<string, unknown> };
}

const COMPONENT_TYPE = "sidecar-bypass:index:SidecarBypass";
/** GitHub refuses a comment longer than 65,536 characters; the comment stops well before. */
export const COMMENT_LIMIT = 60_000;

type Keys = Readonly<Record<string, string>>;
type Meta = { readonly name?: string; readonly namespace?: string; readonly annotations?: Keys; readonly labels?: Keys };

/** One key's change on one workload, in the rule field's words where a mesh reads the key as one. */
interface KeyChange {
    readonly what: string;
    readonly added: readonly string[];
    readonly removed: readonly string[];
}

interface WorkloadChange {
    readonly id: string;
    readonly rolls: string | undefined;
    readonly keys: readonly KeyChange[];
}

const ours = (s: PreviewStep) => s.urn.includes(`${COMPONENT_TYPE}$`);
const typeOf = (s: PreviewStep) => s.newState?.type ?? s.oldState?.type ?? "";
/** A patch of a workload kind the component lists: `kubernetes:apps/v1:DeploymentPatch` → Deployment. */
function patchedKind(type: string): keyof typeof WORKLOAD_KINDS | undefined {
    const kind = /:(\w+)Patch$/.exec(type)?.[1];
    return kind !== undefined && kind in WORKLOAD_KINDS ? (kind as keyof typeof WORKLOAD_KINDS) : undefined;
}

/** The workload's pod-template keys in one state of its patch. */
function templateKeys(kind: keyof typeof WORKLOAD_KINDS, inputs: Record<string, unknown> | undefined): { annotations: Keys; labels: Keys } {
    const meta = (templateOf(kind, inputs) as { metadata?: Meta } | undefined)?.metadata;
    return { annotations: meta?.annotations ?? {}, labels: meta?.labels ?? {} };
}

/** The provenance a namespace's record gives: per workload id and rule field, the scope of each value. */
function provenance(records: ReadonlyArray<Record<string, unknown>>): Map<string, Map<string, string>> {
    const scopes = new Map<string, Map<string, string>>();
    for (const inputs of records) {
        const data = (inputs.data ?? {}) as Record<string, string>;
        const rows = (text: string) => {
            const out = new Map<string, string>();
            const lines = text.split("\n");
            lines.forEach((line, i) => {
                const m = /^([\w.]+): (.*)$/.exec(line);
                const from = /^ {4}from (.*)$/.exec(lines[i + 1] ?? "")?.[1];
                if (!m || from === undefined) return;
                const kind = FIELD_SPECS[m[1] as FieldKey]?.values;
                const separator = kind ? VALUE_KINDS[kind].separator : ",";
                for (const v of m[2].split(separator)) out.set(`${m[1]} ${v}`, from);
            });
            return out;
        };
        const shared = rows(data.namespace ?? "");
        for (const [key, text] of Object.entries(data)) {
            const id = /^(\S+?)(?: \(rollout hash \w+\))?:/.exec(text)?.[1];
            if (!id || !key.includes(".")) continue;
            scopes.set(id, text.includes("the rules under key 'namespace'") ? shared : rows(text));
        }
    }
    return scopes;
}

/** What changed of one mesh's keys, in rule fields where the mesh reads them as one. */
function keyChanges(
    before: { annotations: Keys; labels: Keys },
    after: { annotations: Keys; labels: Keys },
    registry: MeshRegistry,
    from?: Map<string, string>,
): KeyChange[] {
    const changes: KeyChange[] = [];
    for (const adapter of Object.values(registry)) {
        const old = adapter.readBack?.(before);
        const now = adapter.readBack?.(after);
        if (!old && !now) continue;
        const fieldOf = new Map<string, FieldKey>(
            [...Object.entries(old?.fieldKeys ?? {}), ...Object.entries(now?.fieldKeys ?? {})].map(([f, k]) => [k as string, f as FieldKey]),
        );
        const keys = [...new Set([...Object.keys(old?.keys ?? {}), ...Object.keys(now?.keys ?? {})])].sort();
        for (const key of keys) {
            const field = fieldOf.get(key);
            const separator = field ? VALUE_KINDS[FIELD_SPECS[field].values].separator : ",";
            const items = (text: string | undefined) => (text === undefined ? [] : text.split(separator).filter((v) => v !== ""));
            const a = items(old?.keys[key]);
            const b = items(now?.keys[key]);
            const added = b.filter((v) => !a.includes(v));
            const removed = a.filter((v) => !b.includes(v));
            if (old?.keys[key] === now?.keys[key]) continue;
            // The same items written in another order change nothing the mesh reads.
            if (added.length === 0 && removed.length === 0 && a.length + b.length > 0) continue;
            const scoped = (v: string) => {
                const scope = field && from?.get(`${field} ${v}`);
                return scope ? `${v} (${scope})` : v;
            };
            const what = field ? `${field} (${adapter.displayName} \`${key}\`)` : `\`${key}\``;
            // A key set to or from an empty value (capture off, say) has no items to list: its text says it.
            if (added.length === 0 && removed.length === 0)
                changes.push({ what, added: [JSON.stringify(now?.keys[key] ?? "")], removed: [JSON.stringify(old?.keys[key] ?? "")] });
            else changes.push({ what, added: added.map(scoped), removed });
        }
    }
    return changes;
}

function rollsOf(step: PreviewStep, kind: keyof typeof WORKLOAD_KINDS, before: Keys, after: Keys): string | undefined {
    if (step.op === "delete" || step.op === "delete-replaced") return "its keys are removed: pods roll";
    if (before[ROLLOUT_HASH_ANNOTATION] === after[ROLLOUT_HASH_ANNOTATION]) return undefined;
    return WORKLOAD_KINDS[kind].onTemplateChange === "next-job" ? "the next Job gets the new rules" : "pods roll";
}

/** The comment for a preview, in Markdown. */
export function changeComment(preview: PreviewJson, options: { registry?: MeshRegistry; maxGroups?: number } = {}): string {
    const registry = options.registry ?? MESHES;
    const steps = (preview.steps ?? []).filter(ours);
    const records = steps.filter((s) => typeOf(s) === "kubernetes:core/v1:ConfigMapPatch" || typeOf(s) === "kubernetes:core/v1:ConfigMap");
    const from = provenance(records.flatMap((s) => (s.newState?.inputs ? [s.newState.inputs] : [])));
    const changes: WorkloadChange[] = [];
    for (const step of steps) {
        const kind = patchedKind(typeOf(step));
        if (!kind || step.op === "same" || step.op === "read") continue;
        const meta = ((step.newState ?? step.oldState)?.inputs?.metadata ?? {}) as Meta;
        const id = workloadId({ kind, namespace: meta.namespace ?? "default", name: meta.name ?? "" });
        const before = templateKeys(kind, step.op === "create" ? undefined : step.oldState?.inputs);
        const after = templateKeys(kind, step.op === "delete" ? undefined : step.newState?.inputs);
        const keys = keyChanges(before, after, registry, from.get(id));
        const rolls = rollsOf(step, kind, before.annotations, after.annotations);
        if (keys.length > 0 || rolls) changes.push({ id, rolls, keys });
    }
    // Every listed workload has a patch step, a "same" one when it does not change, but preview --json shows those only
    // with --show-sames (it always shows the stack's own step). Without it the unchanged are not counted, rather than
    // counted as none.
    const listed = new Set(steps.filter((s) => patchedKind(typeOf(s)) !== undefined).map((s) => s.urn));
    const counted = (preview.steps ?? []).some((s) => s.op === "same" && typeOf(s) !== "pulumi:pulumi:Stack");
    const admission = steps
        .filter((s) => /:MutatingAdmissionPolicy$/.test(typeOf(s)) && s.op !== "same" && s.op !== "read")
        .map((s) => `\`${String(((s.newState ?? s.oldState)?.inputs?.metadata as Meta | undefined)?.name)}\`: ${verb(s.op)}`);
    const reported = [
        ...new Set(
            (preview.diagnostics ?? [])
                .filter((d) => d.urn?.includes(COMPONENT_TYPE) && (d.severity === "warning" || d.severity === "error"))
                .map((d) => `${d.severity}: ${(d.message ?? "").trim()}`),
        ),
    ];
    const rolling = changes.filter((c) => c.rolls).length;
    const unchanged = Math.max(0, listed.size - changes.length);
    const plural = (n: number) => `${n} workload${n === 1 ? "" : "s"}`;
    if (changes.length === 0 && admission.length === 0) {
        return `**Sidecar bypass**: no change${counted ? ` (${plural(unchanged)} unchanged)` : ""}${reported.some((r) => r.startsWith("error")) ? `; ${reported.filter((r) => r.startsWith("error")).length} refused` : ""}.\n`;
    }
    const out = ["### Sidecar bypass: what this change does", ""];
    // Workloads with the same change are one group (a namespace rule reaches many workloads the same way).
    const groups = new Map<string, WorkloadChange[]>();
    for (const c of changes) {
        const signature = JSON.stringify([c.rolls, c.keys]);
        groups.set(signature, [...(groups.get(signature) ?? []), c]);
    }
    const maxGroups = options.maxGroups ?? 40;
    const sorted = [...groups.values()].sort((a, b) => b.length - a.length || a[0].id.localeCompare(b[0].id));
    for (const group of sorted.slice(0, maxGroups)) {
        const [first] = group;
        out.push(
            `- ${listFew(
                group.map((c) => `\`${c.id}\``),
                5,
            )}${first.rolls ? `: ${first.rolls}` : ""}`,
        );
        for (const k of first.keys) {
            const parts = [k.added.length > 0 ? `+ ${k.added.join(", ")}` : "", k.removed.length > 0 ? `− ${k.removed.join(", ")}` : ""].filter((p) => p);
            out.push(`  - ${k.what}: ${parts.join("; ")}`);
        }
    }
    if (sorted.length > maxGroups) {
        const rest = sorted.slice(maxGroups).reduce((n, g) => n + g.length, 0);
        out.push(`- … ${sorted.length - maxGroups} more group(s) of changes, ${rest} workload(s), not shown (see the preview)`);
    }
    if (admission.length > 0) out.push("", "**Admission policies** (pods created from now on):", "", ...admission.slice(0, 20).map((a) => `- ${a}`));
    if (admission.length > 20) out.push(`- … and ${admission.length - 20} more`);
    if (reported.length > 0) out.push("", "**Reported**", "", ...reported.slice(0, 20).map((r) => `- ${r.replace(/\n/g, " ")}`));
    if (reported.length > 20) out.push(`- … and ${reported.length - 20} more`);
    const total = `${plural(changes.length)} change, ${rolling} roll${counted ? `, ${unchanged} unchanged` : ""}`;
    out.push("", `**${total}.**`);
    let text = `${out.join("\n")}\n`;
    if (text.length > COMMENT_LIMIT) {
        text = `${text.slice(0, COMMENT_LIMIT - 200).replace(/\n[^\n]*$/, "")}\n\n… cut at ${COMMENT_LIMIT} characters (see the preview).\n\n**${total}.**\n`;
    }
    return text;
}

function verb(op: string): string {
    return op === "create" ? "created" : op === "delete" ? "removed" : op.includes("replace") ? "replaced" : "changed";
}
