// resolve: global → namespace → workload. Per field the most specific scope that sets it wins; a scope
// that says `merge` unions with what it would override (at the top of the chain: the mesh install's
// defaults). Every value remembers the scopes it came from.
import { aggregateRuns } from "../rules/aggregateCidrs";
import { FIELDS, type FieldKey, type FieldSpec } from "../rules/fields";
import type { FieldSetting, NormalisedRules, ScopeRules, UidRule, WorkloadRules } from "../rules/types";
import { compareUidRules } from "../rules/uidRules";
import type { EffectiveField, EffectiveFullBypass, EffectiveRules } from "./effective";

/** The effective rules of one field along a chain ordered least → most specific. */
export function resolveField(chain: readonly ScopeRules[], spec: FieldSpec): EffectiveField | undefined {
    const key = spec.key;
    const used: Array<{ scope: string; setting: FieldSetting }> = [];
    let stopped = false;
    for (let i = chain.length - 1; i >= 0; i--) {
        const setting = chain[i].fields[key];
        if (!setting) continue;
        used.unshift({ scope: chain[i].ref.label, setting });
        if (setting.inherit === "override") {
            stopped = true;
            break;
        }
    }
    if (used.length === 0) return undefined;
    const setBy = used[used.length - 1].scope;
    if (used.length === 1) {
        const { scope, setting } = used[0];
        return single(key, scope, setting, !stopped);
    }
    // Provenance as a bitmask over `used` (a chain has at most three scopes): no per-value arrays.
    const scopesOf = (mask: number) => used.filter((_, u) => mask & (1 << u)).map((u) => u.scope);
    const groups = new Map<number, string[]>();
    const add = (mask: number, value: string) => {
        const g = groups.get(mask);
        if (g) g.push(value);
        else groups.set(mask, [value]);
    };
    let allMask = 0;
    used.forEach((u, i) => {
        if (u.setting.all) allMask |= 1 << i;
    });
    if (allMask) add(allMask, "*");
    // A group holding every value of one scope's setting (nothing merged away) shares that setting's array, so the
    // values every workload inherits from a wide scope are held, and described, once.
    const shared = (mask: number, values: string[]): readonly string[] => {
        const u = Math.log2(mask);
        const texts = Number.isInteger(u) ? used[u].setting.texts : undefined;
        return texts && texts.length === values.length && texts.every((t, i) => t === values[i]) ? texts : values;
    };
    const sources = () => [...groups].map(([mask, values]) => ({ scopes: scopesOf(mask), values: shared(mask, values) }));
    const base = { key, all: allMask !== 0, mergesWithInstall: !stopped, setBy };
    if (spec.values === "ports") {
        const masks = new Map<number, number>();
        used.forEach(({ setting }, u) => {
            for (const p of setting.ports) masks.set(p, (masks.get(p) ?? 0) | (1 << u));
        });
        const ports = [...masks.keys()].sort((a, b) => a - b);
        for (const p of ports) add(masks.get(p) ?? 0, String(p));
        return { ...base, ports, cidrs: [], names: [], uids: [], joined: ports.join(","), sources: sources() };
    }
    if (spec.values === "names" || spec.values === "uids") {
        // Union by text: names sorted, user-id rules in their canonical order.
        const masks = new Map<string, number>();
        const rules = new Map<string, UidRule>();
        used.forEach(({ setting }, u) => {
            for (const n of setting.names) masks.set(n, (masks.get(n) ?? 0) | (1 << u));
            for (const r of setting.uids) {
                masks.set(r.text, (masks.get(r.text) ?? 0) | (1 << u));
                rules.set(r.text, r);
            }
        });
        const names = spec.values === "names" ? [...masks.keys()].sort() : [];
        const uids = [...rules.values()].sort(compareUidRules);
        const texts = spec.values === "names" ? names : uids.map((r) => r.text);
        for (const t of texts) add(masks.get(t) ?? 0, t);
        return { ...base, ports: [], cidrs: [], names, uids, joined: texts.join(spec.values === "uids" ? ";" : ","), sources: sources() };
    }
    // Each scope's list is sorted and aggregated already: one linear merge, tagged with the scope's bit.
    const { cidrs, tags } = aggregateRuns(used.map((u) => u.setting.cidrs));
    const texts = cidrs.map((c, i) => {
        add(tags[i], c.text);
        return c.text;
    });
    return { ...base, ports: [], cidrs, names: [], uids: [], joined: texts.join(","), sources: sources() };
}

function single(key: FieldKey, scope: string, s: FieldSetting, mergesWithInstall: boolean): EffectiveField {
    const sources = s.texts.length > 0 ? [{ scopes: [scope], values: s.texts }] : [];
    return { key, all: s.all, ports: s.ports, cidrs: s.cidrs, names: s.names, uids: s.uids, joined: s.joined, sources, mergesWithInstall, setBy: scope };
}

export function resolveFullBypass(chain: readonly ScopeRules[]): EffectiveFullBypass | undefined {
    for (let i = chain.length - 1; i >= 0; i--) {
        const fb = chain[i].fullBypass;
        if (fb) return { ...fb, scope: chain[i].ref.label, active: fb.enabled && !fb.expired };
    }
    return undefined;
}

export function resolveChain(chain: readonly ScopeRules[]): EffectiveRules {
    const fields: Partial<Record<FieldKey, EffectiveField>> = {};
    for (const spec of FIELDS) {
        const f = resolveField(chain, spec);
        if (f) fields[spec.key] = f;
    }
    const fullBypass = resolveFullBypass(chain);
    return fullBypass ? { fields, fullBypass } : { fields };
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
 * (the common case, and what keeps 10,000 workloads cheap).
 */
export class ScopeResolver {
    private readonly byNamespace = new Map<string, EffectiveRules>();

    constructor(private readonly rules: NormalisedRules) {}

    chainFor(namespace: string, workload?: ScopeRules): ScopeRules[] {
        const chain: ScopeRules[] = [this.rules.global];
        const ns = this.rules.namespaces.get(namespace);
        if (ns) chain.push(ns);
        if (workload) chain.push(workload);
        return chain;
    }

    /** The effective rules, and whether they are the namespace's shared ones. */
    resolve(namespace: string, workload?: WorkloadRules): { effective: EffectiveRules; shared: boolean } {
        if (workload && setsRules(workload)) return { effective: resolveChain(this.chainFor(namespace, workload)), shared: false };
        let e = this.byNamespace.get(namespace);
        if (!e) {
            e = resolveChain(this.chainFor(namespace));
            this.byNamespace.set(namespace, e);
        }
        return { effective: e, shared: true };
    }
}
