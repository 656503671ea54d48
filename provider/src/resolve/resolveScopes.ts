// resolve: global → namespace → workload. Per field the most specific scope that sets it wins; a scope that says
// `merge` unions with what it would override (at the top of the chain: the mesh install's defaults). Every value
// remembers the scopes it came from. The property test's model (tests/property/plan.property.test.ts) is the
// specification this follows.
//
// A chain is resolved one scope at a time, each step building on the result of the less specific scopes: the
// global scope is resolved once, each namespace once from it, and a workload with rules of its own in one step
// from its namespace's result.
import { FIELDS, type FieldKey, type FieldSpec } from "../rules/fields";
import type { FieldSetting, NormalisedRules, NormalisedScope, NormalisedWorkload } from "../rules/types";
import { type FieldValues, unionValues, type ValuesUnion, valueTexts } from "../rules/valueKinds";
import type { EffectiveField, EffectiveRules, Provenanced } from "./effective";

/** A scope whose setting of a field is in force. */
interface UsedSetting {
    readonly scope: string;
    readonly setting: FieldSetting;
}

/** One field resolved along the start of a chain: the result, and what the next scope's merge builds on. */
interface FieldState {
    readonly field: EffectiveField;
    /** The scopes in force, least → most specific; bit i of a tag stands for used[i] (a chain has at most three). */
    readonly used: readonly UsedSetting[];
    /** Per value, the bits of the scopes it came from, read through the union that made them (see ValuesUnion.tags). */
    readonly tagged: Pick<ValuesUnion, "tags">;
    /** The bits of the scopes that set `all`. */
    readonly allMask: number;
    /** Where each group of `field.sources` starts in the values (`*`: -1): where a later scope's group goes. */
    readonly starts: readonly number[];
}

/** A chain resolved up to some scope. */
interface ChainState {
    readonly effective: EffectiveRules;
    readonly fields: Partial<Record<FieldKey, FieldState>>;
}

const EMPTY: ChainState = { effective: { fields: {} }, fields: {} };

/** The chain state after one more scope: fields it does not set keep the previous state (the same objects). */
function step(prev: ChainState, scope: NormalisedScope): ChainState {
    const fields: Partial<Record<FieldKey, EffectiveField>> = {};
    const states: Partial<Record<FieldKey, FieldState>> = {};
    for (const spec of FIELDS) {
        const s = stepField(prev.fields[spec.key], scope, spec);
        if (!s) continue;
        states[spec.key] = s;
        fields[spec.key] = s.field;
    }
    const fb = scope.fullBypass;
    const fullBypass = fb ? { ...fb, scope: scope.ref.label, active: fb.enabled && !fb.expired } : prev.effective.fullBypass;
    return { effective: fullBypass ? { fields, fullBypass } : { fields }, fields: states };
}

function stepField(prev: FieldState | undefined, scope: NormalisedScope, spec: FieldSpec): FieldState | undefined {
    const setting = scope.fields[spec.key];
    if (!setting) return prev;
    const used = { scope: scope.ref.label, setting };
    if (!prev || setting.inherit === "override") {
        // The chain starts again here; it reaches the top (the install's defaults) only by merging all the way.
        const tagged = { tags: setting.values.list.map(() => 1) };
        return fieldState(spec.key, [used], setting.values, tagged, setting.all ? 1 : 0, setting.inherit !== "override");
    }
    const bit = 1 << prev.used.length;
    const merged = unionValues(prev.field.values, prev.tagged.tags, setting.values, bit);
    const chain = [...prev.used, used];
    const allMask = prev.allMask | (setting.all ? bit : 0);
    // The scope's values went in apart from the earlier ones (a workload's few ranges among its namespace's many): each
    // earlier group keeps its values, and the scope's whole setting is one group more, placed where its first value went.
    const grouped = merged.at?.length && allMask === 0 ? withGroup(prev, merged.at, { scopes: [used.scope], values: setting.texts }) : undefined;
    return fieldState(spec.key, chain, merged.values, merged, allMask, prev.field.mergesWithInstall, grouped);
}

function fieldState(
    key: FieldKey,
    used: readonly UsedSetting[],
    values: FieldValues,
    tagged: Pick<ValuesUnion, "tags">,
    allMask: number,
    mergesWithInstall: boolean,
    grouped: Grouped = sourcesOf(valueTexts(values), tagged.tags, allMask, used),
): FieldState {
    const field = { key, all: allMask !== 0, values, sources: grouped.sources, mergesWithInstall, setBy: used[used.length - 1].scope };
    return { field, used, tagged, allMask, starts: grouped.starts };
}

/** A field's values grouped by origin, and where each group starts. */
interface Grouped {
    readonly sources: readonly Provenanced[];
    readonly starts: readonly number[];
}

/** The earlier groups, with `group` (values put in before `prev`'s values at `at`) where its first value now is. */
function withGroup(prev: FieldState, at: readonly number[], group: Provenanced): Grouped {
    const sources: Provenanced[] = [];
    const starts: number[] = [];
    let k = 0;
    prev.starts.forEach((s, i) => {
        // The new group goes before the first earlier group that starts at or after its first value.
        if (k === 0 && s >= at[0]) {
            sources.push(group);
            starts.push(at[0]);
        }
        // A group's first value moves on by the values put in before it.
        while (k < at.length && at[k] <= s) k++;
        sources.push(prev.field.sources[i]);
        starts.push(s < 0 ? s : s + k);
    });
    if (sources.length === prev.starts.length) {
        sources.push(group);
        starts.push(at[0]);
    }
    return { sources, starts };
}

/**
 * The values grouped by the scopes they came from, in the order of each group's first value (`*` first). A group that
 * holds every value of one scope's setting is that setting's texts, the same array: the values every workload inherits
 * from a wide scope are held, and described, once, and never copied. Counting tells it: a value tagged with one scope
 * alone is one of that scope's values as it set it (a union only ever tags a value, or a range it made, with every
 * scope whose values it holds), so as many such values as the setting has are all of them, in the same order.
 */
function sourcesOf(texts: readonly string[], tags: readonly number[], allMask: number, used: readonly UsedSetting[]): Grouped {
    const counts = new Array<number>(1 << used.length).fill(0);
    const order = allMask ? [allMask] : [];
    const starts = allMask ? [-1] : [];
    for (let i = 0; i < tags.length; i++) {
        if (counts[tags[i]]++ === 0 && tags[i] !== allMask) {
            order.push(tags[i]);
            starts.push(i);
        }
    }
    const groups = new Map<number, string[]>();
    for (const mask of order) {
        const u = Math.log2(mask);
        const star = mask === allMask ? 1 : 0;
        if (!Number.isInteger(u) || used[u].setting.texts.length !== counts[mask] + star) groups.set(mask, star ? ["*"] : []);
    }
    if (groups.size > 0) for (let i = 0; i < texts.length; i++) groups.get(tags[i])?.push(texts[i]);
    const sources = order.map((mask) => ({
        scopes: used.filter((_, i) => mask & (1 << i)).map((x) => x.scope),
        values: groups.get(mask) ?? used[Math.log2(mask)].setting.texts,
    }));
    return { sources, starts };
}

/** Whether a scope sets anything that takes part in resolution. */
export function setsRules(s: NormalisedScope): boolean {
    return s.fullBypass !== undefined || FIELDS.some((f) => s.fields[f.key] !== undefined);
}

/** Whether a scope sets anything at all, a mesh's own rules included (its workload is then rendered on its own). */
export function setsAnything(s: NormalisedScope): boolean {
    return setsRules(s) || s.extensions !== undefined;
}

/**
 * Resolves workloads, sharing one result among the workloads of a namespace that set nothing themselves
 * (the common case, and what keeps 10,000 workloads cheap); a workload with rules of its own is one step on
 * from its namespace's result, and shares the fields it does not set.
 */
export class ScopeResolver {
    private readonly global: ChainState;
    private readonly byNamespace = new Map<string, ChainState>();

    constructor(private readonly rules: NormalisedRules) {
        this.global = step(EMPTY, rules.global);
    }

    private namespaceState(namespace: string): ChainState {
        let s = this.byNamespace.get(namespace);
        if (!s) {
            const ns = this.rules.namespaces.get(namespace);
            s = ns ? step(this.global, ns) : this.global;
            this.byNamespace.set(namespace, s);
        }
        return s;
    }

    /** The global scope's own effective rules: what a pod in a namespace without rules of its own gets. */
    resolveGlobal(): EffectiveRules {
        return this.global.effective;
    }

    /** The effective rules, and whether they are the namespace's shared ones. */
    resolve(namespace: string, workload?: NormalisedWorkload): { effective: EffectiveRules; shared: boolean } {
        const ns = this.namespaceState(namespace);
        if (workload && setsRules(workload)) return { effective: step(ns, workload).effective, shared: false };
        return { effective: ns.effective, shared: true };
    }
}
