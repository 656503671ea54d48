// Reading a mesh's pod-template keys back into the rules they mean: what a hand-written annotation says, as the
// component's arguments would say it. Validation then judges it like any declared rule (the guardrails, what the mesh
// would refuse, what has no effect), which is what the policy pack tells other stacks.
import { FIELD_SPECS, type FieldKey } from "../rules/fields";
import type { PlainBypassArgs } from "../rules/schema";

/** A scope's rules in the arguments' own shape. */
export type ReadRules = NonNullable<PlainBypassArgs["global"]>;

/** The keys a pod template carries. */
export interface PodKeys {
    readonly annotations: Readonly<Record<string, string>>;
    readonly labels: Readonly<Record<string, string>>;
}

/** What one mesh's keys on a pod template say. */
export interface ReadBack {
    /** The mesh's keys that are set, each with its value. */
    readonly keys: Readonly<Record<string, string>>;
    /** The rules they mean; values are as written, for validation to judge. */
    readonly rules: ReadRules;
    /** Rule fields (e.g. `outbound.excludeIpRanges`) by the key each was read from, to name the key in a message. */
    readonly fieldKeys: Readonly<Partial<Record<FieldKey, string>>>;
}

/** A comma-separated list as a mesh reads it: items trimmed, empty ones dropped. */
export function commaList(text: string): string[] {
    return text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

/**
 * Ports as written (`8080`, or `7000-7003` where the mesh takes ranges) as numbers; an item that is not one is kept as
 * its text, so validation refuses it by name.
 */
export function portItems(text: string, ranges: boolean): Array<number | string> {
    return commaList(text).flatMap((item): Array<number | string> => {
        const range = ranges ? /^(\d{1,5})-(\d{1,5})$/.exec(item) : null;
        if (range) {
            const [a, b] = [Number(range[1]), Number(range[2])];
            // A reversed or huge range is kept as text for validation to refuse, rather than expanded.
            return a <= b && b - a < 65536 ? Array.from({ length: b - a + 1 }, (_, i) => a + i) : [item];
        }
        return /^\d+$/.test(item) ? [Number(item)] : [item];
    });
}

type Group = Record<string, unknown>;

/**
 * Reads a mesh's annotation table back: each field's annotation, when set, as that field's values (`*` as the field's
 * "all" flag where it has one). `values` reads a field the table's generic reading does not fit (a mesh's own grammar).
 */
export function readAnnotationTable(
    table: Partial<Record<FieldKey, string>>,
    pod: PodKeys,
    options: { portRanges: boolean; values?: (key: FieldKey, text: string) => unknown[] | undefined },
): ReadBack | undefined {
    const keys: Record<string, string> = {};
    const fieldKeys: Partial<Record<FieldKey, string>> = {};
    const groups: Record<string, Group> = {};
    for (const [key, annotation] of Object.entries(table) as Array<[FieldKey, string]>) {
        const text = pod.annotations[annotation];
        if (text === undefined) continue;
        keys[annotation] = text;
        fieldKeys[key] = annotation;
        const spec = FIELD_SPECS[key];
        const group = groups[spec.group] ?? {};
        groups[spec.group] = group;
        if (text.trim() === "*" && spec.allFlag) {
            group[spec.allFlag] = true;
            continue;
        }
        group[spec.name] = options.values?.(key, text) ?? (spec.values === "ports" ? portItems(text, options.portRanges) : commaList(text));
    }
    if (Object.keys(keys).length === 0) return undefined;
    // Built from the field table, so typed loosely; validation checks every value against the schema.
    return { keys, rules: groups as ReadRules, fieldKeys };
}
