// One scope's rules, normalised: ports sorted and unique, CIDRs canonical and aggregated, interface names and
// user-id rules sorted, conflicts within the scope and the guardrails (the sidecar's own ports, every address, the
// root user, the primary interface) reported with their paths.
import type { CloudMetadata, Inherit } from "../args";
import { aggregateCidrs, cidrContains } from "./aggregateCidrs";
import { type Cidr, isEverything } from "./cidr";
import { CLOUD_METADATA_CIDRS } from "./cloudMetadata";
import { fieldSetting } from "./fieldSetting";
import { FIELDS, type FieldKey, type FieldName, type FieldSpec } from "./fields";
import { type IssueCollector, joinPath } from "./issues";
import type { MeshTraits, ScopeExtension } from "./meshTraits";
import { normalisePorts } from "./ports";
import type { ParsedCidr, ParsedScope } from "./schema";
import type { FieldSetting, NormalisedFullBypass, NormalisedScope, ScopeRef } from "./types";
import { normaliseUidExclusions, type ParsedUidExclusion } from "./uidRules";
import { type FieldValues, noValues, VALUE_KINDS, type ValueKind, valuesOf } from "./valueKinds";

/** What normalising a scope needs besides the scope. */
export interface ScopeContext {
    readonly issues: IssueCollector;
    /** The time expiries are compared with. */
    readonly now: Date;
    /** The selected meshes, for the sidecar-port guardrail. */
    readonly meshes: readonly MeshTraits[];
    /** Every mesh's scope extension, selected or not (rules for a mesh not selected are checked too, and warned of). */
    readonly extensions: readonly ScopeExtension[];
}

/** The values a field's list holds as the schema parsed them, by kind. */
interface ParsedValueOf {
    readonly ports: number;
    readonly cidrs: ParsedCidr;
    readonly names: string;
    readonly uids: ParsedUidExclusion;
}

/** Any group of a parsed scope (inbound, outbound, interfaces), seen through the fields the groups may have. */
type GroupView = { readonly [N in FieldName]?: readonly ParsedValueOf[ValueKind][] } & {
    readonly excludeCloudMetadata?: readonly CloudMetadata[];
    readonly includeAllPorts?: boolean;
    readonly includeAllIpRanges?: boolean;
    readonly inherit?: Inherit;
    readonly inheritFields?: Partial<Record<FieldName, Inherit>>;
    readonly acknowledge?: {
        readonly sidecarPorts?: boolean;
        readonly allAddresses?: boolean;
        readonly rootUser?: boolean;
        readonly primaryInterface?: boolean;
    };
};

/** A field's list as parsed, of the kind its spec says (the schema gives each field's list that kind). */
function parsedList<K extends ValueKind>(dir: GroupView, spec: FieldSpec, _kind: K): readonly ParsedValueOf[K][] | undefined {
    return dir[spec.name] as readonly ParsedValueOf[K][] | undefined;
}

/** The pod's primary interface under most CNIs: excluding or rerouting it takes nearly all of the pod's traffic. */
const PRIMARY_INTERFACE = "eth0";

export function normaliseScope(scope: ParsedScope, ref: ScopeRef, ctx: ScopeContext): NormalisedScope {
    const extensions = ctx.extensions.filter((e) => scope[e.key] !== undefined);
    // Most scopes (most workloads) set nothing.
    if (!scope.inbound && !scope.outbound && !scope.interfaces && !scope.fullBypass && extensions.length === 0) return { ref, fields: {} };
    const fields: Partial<Record<FieldKey, FieldSetting>> = {};
    for (const spec of FIELDS) {
        const setting = readField(scope[spec.group], spec, ref.path, ctx.issues);
        if (setting) fields[spec.key] = setting;
    }
    checkScope(scope, fields, ref.path, ctx);
    const fullBypass = scope.fullBypass ? normaliseFullBypass(scope.fullBypass, `${ref.path}.fullBypass`, ctx) : undefined;
    const normalised: NormalisedScope = fullBypass ? { ref, fields, fullBypass } : { ref, fields };
    if (extensions.length === 0) return normalised;
    const values = Object.fromEntries(extensions.map((e) => [e.key, e.normalise(scope[e.key], joinPath(ref.path, e.key), ctx.issues)]));
    return { ...normalised, extensions: values };
}

function readField(dir: GroupView | undefined, spec: FieldSpec, base: string, issues: IssueCollector): FieldSetting | undefined {
    if (!dir) return undefined;
    const all = spec.allFlag ? dir[spec.allFlag] === true : false;
    const inherit = dir.inheritFields?.[spec.name] ?? dir.inherit ?? "override";
    const values = readValues(dir, spec, base, issues);
    if (all && values) allConflict(spec, base, issues);
    if (!values && !all) return undefined;
    return fieldSetting(values ?? noValues(spec.values), inherit, all);
}

/** The field's values, canonical; undefined when the scope does not set the field. */
function readValues(dir: GroupView, spec: FieldSpec, base: string, issues: IssueCollector): FieldValues | undefined {
    switch (spec.values) {
        case "ports": {
            const ports = parsedList(dir, spec, "ports");
            return ports && valuesOf("ports", normalisePorts(ports));
        }
        case "names": {
            const names = parsedList(dir, spec, "names");
            return names && valuesOf("names", [...new Set(names)].sort());
        }
        case "uids": {
            const entries = parsedList(dir, spec, "uids");
            return entries && valuesOf("uids", normaliseUidExclusions(entries));
        }
        case "cidrs": {
            const given = parsedList(dir, spec, "cidrs");
            // Cloud metadata presets join the scope's outbound excludeIpRanges, and so its inheritance.
            const presets = spec.key === "outbound.excludeIpRanges" ? (dir.excludeCloudMetadata ?? []).flatMap((p) => CLOUD_METADATA_CIDRS[p]) : [];
            if (given === undefined && presets.length === 0) return undefined;
            const cidrs: Cidr[] = [];
            (given ?? []).forEach((p, i) => {
                if (p.note) issues.warn(joinPath(base, spec.group, spec.name, i), p.note);
                cidrs.push(p.cidr);
            });
            cidrs.push(...presets);
            return valuesOf("cidrs", aggregateCidrs(cidrs));
        }
    }
}

function allConflict(spec: FieldSpec, base: string, issues: IssueCollector): void {
    issues.error(joinPath(base, spec.group, spec.allFlag ?? spec.name), `${spec.allFlag} cannot be combined with ${spec.name}; give one or the other`);
}

/** Conflicts within one scope, and the guardrails. */
function checkScope(scope: ParsedScope, fields: Partial<Record<FieldKey, FieldSetting>>, base: string, ctx: ScopeContext): void {
    const { issues } = ctx;
    for (const spec of FIELDS) {
        const setting = fields[spec.key];
        if (!setting) continue;
        const group: GroupView | undefined = scope[spec.group];
        const ack = group?.acknowledge;
        const path = () => joinPath(base, spec.group, spec.name);
        const opposite = spec.exclude && spec.opposite ? fields[spec.opposite]?.values : undefined;
        const v = setting.values;
        switch (v.kind) {
            case "names": {
                if (v.list.includes(PRIMARY_INTERFACE) && !ack?.primaryInterface) {
                    const what = spec.exclude ? "all of its traffic would skip the sidecar" : "all of its inbound traffic would be captured as outbound";
                    issues.error(
                        path(),
                        `${PRIMARY_INTERFACE} is the pod's primary interface under most CNIs, so ${what}; set acknowledge.primaryInterface: true ` +
                            "if you mean it, or use fullBypass",
                    );
                }
                const both = opposite?.kind === "names" ? VALUE_KINDS.names.common(v.list, opposite.list) : [];
                if (both.length > 0) issues.error(path(), `${both.join(", ")} both excluded and rerouted at this scope; keep one`);
                break;
            }
            case "uids": {
                const root = v.list.filter((r) => r.first === 0);
                if (root.length > 0 && !ack?.rootUser) {
                    issues.error(
                        path(),
                        `user id 0 is root: every process running as root (often the app itself) would skip the sidecar (${root.map((r) => r.text).join("; ")}); ` +
                            "set acknowledge.rootUser: true if you mean it",
                    );
                }
                break;
            }
            case "ports": {
                if (!spec.exclude) break;
                const both = opposite?.kind === "ports" ? VALUE_KINDS.ports.common(v.list, opposite.list) : [];
                if (both.length > 0) {
                    issues.error(path(), `port${both.length > 1 ? "s" : ""} ${both.join(", ")} both included and excluded at this scope; keep one`);
                }
                if (!ack?.sidecarPorts) checkSidecarPorts(v.list, path, ctx);
                break;
            }
            case "cidrs": {
                if (!spec.exclude) break;
                const included = opposite?.kind === "cidrs" ? opposite.list : [];
                const both = new Set(VALUE_KINDS.cidrs.common(v.list, included));
                for (const c of v.list) {
                    if (both.has(c)) issues.error(path(), `${c.text} is both included and excluded at this scope; keep one`);
                    if (isEverything(c) && !ack?.allAddresses) {
                        issues.error(
                            path(),
                            `${c.text} excludes every IPv${c.family} address, so all ${spec.group} traffic would skip the sidecar; ` +
                                "set acknowledge.allAddresses: true if you mean it, or use fullBypass",
                        );
                    }
                }
                for (const inc of included) {
                    const cover = v.list.find((c) => c.text !== inc.text && cidrContains(c, inc));
                    if (cover) {
                        issues.warn(
                            joinPath(base, spec.group, "includeIpRanges"),
                            `${inc.text} is inside excluded ${cover.text}; the exclude wins, so including it has no effect`,
                        );
                    }
                }
                break;
            }
        }
    }
}

function checkSidecarPorts(ports: readonly number[], path: () => string, ctx: ScopeContext): void {
    for (const mesh of ctx.meshes) {
        for (const p of ports) {
            const use = mesh.sidecarPorts.get(p);
            if (use) {
                ctx.issues.error(
                    path(),
                    `port ${p} is ${mesh.displayName}'s ${use}; excluding it breaks the sidecar. Set acknowledge.sidecarPorts: true if you mean it`,
                );
            }
        }
    }
}

/** The expiry's format is checked by the schema; here only whether it has passed. */
function normaliseFullBypass(fb: NonNullable<ParsedScope["fullBypass"]>, path: string, ctx: ScopeContext): NormalisedFullBypass {
    let expired = false;
    if (fb.expires !== undefined && fb.enabled && Date.parse(fb.expires) <= ctx.now.getTime()) {
        expired = true;
        ctx.issues.warn(
            `${path}.expires`,
            `full bypass expired at ${fb.expires}; it is no longer applied and its pods return to the mesh on this update. Remove the rule or move the expiry`,
        );
    }
    return {
        enabled: fb.enabled,
        ...(fb.reason !== undefined ? { reason: fb.reason } : {}),
        ...(fb.expires !== undefined ? { expires: fb.expires } : {}),
        expired,
    };
}
