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
import type { MeshTraits } from "./meshTraits";
import { validatePassthrough } from "./passthrough";
import { normalisePorts } from "./ports";
import type { ParsedCidr, ParsedScope } from "./schema";
import type { FieldSetting, NormalisedFullBypass, NormalisedScope, ScopeRef } from "./types";
import { normaliseUidExclusions, type ParsedUidExclusion } from "./uidRules";

/** What normalising a scope needs besides the scope. */
export interface ScopeContext {
    readonly issues: IssueCollector;
    /** The time expiries are compared with. */
    readonly now: Date;
    /** The selected meshes, for the sidecar-port guardrail. */
    readonly meshes: readonly MeshTraits[];
}

/** Any group of a parsed scope (inbound, outbound, interfaces), seen through the fields the groups may have. */
interface GroupView {
    readonly excludePorts?: readonly number[];
    readonly includePorts?: readonly number[];
    readonly excludeIpRanges?: readonly ParsedCidr[];
    readonly includeIpRanges?: readonly ParsedCidr[];
    readonly excludeCloudMetadata?: readonly CloudMetadata[];
    readonly excludeUids?: readonly ParsedUidExclusion[];
    readonly exclude?: readonly string[];
    readonly rerouteVirtual?: readonly string[];
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
}

/** The pod's primary interface under most CNIs: excluding or rerouting it takes nearly all of the pod's traffic. */
const PRIMARY_INTERFACE = "eth0";

export function normaliseScope(scope: ParsedScope, ref: ScopeRef, ctx: ScopeContext): NormalisedScope {
    // Most scopes (most workloads) set nothing.
    if (!scope.inbound && !scope.outbound && !scope.interfaces && !scope.fullBypass && !scope.passthrough) return { ref, fields: {} };
    const fields: Partial<Record<FieldKey, FieldSetting>> = {};
    for (const spec of FIELDS) {
        const setting = readField(scope[spec.group], spec, ref.path, ctx.issues);
        if (setting) fields[spec.key] = setting;
    }
    checkScope(scope, fields, ref.path, ctx);
    const fullBypass = scope.fullBypass ? normaliseFullBypass(scope.fullBypass, `${ref.path}.fullBypass`, ctx) : undefined;
    const passthrough = scope.passthrough ? validatePassthrough(scope.passthrough, `${ref.path}.passthrough`, ctx.issues) : undefined;
    if (!fullBypass && !passthrough) return { ref, fields };
    return { ref, fields, ...(fullBypass ? { fullBypass } : {}), ...(passthrough ? { passthrough } : {}) };
}

function readField(dir: GroupView | undefined, spec: FieldSpec, base: string, issues: IssueCollector): FieldSetting | undefined {
    if (!dir) return undefined;
    const all = spec.allFlag ? dir[spec.allFlag] === true : false;
    const inherit = dir.inheritFields?.[spec.name] ?? dir.inherit ?? "override";
    switch (spec.values) {
        case "ports": {
            const ports = spec.name === "excludePorts" ? dir.excludePorts : dir.includePorts;
            if (all && ports !== undefined) allConflict(spec, base, issues);
            if (ports === undefined && !all) return undefined;
            return fieldSetting({ all, ports: normalisePorts(ports ?? []) }, inherit);
        }
        case "names": {
            const names = spec.name === "exclude" ? dir.exclude : dir.rerouteVirtual;
            return names === undefined ? undefined : fieldSetting({ names: [...new Set(names)].sort() }, inherit);
        }
        case "uids":
            return dir.excludeUids === undefined ? undefined : fieldSetting({ uids: normaliseUidExclusions(dir.excludeUids) }, inherit);
        case "cidrs":
            break;
    }
    const given = spec.name === "excludeIpRanges" ? dir.excludeIpRanges : dir.includeIpRanges;
    // Cloud metadata presets join the scope's excludeIpRanges, and so its inheritance.
    const presets = spec.name === "excludeIpRanges" ? (dir.excludeCloudMetadata ?? []).flatMap((p) => CLOUD_METADATA_CIDRS[p]) : [];
    const listed = given !== undefined || presets.length > 0;
    if (all && listed) allConflict(spec, base, issues);
    if (!listed && !all) return undefined;
    const cidrs: Cidr[] = [];
    (given ?? []).forEach((p, i) => {
        if (p.note) issues.warn(joinPath(base, spec.group, spec.name, i), p.note);
        cidrs.push(p.cidr);
    });
    cidrs.push(...presets);
    return fieldSetting({ all, cidrs: aggregateCidrs(cidrs) }, inherit);
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
        if (spec.values === "names") {
            if (setting.names.includes(PRIMARY_INTERFACE) && !ack?.primaryInterface) {
                const what = spec.exclude ? "all of its traffic would skip the sidecar" : "all of its inbound traffic would be captured as outbound";
                issues.error(
                    path(),
                    `${PRIMARY_INTERFACE} is the pod's primary interface under most CNIs, so ${what}; set acknowledge.primaryInterface: true ` +
                        "if you mean it, or use fullBypass",
                );
            }
            if (spec.exclude) {
                const rerouted = new Set(fields[spec.opposite ?? spec.key]?.names ?? []);
                const both = setting.names.filter((n) => rerouted.has(n));
                if (both.length > 0) issues.error(path(), `${both.join(", ")} both excluded and rerouted at this scope; keep one`);
            }
            continue;
        }
        if (spec.values === "uids") {
            const root = setting.uids.filter((r) => r.first === 0);
            if (root.length > 0 && !ack?.rootUser) {
                issues.error(
                    path(),
                    `user id 0 is root: every process running as root (often the app itself) would skip the sidecar (${root.map((r) => r.text).join("; ")}); ` +
                        "set acknowledge.rootUser: true if you mean it",
                );
            }
            continue;
        }
        if (!spec.exclude) continue;
        const opposite = spec.opposite ? fields[spec.opposite] : undefined;
        if (spec.values === "ports") {
            const included = new Set(opposite?.ports ?? []);
            const both = setting.ports.filter((p) => included.has(p));
            if (both.length > 0) {
                issues.error(path(), `port${both.length > 1 ? "s" : ""} ${both.join(", ")} both included and excluded at this scope; keep one`);
            }
            if (!ack?.sidecarPorts) checkSidecarPorts(setting.ports, path, ctx);
            continue;
        }
        const includeTexts = new Set((opposite?.cidrs ?? []).map((c) => c.text));
        for (const c of setting.cidrs) {
            if (includeTexts.has(c.text)) issues.error(path(), `${c.text} is both included and excluded at this scope; keep one`);
            if (isEverything(c) && !ack?.allAddresses) {
                issues.error(
                    path(),
                    `${c.text} excludes every IPv${c.family} address, so all outbound traffic would skip the sidecar; ` +
                        "set acknowledge.allAddresses: true if you mean it, or use fullBypass",
                );
            }
        }
        for (const inc of opposite?.cidrs ?? []) {
            const cover = setting.cidrs.find((c) => c.text !== inc.text && cidrContains(c, inc));
            if (cover) {
                issues.warn(
                    joinPath(base, spec.group, "includeIpRanges"),
                    `${inc.text} is inside excluded ${cover.text}; the exclude wins, so including it has no effect`,
                );
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
