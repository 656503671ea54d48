// resolve: global → namespace → workload. Per field the most specific scope that sets it wins; a scope
// that says `merge` unions with what it would override (at the top of the chain: the mesh install's
// defaults). Every value remembers the scopes it came from.
import { aggregateCidrs } from "../rules/aggregateCidrs";
import { type Cidr, compareCidrs, lastAddress } from "../rules/cidr";
import { FIELDS, type FieldKey } from "../rules/fields";
import type { FieldSetting, FullBypass, NormalisedRules, ScopeRules, WorkloadRules } from "../rules/types";

/** One value in force, with the scopes (labels) it came from. */
export interface Provenanced {
    readonly value: string;
    readonly scopes: readonly string[];
}

export interface EffectiveField {
    readonly key: FieldKey;
    readonly all: boolean;
    readonly ports: readonly number[];
    readonly cidrs: readonly Cidr[];
    /** Canonical values in order, each with its origin; `*` for "all". */
    readonly entries: readonly Provenanced[];
    /** The chain reached the top with `merge`: union with the mesh install's defaults too. */
    readonly mergesWithInstall: boolean;
    /** The most specific scope that set the field. */
    readonly setBy: string;
}

export interface EffectiveFullBypass extends FullBypass {
    readonly scope: string;
    /** Enabled and not expired. */
    readonly active: boolean;
}

export interface EffectiveRules {
    readonly fields: Partial<Record<FieldKey, EffectiveField>>;
    readonly fullBypass?: EffectiveFullBypass;
}

/** The effective rules of one field along a chain ordered least → most specific. */
export function resolveField(chain: readonly ScopeRules[], key: FieldKey): EffectiveField | undefined {
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
    const allScopes = used.filter((u) => u.setting.all).map((u) => u.scope);
    const entries: Provenanced[] = allScopes.length > 0 ? [{ value: "*", scopes: allScopes }] : [];
    const spec = FIELDS.find((f) => f.key === key)!;
    if (spec.values === "ports") {
        const from = new Map<number, string[]>();
        for (const { scope, setting } of used) for (const p of setting.ports) from.set(p, [...(from.get(p) ?? []), scope]);
        const ports = [...from.keys()].sort((a, b) => a - b);
        for (const p of ports) entries.push({ value: String(p), scopes: from.get(p)! });
        return { key, all: allScopes.length > 0, ports, cidrs: [], entries, mergesWithInstall: !stopped, setBy };
    }
    const cidrs = aggregateCidrs(used.flatMap((u) => u.setting.cidrs));
    const from = cidrs.map(() => [] as string[]);
    for (const { scope, setting } of used) {
        for (const c of setting.cidrs) {
            const i = coveringIndex(cidrs, c);
            if (!from[i].includes(scope)) from[i].push(scope);
        }
    }
    cidrs.forEach((c, i) => entries.push({ value: c.text, scopes: from[i] }));
    return { key, all: allScopes.length > 0, ports: [], cidrs, entries, mergesWithInstall: !stopped, setBy };
}

function single(key: FieldKey, scope: string, s: FieldSetting, mergesWithInstall: boolean): EffectiveField {
    const scopes = [scope];
    const entries: Provenanced[] = s.all ? [{ value: "*", scopes }] : [];
    for (const p of s.ports) entries.push({ value: String(p), scopes });
    for (const c of s.cidrs) entries.push({ value: c.text, scopes });
    return { key, all: s.all, ports: s.ports, cidrs: s.cidrs, entries, mergesWithInstall, setBy: scope };
}

/** Index of the aggregated range that contains `c` (the sorted cover always has exactly one). */
function coveringIndex(cover: readonly Cidr[], c: Cidr): number {
    let lo = 0;
    let hi = cover.length - 1;
    while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (compareCidrs(cover[mid], c) <= 0) lo = mid;
        else hi = mid - 1;
    }
    const found = cover[lo];
    if (found.family !== c.family || lastAddress(found) < lastAddress(c)) throw new Error(`internal: ${c.text} not covered`);
    return lo;
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
        const f = resolveField(chain, spec.key);
        if (f) fields[spec.key] = f;
    }
    return { fields, fullBypass: resolveFullBypass(chain) };
}

/** Whether a scope sets anything that takes part in resolution. */
export function setsRules(s: ScopeRules): boolean {
    return Object.keys(s.fields).length > 0 || s.fullBypass !== undefined;
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
