// Who owns what the component writes: one component instance in one stack of one project. Each owner applies under a
// field manager of its own and names its objects apart, so two components never undo each other's fields silently
// (server-side apply gives a manager exactly the fields it last applied) and never write the same object.
import { createHash } from "node:crypto";
import { kubeName, LABEL_MAX } from "../rules/kubeNames";
import { MANAGED_BY_LABEL, NAMES, PRODUCT } from "../rules/names";

export interface ComponentOwner {
    readonly project: string;
    readonly stack: string;
    /** The component's resource name in its program. */
    readonly component: string;
}

/** The one field manager every component shared before owners had their own; a stack that still holds it migrates. */
export const SHARED_FIELD_MANAGER = PRODUCT;
const MANAGER_PREFIX = `${SHARED_FIELD_MANAGER}:`;
/** The API server's limit on a field manager's length (apimachinery's ValidateFieldManager). */
const FIELD_MANAGER_MAX = 128;
const HASH_LENGTH = 10;

const digest = (text: string, length: number) => createHash("sha256").update(text).digest("hex").slice(0, length);
/** The owner as one text, each part apart: a project or short stack name has no '/', so the parts read back. */
const ownerText = (o: ComponentOwner) => `${o.project}/${o.stack}/${o.component}`;

/**
 * The owner's field manager: `sidecar-bypass:<project>/<stack>/<component>`. A longer one than the API server takes
 * keeps its start and gets a hash of the whole, so it stays the owner's own and is the same at every run.
 */
export function fieldManagerOf(o: ComponentOwner): string {
    const full = `${MANAGER_PREFIX}${ownerText(o)}`;
    if (full.length <= FIELD_MANAGER_MAX) return full;
    return `${full.slice(0, FIELD_MANAGER_MAX - HASH_LENGTH - 1)}~${digest(full, HASH_LENGTH)}`;
}

/**
 * The prefix of every object the owner names (records, Kuma policies): the component and stack to read, and a hash of
 * the whole owner, so owners whose names differ only in what a Kubernetes name cannot hold stay apart.
 */
export function objectPrefixOf(o: ComponentOwner): string {
    return kubeName(`${SHARED_FIELD_MANAGER}-${o.component}-${o.stack}-${digest(ownerText(o), 6)}`);
}

/** The labels on every object the owner creates, cut to what a label value holds (the field manager names it whole). */
export function ownerLabels(o: ComponentOwner): Record<string, string> {
    return {
        [MANAGED_BY_LABEL]: PRODUCT,
        [NAMES.componentLabel]: kubeName(o.component, LABEL_MAX),
        [NAMES.stackLabel]: kubeName(o.stack, LABEL_MAX),
        [NAMES.projectLabel]: kubeName(o.project, LABEL_MAX),
    };
}

/** What a field manager says of its owner. */
export type ManagerOwner =
    | { readonly kind: "component"; readonly manager: string; readonly owner?: ComponentOwner }
    | { readonly kind: "shared"; readonly manager: string }
    | { readonly kind: "other"; readonly manager: string };

export function ownerOfManager(manager: string): ManagerOwner {
    if (manager === SHARED_FIELD_MANAGER) return { kind: "shared", manager };
    if (!manager.startsWith(MANAGER_PREFIX)) return { kind: "other", manager };
    const text = manager.slice(MANAGER_PREFIX.length);
    const [project, stack, ...component] = text.split("/");
    // A shortened manager (`~hash`) no longer holds the whole component name.
    if (component.length === 0 || (manager.length === FIELD_MANAGER_MAX && /~[0-9a-f]+$/.test(manager))) return { kind: "component", manager };
    return { kind: "component", manager, owner: { project, stack, component: component.join("/") } };
}

/** A field manager in words: a component by its name, stack and project where the manager says them. */
export function describeManager(manager: string): string {
    const m = ownerOfManager(manager);
    if (m.kind === "shared") return `'${manager}' (the field manager every sidecar-bypass component shared before each had its own)`;
    if (m.kind === "other") return `'${manager}'`;
    if (!m.owner) return `the sidecar-bypass component whose field manager is '${manager}'`;
    return `the sidecar-bypass component '${m.owner.component}' of stack '${m.owner.stack}' (project '${m.owner.project}')`;
}
