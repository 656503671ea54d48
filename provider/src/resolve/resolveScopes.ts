// resolve: global → namespace → workload. Per field the most specific scope that sets it wins; a scope
// that says `merge` unions with what it would override (at the top of the chain: the mesh install's
// defaults). Every value remembers the scopes it came from.
//
// A chain is resolved one scope at a time, each step building on the result of the less specific scopes: the
// global scope is resolved once, each namespace once from it, and a workload with rules of its own in one step
// from its namespace's result, instead of merging every scope's list again for each workload.
import { addRun, apartInsertions } from "../rules/aggregateCidrs";
import type { Cidr } from "../rules/cidr";
import { FIELDS, type FieldKey, type FieldSpec } from "../rules/fields";
import type { FieldSetting, NormalisedRules, NormalisedScope, NormalisedWorkload, UidRule } from "../rules/types";
import { compareUidRules } from "../rules/uidRules";
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
    /** The bits of the scopes that set `all`. */
    readonly allMask: number;
    /** For each group of `field.sources`, the index of its first value (groups are in that order; `*` comes first). */
    readonly starts: readonly number[];
    /**
     * Per value (the field's ports, or its ranges), the scopes it came from. Made on first use (only a merge that is
     * not a splice needs them) from the state this one spliced values into, or, for one scope's setting, all bit 0.
     */
    tags?: readonly number[];
    /** The state this one spliced new values into, and where: what its tags are made from. */
    readonly splicedInto?: { readonly prev: FieldState; readonly at: readonly number[]; readonly bit: number };
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
    const label = scope.ref.label;
    if (!prev || setting.inherit === "override") {
        // The chain starts again here; it reaches the top (the install's defaults) only by merging all the way.
        const field = single(spec.key, label, setting, setting.inherit !== "override");
        return { field, used: [{ scope: label, setting }], allMask: setting.all ? 1 : 0, starts: field.sources.length > 0 ? [setting.all ? -1 : 0] : [] };
    }
    const used = [...prev.used, { scope: label, setting }];
    const bit = 1 << prev.used.length;
    const allMask = prev.allMask | (setting.all ? bit : 0);
    const base = { key: spec.key, all: allMask !== 0, mergesWithInstall: prev.field.mergesWithInstall, setBy: label };
    if (spec.values === "names" || spec.values === "uids") return mergeByText(base, used, allMask, spec.values);
    const ports = spec.values === "ports";
    const at = allMask !== 0 ? undefined : ports ? portInsertions(prev.field.ports, setting.ports) : apartInsertions(prev.field.cidrs, setting.cidrs);
    if (at) {
        // The new values stand apart from the earlier ones: the earlier groups and their joined text stay, the new
        // values are spliced in, and their tags are left for a later merge to make, if one needs them.
        const { sources, starts } = spliceGroup(prev, at, { scopes: [label], values: setting.texts });
        const field = {
            ...base,
            ports: spliced(prev.field.ports, at, setting.ports),
            cidrs: spliced(prev.field.cidrs, at, setting.cidrs),
            cidrTexts: spliced(prev.field.cidrTexts, at, setting.cidrTexts),
            names: [],
            uids: [],
            joined: spliceJoined(prev.field, at, setting.texts),
            sources,
        };
        return { field, used, allMask, starts, splicedInto: { prev, at, bit } };
    }
    // Each scope's list is sorted and aggregated already, and so is the previous result: one merge, tagged with the scope's bit.
    const merged: Merged = ports
        ? { cidrs: [], ...mergePorts(prev.field.ports, tagsOf(prev), setting.ports, bit) }
        : { ports: [], ...addRun({ cidrs: prev.field.cidrs, tags: tagsOf(prev) }, setting.cidrs, bit) };
    const groups = new Map<number, { start: number; values: string[] }>();
    const add = (mask: number, value: string, index: number) => {
        const g = groups.get(mask);
        if (g) g.values.push(value);
        else groups.set(mask, { start: index, values: [value] });
    };
    if (allMask) add(allMask, "*", -1);
    const texts: string[] = [];
    for (let i = 0; i < merged.tags.length; i++) {
        const t = valueText(merged, i);
        texts.push(t);
        add(merged.tags[i], t, i);
    }
    return {
        field: {
            ...base,
            ports: merged.ports,
            cidrs: merged.cidrs,
            cidrTexts: merged.cidrs.length > 0 ? texts : [],
            names: [],
            uids: [],
            joined: texts.join(","),
            sources: sourcesOf(groups, used),
        },
        used,
        allMask,
        starts: [...groups.values()].map((g) => g.start),
        tags: merged.tags,
    };
}

/**
 * Interface names and user-id rules: rare and short, so every setting in force is merged again by text (names sorted,
 * user-id rules in their canonical order) rather than stepped on from the previous result.
 */
function mergeByText(
    base: Pick<EffectiveField, "key" | "all" | "mergesWithInstall" | "setBy">,
    used: readonly UsedSetting[],
    allMask: number,
    values: "names" | "uids",
): FieldState {
    const masks = new Map<string, number>();
    const rules = new Map<string, UidRule>();
    used.forEach(({ setting }, u) => {
        for (const n of setting.names) masks.set(n, (masks.get(n) ?? 0) | (1 << u));
        for (const r of setting.uids) {
            masks.set(r.text, (masks.get(r.text) ?? 0) | (1 << u));
            rules.set(r.text, r);
        }
    });
    const names = values === "names" ? [...masks.keys()].sort() : [];
    const uids = values === "uids" ? [...rules.values()].sort(compareUidRules) : [];
    const texts = values === "names" ? names : uids.map((r) => r.text);
    const groups = new Map<number, { start: number; values: string[] }>();
    texts.forEach((t, i) => {
        const mask = masks.get(t) ?? 0;
        const g = groups.get(mask);
        if (g) g.values.push(t);
        else groups.set(mask, { start: i, values: [t] });
    });
    const field: EffectiveField = {
        ...base,
        ports: [],
        cidrs: [],
        cidrTexts: [],
        names,
        uids,
        joined: texts.join(values === "uids" ? ";" : ","),
        sources: sourcesOf(groups, used),
    };
    return { field, used, allMask, starts: [...groups.values()].map((g) => g.start) };
}

/** A field's values after a merge (ports or ranges; the other list is empty), with their tags. */
interface Merged {
    readonly ports: readonly number[];
    readonly cidrs: readonly Cidr[];
    readonly tags: readonly number[];
}

/** Value i of a field as text; a field has ports or ranges, never both. */
function valueText(v: Pick<Merged, "ports" | "cidrs">, i: number): string {
    return i < v.ports.length ? String(v.ports[i]) : v.cidrs[i].text;
}

/**
 * The previous groups with the new scope's group put where its first value is (the groups are ordered by their first
 * values); the previous groups' values are unchanged, so their objects are kept.
 */
function spliceGroup(prev: FieldState, at: readonly number[], group: Provenanced): { sources: Provenanced[]; starts: number[] } {
    const before = (start: number) => at.filter((a) => a <= start).length;
    const sources: Provenanced[] = [];
    const starts: number[] = [];
    prev.field.sources.forEach((g, i) => {
        if (at.length > 0 && sources.length === i && prev.starts[i] >= at[0]) {
            sources.push(group);
            starts.push(at[0]);
        }
        sources.push(g);
        starts.push(prev.starts[i] + before(prev.starts[i]));
    });
    if (at.length > 0 && sources.length === prev.field.sources.length) {
        sources.push(group);
        starts.push(at[0]);
    }
    return { sources, starts };
}

/** `list` with `added[k]` put before `list[at[k]]` (`at` ascending). */
function spliced<T>(list: readonly T[], at: readonly number[], added: readonly T[]): readonly T[] {
    if (added.length === 0) return list;
    const out: T[] = new Array(list.length + added.length);
    let i = 0;
    let o = 0;
    for (let k = 0; k <= added.length; k++) {
        for (const end = k < added.length ? at[k] : list.length; i < end; i++) out[o++] = list[i];
        if (k < added.length) out[o++] = added[k];
    }
    return out;
}

/** The previous values' comma-joined text with the new values spliced in at `at`, without joining every value again. */
function spliceJoined(prev: EffectiveField, at: readonly number[], added: readonly string[]): string {
    const parts: string[] = [];
    let from = 0;
    let to = 0;
    at.forEach((a, k) => {
        to = valueStart(prev, a, to);
        if (to > from) parts.push(prev.joined.slice(from, to - 1));
        parts.push(added[k]);
        from = to;
    });
    if (from < prev.joined.length) parts.push(prev.joined.slice(from));
    return parts.join(",");
}

/**
 * Where value `a` starts in a field's joined text (one past the comma before it; past the end for a = count),
 * searching from `from`. Each value occurs once in the text, between commas or an end, so a native scan finds it
 * rather than a sum of the lengths of every value before it.
 */
function valueStart(f: EffectiveField, a: number, from: number): number {
    const count = f.ports.length + f.cidrs.length;
    if (a === 0) return 0;
    if (a >= count) return f.joined.length + 1;
    const text = valueText(f, a);
    for (let i = f.joined.indexOf(text, from); i !== -1; i = f.joined.indexOf(text, i + 1)) {
        const end = i + text.length;
        if (f.joined[i - 1] === "," && (end === f.joined.length || f.joined[end] === ",")) return i;
    }
    throw new Error(`unreachable: value ${a} (${text}) is not in the field's joined text`);
}

/** The tags of a state's values, made once. */
function tagsOf(s: FieldState): readonly number[] {
    if (!s.tags) {
        const from = s.splicedInto;
        s.tags = from
            ? spliced(tagsOf(from.prev), from.at, new Array<number>(from.at.length).fill(from.bit))
            : new Array<number>(s.field.ports.length + s.field.cidrs.length).fill(1);
    }
    return s.tags;
}

/** Where each of the sorted ports `b` goes in the sorted ports `a`, when none is in both; undefined otherwise. */
function portInsertions(a: readonly number[], b: readonly number[]): number[] | undefined {
    const at: number[] = [];
    let i = 0;
    for (const p of b) {
        while (i < a.length && a[i] < p) i++;
        if (a[i] === p) return undefined;
        at.push(i);
    }
    return at;
}

/** Two sorted, unique port lists as one, each port tagged with the lists it is in. */
function mergePorts(a: readonly number[], aTags: readonly number[], b: readonly number[], bit: number): Omit<Merged, "cidrs"> {
    const ports: number[] = [];
    const tags: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
        if (j >= b.length || (i < a.length && a[i] < b[j])) {
            ports.push(a[i]);
            tags.push(aTags[i++]);
        } else if (i >= a.length || b[j] < a[i]) {
            ports.push(b[j++]);
            tags.push(bit);
        } else {
            ports.push(a[i]);
            tags.push(aTags[i++] | bit);
            j++;
        }
    }
    return { ports, tags };
}

/**
 * The value groups as provenance. A group holding every value of one scope's setting (nothing merged away) shares that
 * setting's array, so the values every workload inherits from a wide scope are held, and described, once.
 */
function sourcesOf(groups: ReadonlyMap<number, { values: string[] }>, used: readonly UsedSetting[]): Provenanced[] {
    return [...groups].map(([mask, { values }]) => {
        const u = Math.log2(mask);
        const texts = Number.isInteger(u) ? used[u].setting.texts : undefined;
        const shared = texts && texts.length === values.length && texts.every((t, i) => t === values[i]);
        return { scopes: used.filter((_, i) => mask & (1 << i)).map((x) => x.scope), values: shared ? texts : values };
    });
}

function single(key: FieldKey, scope: string, s: FieldSetting, mergesWithInstall: boolean): EffectiveField {
    const sources = s.texts.length > 0 ? [{ scopes: [scope], values: s.texts }] : [];
    return {
        key,
        all: s.all,
        ports: s.ports,
        cidrs: s.cidrs,
        cidrTexts: s.cidrTexts,
        names: s.names,
        uids: s.uids,
        joined: s.joined,
        sources,
        mergesWithInstall,
        setBy: scope,
    };
}

/** Whether a scope sets anything that takes part in resolution. */
export function setsRules(s: NormalisedScope): boolean {
    return s.fullBypass !== undefined || FIELDS.some((f) => s.fields[f.key] !== undefined);
}

/** Whether a scope sets anything at all, a passthrough policy included (its workload is then rendered on its own). */
export function setsAnything(s: NormalisedScope): boolean {
    return setsRules(s) || s.passthrough !== undefined;
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
