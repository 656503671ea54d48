// validate → normalise: plain arguments in, NormalisedRules out, every problem collected with its path.
import type { z } from "zod";
import type { CloudMetadata, Mesh } from "../args";
import { CLOUD_METADATA_RANGES } from "./cloudMetadata";
import { aggregateCidrs, cidrContains } from "./aggregateCidrs";
import { type Cidr, isEverything, parseCidr } from "./cidr";
import { FIELDS, type FieldKey, type FieldSpec } from "./fields";
import { IssueCollector, joinPath } from "./issues";
import { toProtoDuration } from "./duration";
import { kumaRefusedMatches, samePortRule, validatePassthrough } from "./passthrough";
import { SIDECAR_PORTS, normalisePorts } from "./ports";
import {
    type ParsedScope,
    argsShapeSchema,
    globalRulesSchema,
    istioInstallDefaultsSchema,
    namespaceRulesSchema,
    suggestKey,
    workloadRulesSchema,
    type PlainBypassArgs,
} from "./schema";
import type {
    FieldSetting,
    FullBypass,
    IstioInstall,
    KumaSettings,
    NormalisedRules,
    ScopeRef,
    ScopeRules,
    WorkloadRules,
} from "./types";

export interface ValidateOptions {
    /** The time expiries are compared with; default now. */
    now?: Date;
}

export interface ValidatedRules {
    rules: NormalisedRules;
    warnings: IssueCollector["warnings"];
}

const MESH_NAMES: Record<Mesh, string> = {
    istio: "Istio",
    kuma: "Kuma",
    kmesh: "Kmesh",
    linkerd: "Linkerd",
    consul: "Consul",
};

/** Kuma's passthrough-cluster defaults (Kuma docs: ProxyTemplate / MeshProxyPatch). */
const PASSTHROUGH_CLUSTER_DEFAULTS = {
    maxConnections: 1024,
    maxPendingRequests: 1024,
    maxRequests: 1024,
    maxRetries: 3,
    connectTimeout: "10s",
    tcpIdleTimeout: "1h",
};

/** Checks and normalises the arguments; throws BypassValidationError listing every problem. */
export function validateRules(args: PlainBypassArgs, options: ValidateOptions = {}): ValidatedRules {
    const issues = new IssueCollector();
    const ctx = new Normaliser(issues, options.now ?? new Date());

    const shape = argsShapeSchema.safeParse(args);
    if (!shape.success) {
        ctx.zodIssues(shape.error.issues, "");
        issues.throwIfErrors();
    }
    const top = shape.data!;
    const meshes = [...new Set(top.meshes)];
    ctx.meshes = meshes;

    const global = ctx.scope(globalRulesSchema, top.global ?? {}, "global", { level: "global", label: "global", path: "global" });

    const namespaces = new Map<string, ScopeRules>();
    const namespacePaths = new Map<string, string>();
    (top.namespaces ?? []).forEach((raw, i) => {
        const path = `namespaces[${i}]`;
        const parsed = ctx.parse(namespaceRulesSchema, raw, path);
        if (!parsed) return;
        const seen = namespacePaths.get(parsed.name);
        if (seen) {
            issues.error(`${path}.name`, `namespace '${parsed.name}' is already listed at ${seen}; merge the two entries`);
            return;
        }
        namespacePaths.set(parsed.name, path);
        namespaces.set(parsed.name, ctx.normaliseScope(parsed, { level: "namespace", label: `namespace/${parsed.name}`, path }));
    });

    const workloads: WorkloadRules[] = [];
    const workloadPaths = new Map<string, string>();
    (top.workloads ?? []).forEach((raw, i) => {
        const path = `workloads[${i}]`;
        const parsed = ctx.parse(workloadRulesSchema, raw, path);
        if (!parsed) return;
        const label = `${parsed.kind}/${parsed.namespace}/${parsed.name}`;
        const seen = workloadPaths.get(label);
        if (seen) {
            issues.error(path, `${label} is already listed at ${seen}; merge the two entries`);
            return;
        }
        workloadPaths.set(label, path);
        const scope = ctx.normaliseScope(parsed, { level: "workload", label, path });
        workloads.push({
            ...scope,
            kind: parsed.kind,
            namespace: parsed.namespace,
            name: parsed.name,
            declaredInProgram: parsed.declaredInProgram ?? false,
        });
    });

    const istio = ctx.istioInstall(top.istio?.installDefaults, top.istio?.readInstallDefaults !== undefined, top.istio?.dataplaneMode === "ambient");
    const kuma = kumaSettings(top.kuma);

    const hasPassthrough = global?.passthrough || [...namespaces.values(), ...workloads].some((s) => s.passthrough);
    if (hasPassthrough && !meshes.includes("kuma")) {
        issues.warn("meshes", "passthrough rules are rendered only for Kuma (MeshPassthrough), which is not in meshes; they have no effect");
    }
    if ((top.kuma?.passthrough !== undefined || top.kuma?.passthroughCluster) && !meshes.includes("kuma")) {
        issues.warn("kuma", "Kuma options are set but Kuma is not in meshes; no Kuma objects are emitted");
    }
    for (const [name, path] of namespacePaths) {
        if (!workloads.some((w) => w.namespace === name)) {
            issues.warn(path, `no workload in namespace '${name}' is listed in workloads; its port and range rules reach only workloads given to bypassTransform`);
        }
    }

    if (kuma.major >= 3 && kuma.passthrough !== undefined && global?.passthrough) {
        issues.error(
            "kuma.passthrough",
            "on Kuma 3 this is a mesh-wide MeshPassthrough, and so is global.passthrough; say it once, with global.passthrough.mode (All or None)",
        );
    }
    if (meshes.includes("kuma")) {
        const chains = [
            ...[...namespaces.values()].map((ns) => [global, ns]),
            ...workloads.map((w) => [global, namespaces.get(w.namespace), w]),
        ];
        checkMergedPassthrough(chains.map((c) => c.filter((s): s is ScopeRules => s !== undefined)), issues);
    }

    issues.throwIfErrors();
    return {
        rules: {
            meshes,
            global: global ?? { ref: { level: "global", label: "global", path: "global" }, fields: {} },
            namespaces,
            workloads,
            istio,
            kuma,
            rolloutHash: top.rolloutHash ?? true,
            rollout: { wait: top.rollout?.wait ?? true, timeoutSeconds: top.rollout?.timeoutSeconds ?? 600 },
            takeOwnership: top.takeOwnership ?? false,
        },
        warnings: issues.warnings,
    };
}

/**
 * Kuma appends the `appendMatch` lists of every MeshPassthrough that selects a proxy, least specific first, and
 * validates the merged list, so destinations that are valid in each scope alone can be refused together. Checks
 * each chain of scopes that reaches the same proxies; clashes within one scope are reported by that scope.
 */
function checkMergedPassthrough(chains: ReadonlyArray<readonly ScopeRules[]>, issues: IssueCollector): void {
    const reported = new Set<string>();
    for (const chain of chains) {
        const entries = chain.flatMap((scope) =>
            scope.passthrough?.mode === "Matched"
                ? scope.passthrough.destinations.map((d, i) => ({ d, scope: scope.ref.label, at: `${scope.ref.path}.passthrough.destinations[${i}]` }))
                : [],
        );
        for (const [i, j] of kumaRefusedMatches(entries.map((e) => e.d))) {
            const [late, early] = [entries[i], entries[j]];
            if (late.scope === early.scope || reported.has(`${late.at}|${early.at}`)) continue;
            reported.add(`${late.at}|${early.at}`);
            issues.error(
                late.at,
                `port ${late.d.port} is ${early.d.protocol} at ${early.at} and ${late.d.protocol} here, for the same proxies: Kuma merges ` +
                    `the MeshPassthrough policies that select a proxy (${early.scope} before ${late.scope}), and ${samePortRule}`,
            );
        }
    }
}

function kumaSettings(k: z.output<typeof argsShapeSchema>["kuma"]): KumaSettings {
    const cluster = k?.passthroughCluster;
    return {
        major: Number((k?.version ?? "2.14").split(".")[0]),
        mesh: k?.mesh ?? "default",
        systemNamespace: k?.systemNamespace ?? "kuma-system",
        passthrough: k?.passthrough,
        passthroughCluster: cluster
            ? {
                  maxConnections: cluster.maxConnections ?? PASSTHROUGH_CLUSTER_DEFAULTS.maxConnections,
                  maxPendingRequests: cluster.maxPendingRequests ?? PASSTHROUGH_CLUSTER_DEFAULTS.maxPendingRequests,
                  maxRequests: cluster.maxRequests ?? PASSTHROUGH_CLUSTER_DEFAULTS.maxRequests,
                  maxRetries: cluster.maxRetries ?? PASSTHROUGH_CLUSTER_DEFAULTS.maxRetries,
                  connectTimeout: toProtoDuration(cluster.connectTimeout ?? PASSTHROUGH_CLUSTER_DEFAULTS.connectTimeout),
                  tcpIdleTimeout: toProtoDuration(cluster.tcpIdleTimeout ?? PASSTHROUGH_CLUSTER_DEFAULTS.tcpIdleTimeout),
              }
            : undefined,
    };
}

class Normaliser {
    meshes: Mesh[] = [];

    constructor(
        private readonly issues: IssueCollector,
        private readonly now: Date,
    ) {}

    zodIssues(list: readonly z.core.$ZodIssue[], base: string): void {
        for (const issue of list) {
            const path = joinPath(base, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)));
            if (issue.code === "unrecognized_keys") {
                for (const key of issue.keys) {
                    const hint = suggestKey(key);
                    this.issues.error(
                        joinPath(path, key),
                        `unknown field '${key}'${hint && hint !== key ? `; did you mean '${hint}'?` : ""}`,
                    );
                }
            } else {
                this.issues.error(path, issue.message);
            }
        }
    }

    parse<S extends z.ZodType>(schema: S, raw: unknown, path: string): z.output<S> | undefined {
        const r = schema.safeParse(raw);
        if (r.success) return r.data;
        this.zodIssues(r.error.issues, path);
        return undefined;
    }

    scope(schema: typeof globalRulesSchema, raw: unknown, path: string, ref: ScopeRef): ScopeRules | undefined {
        const parsed = this.parse(schema, raw, path);
        return parsed ? this.normaliseScope(parsed, ref) : undefined;
    }

    normaliseScope(scope: ParsedScope, ref: ScopeRef): ScopeRules {
        const fields: Partial<Record<FieldKey, FieldSetting>> = {};
        for (const spec of FIELDS) {
            const setting = this.field(scope, spec, ref.path);
            if (setting) fields[spec.key] = setting;
        }
        this.checkScope(scope, fields, ref.path);
        return {
            ref,
            fields,
            fullBypass: this.fullBypass(scope.fullBypass, `${ref.path}.fullBypass`),
            passthrough: scope.passthrough
                ? validatePassthrough(scope.passthrough, `${ref.path}.passthrough`, this.issues)
                : undefined,
        };
    }

    private field(scope: ParsedScope, spec: FieldSpec, base: string): FieldSetting | undefined {
        const dir = scope[spec.direction] as Record<string, unknown> | undefined;
        if (!dir) return undefined;
        const given = dir[spec.name] as ReadonlyArray<number | string> | undefined;
        // Cloud metadata presets join the scope's excludeIpRanges, and so its inheritance.
        const presets =
            spec.key === "outbound.excludeIpRanges" ? ((dir.excludeCloudMetadata as CloudMetadata[] | undefined) ?? []).flatMap((p) => CLOUD_METADATA_RANGES[p]) : [];
        const list = presets.length > 0 ? [...(given ?? []), ...presets] : given;
        const all = spec.allFlag ? dir[spec.allFlag] === true : false;
        if (all && list !== undefined) {
            this.issues.error(
                joinPath(base, spec.direction, spec.allFlag!),
                `${spec.allFlag} cannot be combined with ${spec.name}; give one or the other`,
            );
        }
        if (list === undefined && !all) return undefined;
        const inheritFields = dir.inheritFields as Record<string, "override" | "merge" | undefined> | undefined;
        const inherit = inheritFields?.[spec.name] ?? (dir.inherit as "override" | "merge" | undefined) ?? "override";
        if (spec.values === "ports") {
            return { all, ports: normalisePorts((list ?? []) as number[]), cidrs: [], inherit };
        }
        const cidrs: Cidr[] = [];
        (list ?? []).forEach((text, i) => {
            const r = parseCidr(String(text));
            const path = joinPath(base, spec.direction, spec.name, i);
            if (!r.ok) this.issues.error(path, r.message);
            else {
                if (r.note) this.issues.warn(path, r.note);
                cidrs.push(r.cidr);
            }
        });
        return { all, ports: [], cidrs: aggregateCidrs(cidrs), inherit };
    }

    /** Conflicts within one scope, and the guardrails. */
    private checkScope(scope: ParsedScope, fields: Partial<Record<FieldKey, FieldSetting>>, base: string): void {
        for (const spec of FIELDS) {
            const setting = fields[spec.key];
            if (!setting || !spec.exclude) continue;
            const opposite = fields[spec.opposite];
            const ack = scope[spec.direction]?.acknowledge;
            const path = joinPath(base, spec.direction, spec.name);
            if (spec.values === "ports") {
                const included = new Set(opposite?.ports ?? []);
                const both = setting.ports.filter((p) => included.has(p));
                if (both.length > 0) {
                    this.issues.error(path, `port${both.length > 1 ? "s" : ""} ${both.join(", ")} both included and excluded at this scope; keep one`);
                }
                if (!ack?.sidecarPorts) this.checkSidecarPorts(setting.ports, path);
            } else {
                const includeTexts = new Set((opposite?.cidrs ?? []).map((c) => c.text));
                for (const c of setting.cidrs) {
                    if (includeTexts.has(c.text)) this.issues.error(path, `${c.text} is both included and excluded at this scope; keep one`);
                    if (isEverything(c) && !ack?.allAddresses) {
                        this.issues.error(
                            path,
                            `${c.text} excludes every IPv${c.family} address, so all outbound traffic would skip the sidecar; ` +
                                "set acknowledge.allAddresses: true if you mean it, or use fullBypass",
                        );
                    }
                }
                for (const inc of opposite?.cidrs ?? []) {
                    const cover = setting.cidrs.find((c) => c.text !== inc.text && cidrContains(c, inc));
                    if (cover) {
                        this.issues.warn(joinPath(base, spec.direction, "includeIpRanges"), `${inc.text} is inside excluded ${cover.text}; the exclude wins, so including it has no effect`);
                    }
                }
            }
        }
    }

    private checkSidecarPorts(ports: readonly number[], path: string): void {
        for (const mesh of this.meshes) {
            for (const p of ports) {
                const use = SIDECAR_PORTS[mesh].get(p);
                if (use) {
                    this.issues.error(
                        path,
                        `port ${p} is ${MESH_NAMES[mesh]}'s ${use}; excluding it breaks the sidecar. ` +
                            "Set acknowledge.sidecarPorts: true if you mean it",
                    );
                }
            }
        }
    }

    private fullBypass(fb: ParsedScope["fullBypass"], path: string): FullBypass | undefined {
        if (!fb) return undefined;
        let expired = false;
        if (fb.expires !== undefined) {
            const t = Date.parse(fb.expires);
            if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(fb.expires) || Number.isNaN(t)) {
                this.issues.error(`${path}.expires`, `'${fb.expires}' is not an RFC 3339 time; expected e.g. 2026-12-01T18:00:00Z`);
            } else if (fb.enabled && t <= this.now.getTime()) {
                expired = true;
                this.issues.warn(
                    `${path}.expires`,
                    `full bypass expired at ${fb.expires}; it is no longer applied and its pods return to the mesh on this update. Remove the rule or move the expiry`,
                );
            }
        }
        return { enabled: fb.enabled, reason: fb.reason, expires: fb.expires, expired };
    }

    /** Istio's `global.proxy.*` strings parsed into rule fields; unset values are Istio's Helm defaults. */
    istioInstall(raw: unknown, readFromCluster: boolean, ambient: boolean): IstioInstall {
        const base = "istio.installDefaults";
        if (raw !== undefined && readFromCluster) {
            this.issues.error("istio.readInstallDefaults", "give either installDefaults or readInstallDefaults, not both");
        }
        const parsed = raw === undefined ? {} : this.parse(istioInstallDefaultsSchema, raw, base) ?? {};
        const helm: Array<[keyof typeof parsed, FieldKey, string]> = [
            ["includeIPRanges", "outbound.includeIpRanges", "*"],
            ["excludeIPRanges", "outbound.excludeIpRanges", ""],
            ["includeInboundPorts", "inbound.includePorts", "*"],
            ["excludeInboundPorts", "inbound.excludePorts", ""],
            ["includeOutboundPorts", "outbound.includePorts", ""],
            ["excludeOutboundPorts", "outbound.excludePorts", ""],
        ];
        const fields: Partial<Record<FieldKey, FieldSetting>> = {};
        for (const [name, key, dflt] of helm) {
            const text = String(parsed[name] ?? dflt).trim();
            const spec = FIELDS.find((f) => f.key === key)!;
            fields[key] = this.installField(text, spec, joinPath(base, name));
        }
        return { fields, statusPort: parsed.statusPort ?? 15020, ambient };
    }

    private installField(text: string, spec: FieldSpec, path: string): FieldSetting {
        const setting = (all: boolean, ports: number[], cidrs: Cidr[]): FieldSetting => ({ all, ports, cidrs, inherit: "override" });
        if (text === "*") {
            if (!spec.allFlag) this.issues.error(path, "'*' is accepted only for includeIPRanges and includeInboundPorts");
            return setting(true, [], []);
        }
        const parts = text === "" ? [] : text.split(",").map((p) => p.trim()).filter((p) => p !== "");
        if (spec.values === "cidrs") {
            const cidrs: Cidr[] = [];
            for (const p of parts) {
                const r = parseCidr(p);
                if (r.ok) cidrs.push(r.cidr);
                else this.issues.error(path, r.message);
            }
            return setting(false, [], aggregateCidrs(cidrs));
        }
        const ports: number[] = [];
        for (const p of parts) {
            const n = /^\d{1,5}$/.test(p) ? Number(p) : NaN;
            if (n >= 1 && n <= 65535) ports.push(n);
            else this.issues.error(path, `'${p}' is not a port from 1 to 65535`);
        }
        return setting(false, normalisePorts(ports), []);
    }
}

