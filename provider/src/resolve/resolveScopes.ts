// resolve: global → namespace → workload. Per field the most specific scope that sets it wins; a scope
// that says `merge` unions with what it would override (at the top of the chain: the mesh install's
// defaults). Every value remembers the scopes it came from.
//
// A chain is resolved one scope at a time, each step building on the result of the less specific scopes: the
// global scope is resolved once, each namespace once from it, and a workload with rules of its own in one step
// from its namespace's result, instead of merging every scope's list again for each workload.
import { addRun } from "../rules/aggregateCidrs";
import { FIELDS, type FieldKey, type FieldSpec } from "../rules/fields";
import type { FieldSetting, NormalisedRules, ScopeRules, WorkloadRules } from "../rules/types";
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
    /** Per value (the field's ports, or its ranges), the scopes it came from; made on first use for one scope's setting. */
    tags?: readonly number[];
}

/** A chain resolved up to some scope. */
interface ChainState {
    readonly effective: EffectiveRules;
    readonly fields: Partial<Record<FieldKey, FieldState>>;
}

const EMPTY: ChainState = { effective: { fields: {} }, fields: {} };

/** The chain state after one more scope: fields it does not set keep the previous state (the same objects). */
function step(prev: ChainState, scope: ScopeRules): ChainState {
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

function stepField(prev: FieldState | undefined, scope: ScopeRules, spec: FieldSpec): FieldState | undefined {
    const setting = scope.fields[spec.key];
    if (!setting) return prev;
    const label = scope.ref.label;
    if (!prev || setting.inherit === "override") {
        // The chain starts again here; it reaches the top (the install's defaults) only by merging all the way.
        return { field: single(spec.key, label, setting, setting.inherit !== "override"), used: [{ scope: label, setting }], allMask: setting.all ? 1 : 0 };
    }
    const used = [...prev.used, { scope: label, setting }];
    const bit = 1 << prev.used.length;
    const allMask = prev.allMask | (setting.all ? bit : 0);
    const prevTags = tagsOf(prev);
    const groups = new Map<number, string[]>();
    const add = (mask: number, value: string) => {
        const g = groups.get(mask);
        if (g) g.push(value);
        else groups.set(mask, [value]);
    };
    if (allMask) add(allMask, "*");
    const base = { key: spec.key, all: allMask !== 0, mergesWithInstall: prev.field.mergesWithInstall, setBy: label };
    let field: EffectiveField;
    let tags: readonly number[];
    if (spec.values === "ports") {
        const merged = mergePorts(prev.field.ports, prevTags, setting.ports, bit);
        tags = merged.tags;
        merged.ports.forEach((p, i) => {
            add(tags[i], String(p));
        });
        field = { ...base, ports: merged.ports, cidrs: [], joined: merged.ports.join(","), sources: sourcesOf(groups, used) };
    } else {
        // Each scope's list is sorted and aggregated already, and so is the previous result: one merge, tagged with the scope's bit.
        const cover = addRun({ cidrs: prev.field.cidrs, tags: prevTags }, setting.cidrs, bit);
        tags = cover.tags;
        const texts = cover.cidrs.map((c, i) => {
            add(tags[i], c.text);
            return c.text;
        });
        field = { ...base, ports: [], cidrs: cover.cidrs, joined: texts.join(","), sources: sourcesOf(groups, used) };
    }
    return { field, used, allMask, tags };
}

/** The tags of a state's values; a single scope's are all bit 0, made once. */
function tagsOf(s: FieldState): readonly number[] {
    if (!s.tags) s.tags = new Array<number>(s.field.ports.length + s.field.cidrs.length).fill(1);
    return s.tags;
}

/** Two sorted, unique port lists as one, each port tagged with the lists it is in. */
function mergePorts(a: readonly number[], aTags: readonly number[], b: readonly number[], bit: number): { ports: number[]; tags: number[] } {
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
function sourcesOf(groups: ReadonlyMap<number, string[]>, used: readonly UsedSetting[]): Provenanced[] {
    return [...groups].map(([mask, values]) => {
        const u = Math.log2(mask);
        const texts = Number.isInteger(u) ? used[u].setting.texts : undefined;
        const shared = texts && texts.length === values.length && texts.every((t, i) => t === values[i]);
        return { scopes: used.filter((_, i) => mask & (1 << i)).map((x) => x.scope), values: shared ? texts : values };
    });
}

function single(key: FieldKey, scope: string, s: FieldSetting, mergesWithInstall: boolean): EffectiveField {
    const sources = s.texts.length > 0 ? [{ scopes: [scope], values: s.texts }] : [];
    return { key, all: s.all, ports: s.ports, cidrs: s.cidrs, joined: s.joined, sources, mergesWithInstall, setBy: scope };
}

/** The effective rules along a chain ordered least → most specific. */
export function resolveChain(chain: readonly ScopeRules[]): EffectiveRules {
    return chain.reduce(step, EMPTY).effective;
}

/** Whether a scope sets anything that takes part in resolution. */
export function setsRules(s: ScopeRules): boolean {
    return Object.keys(s.fields).length > 0 || s.fullBypass !== undefined;
}

/** Whether a scope sets anything at all, a passthrough policy included (its workload is then rendered on its own). */
export function setsAnything(s: ScopeRules): boolean {
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

    /** The effective rules, and whether they are the namespace's shared ones. */
    resolve(namespace: string, workload?: WorkloadRules): { effective: EffectiveRules; shared: boolean } {
        const ns = this.namespaceState(namespace);
        if (workload && setsRules(workload)) return { effective: step(ns, workload).effective, shared: false };
        return { effective: ns.effective, shared: true };
    }
}
