// Istio (also what Alibaba ASM and DaoCloud DCE 5.0 write): `traffic.sidecar.istio.io/*` pod-template
// annotations. An annotation replaces the install default instead of merging with it, so lists are written
// in full; values are comma-joined without spaces, `*` only where the injector allows it.
import { z } from "zod";
import { IstioDataplaneMode, type IstioInstallDefaults } from "../args";
import type { EffectiveField } from "../resolve/effective";
import { aggregateCidrs } from "../rules/aggregateCidrs";
import { type Cidr, parseCidr } from "../rules/cidr";
import { fieldSetting } from "../rules/fieldSetting";
import { FIELDS, type FieldKey, type FieldSpec } from "../rules/fields";
import { type IssueCollector, joinPath } from "../rules/issues";
import { dnsLabel, dnsSubdomain } from "../rules/kubeNames";
import { meshOptions } from "../rules/meshTraits";
import { normalisePorts } from "../rules/ports";
import { type Assert, values as enumValues, type PlainBypassArgs } from "../rules/schema";
import type { FieldSetting } from "../rules/types";
import { joinValues, listOf, mergeValues, noValues, VALUE_KINDS, valuesOf } from "../rules/valueKinds";
import { emptyRendered, type MeshAdapter, type Rendered, type RenderInput } from "./adapter";
import { readAnnotationTable } from "./readBack";

/** The rule fields Istio has a pod annotation for. */
export type IstioField =
    | "inbound.includePorts"
    | "inbound.excludePorts"
    | "outbound.includePorts"
    | "outbound.excludePorts"
    | "outbound.includeIpRanges"
    | "outbound.excludeIpRanges"
    | "interfaces.exclude"
    | "interfaces.rerouteVirtual";

export const ISTIO_ANNOTATIONS: Record<IstioField, string> = {
    "inbound.includePorts": "traffic.sidecar.istio.io/includeInboundPorts",
    "inbound.excludePorts": "traffic.sidecar.istio.io/excludeInboundPorts",
    "outbound.includePorts": "traffic.sidecar.istio.io/includeOutboundPorts",
    "outbound.excludePorts": "traffic.sidecar.istio.io/excludeOutboundPorts",
    "outbound.includeIpRanges": "traffic.sidecar.istio.io/includeOutboundIPRanges",
    "outbound.excludeIpRanges": "traffic.sidecar.istio.io/excludeOutboundIPRanges",
    // Checked against istio.io/istio v0.0.0-20260827124520-eed52ebb66ad: the injection template passes each to
    // istio-iptables only when the annotation is set (manifests/charts/istio-control/istio-discovery/files/
    // injection-template.yaml: excludeInterfaces as -c; reroute-virtual-interfaces as -k, preferred over the deprecated
    // traffic.sidecar.istio.io/kubevirtInterfaces, which we never write), and validates both with
    // ValidateInterfaceNames (pkg/kube/inject/validate.go). In istio-iptables (tools/istio-iptables/pkg/capture/run.go)
    // -c returns the interface's traffic both ways (`PREROUTING -i IF -j RETURN`, `OUTPUT -o IF -j RETURN`), and -k
    // sends what arrives on it to the outbound listener (`PREROUTING -i IF -j ISTIO_REDIRECT`, or RETURN where the
    // include ranges do not cover it). Neither has a `global.proxy` install default.
    "interfaces.exclude": "traffic.sidecar.istio.io/excludeInterfaces",
    "interfaces.rerouteVirtual": "istio.io/reroute-virtual-interfaces",
};

function isIstioField(key: FieldKey): key is IstioField {
    return key in ISTIO_ANNOTATIONS;
}

/**
 * Why Istio cannot exclude by user id: no pod annotation says so. istio-iptables' only owner filter is by group,
 * ISTIO_OUTBOUND_OWNER_GROUPS(_EXCLUDE), an environment variable of istio-init that the injection template does not
 * derive from any annotation (tools/istio-iptables/pkg/constants/constants.go; checked at the same Istio version).
 */
const NO_UIDS =
    "Istio has no per-pod setting to exclude traffic by user id (istio-iptables' only owner filter is by group, the " +
    "ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE environment variable of istio-init, set at install, not per pod); outbound.excludeUids is not applied for Istio";

/** The install's defaults (as rule fields) and how the workloads run. */
export interface IstioSettings {
    readonly fields: Partial<Record<FieldKey, FieldSetting>>;
    /** The status port, which the injector appends to the inbound excludes. */
    readonly statusPort: number;
    /** The workloads run in ambient mode: no sidecar, so no traffic annotations, and a label for a full bypass. */
    readonly ambient: boolean;
}

type Values = Pick<FieldSetting, "all" | "values">;

function withInstall(f: EffectiveField, install: IstioSettings): Values {
    if (!f.mergesWithInstall) return f;
    const d = install.fields[f.key];
    if (!d) return f;
    return { all: f.all || d.all, values: mergeValues(d.values, f.values) };
}

export function istioValue(v: Values): string {
    return v.all ? "*" : joinValues(v.values);
}

/**
 * Istio ambient mode's per-pod opt-out (Istio 1.22+): the CNI enrols a pod of an ambient namespace only when its
 * `istio.io/dataplane-mode` label is not `none` (istio/istio manifests/charts/istio-cni/values.yaml,
 * ambient.enablementSelectors; pkg/config/constants DataplaneModeNone), so ztunnel leaves it alone.
 */
export const ISTIO_DATAPLANE_MODE_LABEL = "istio.io/dataplane-mode";

function renderIstio({ effective, settings: istio }: RenderInput<IstioSettings>): Rendered {
    const out = emptyRendered();
    const reroute = effective.fields["interfaces.rerouteVirtual"];
    if (istio.ambient) {
        if (effective.fullBypass?.active) out.labels[ISTIO_DATAPLANE_MODE_LABEL] = "none";
        // Ambient's node agent reads istio.io/reroute-virtual-interfaces too (cni/pkg/nodeagent/net.go): TCP arriving on
        // those interfaces goes to ztunnel's outbound port (cni/pkg/iptables/iptables.go). It reads no other of these.
        else if (reroute && reroute.values.list.length > 0) out.annotations[ISTIO_ANNOTATIONS["interfaces.rerouteVirtual"]] = joinValues(reroute.values);
        const keys = Object.keys(effective.fields).filter((k) => k !== "interfaces.rerouteVirtual");
        if (keys.length > 0) {
            out.notes.push(
                `Istio ambient mode has no sidecar and does not read traffic.sidecar.istio.io annotations: ${keys.join(", ")} ` +
                    "are not applied for Istio (only a full bypass, the istio.io/dataplane-mode: none label, takes an ambient pod out)",
            );
        }
        return out;
    }
    if (effective.fullBypass?.active) {
        // No capture in either direction: istio-init installs no redirect (what Kmesh's bypass does).
        out.annotations[ISTIO_ANNOTATIONS["inbound.includePorts"]] = "";
        out.annotations[ISTIO_ANNOTATIONS["outbound.includeIpRanges"]] = "";
        out.annotations[ISTIO_ANNOTATIONS["outbound.includePorts"]] = "";
        return out;
    }
    const inForce: Partial<Record<FieldKey, Values>> = { ...istio.fields };
    for (const f of Object.values(effective.fields)) {
        if (!isIstioField(f.key)) {
            out.notes.push(f.key === "outbound.excludeUids" ? NO_UIDS : `Istio has no per-pod ${f.key}; it is not applied for Istio`);
            continue;
        }
        if (f.key === "interfaces.exclude" || f.key === "interfaces.rerouteVirtual") {
            // An empty list is the same as none (no install default), so nothing is written for it.
            if (f.values.list.length > 0) out.annotations[ISTIO_ANNOTATIONS[f.key]] = joinValues(f.values);
            continue;
        }
        const v = withInstall(f, istio);
        inForce[f.key] = v;
        out.annotations[ISTIO_ANNOTATIONS[f.key]] = istioValue(v);
    }
    const both = VALUE_KINDS.names.common(listOf(reroute?.values, "names"), listOf(effective.fields["interfaces.exclude"]?.values, "names"));
    if (both.length > 0) {
        out.notes.push(
            `Istio gets ${both.join(", ")} both as an excluded and as a rerouted interface (from different scopes): its inbound traffic is ` +
                "rerouted to the outbound listener (the reroute rules come first in PREROUTING) and its outbound traffic skips capture; keep one",
        );
    }
    const inInclude = inForce["inbound.includePorts"];
    const inExclude = inForce["inbound.excludePorts"];
    if (inInclude && !inInclude.all && inExclude && inExclude.values.list.length > 0 && effective.fields["inbound.excludePorts"]) {
        out.notes.push(
            `Istio ignores inbound excludePorts (${istioValue(inExclude)}) while includeInboundPorts is a list (${istioValue(inInclude) || "empty"}): only listed ports are captured`,
        );
    }
    const outPorts = inForce["outbound.includePorts"];
    const outRanges = inForce["outbound.includeIpRanges"];
    if (outPorts && outPorts.values.list.length > 0 && outRanges?.all && effective.fields["outbound.includePorts"]) {
        out.notes.push("Istio's outbound includePorts has no effect while includeOutboundIPRanges is '*' (everything is captured already)");
    }
    const statusPort = String(istio.statusPort);
    if (listOf(inExclude?.values, "ports").some((p) => p === 15090 || p === 15021 || String(p) === statusPort) && effective.fields["inbound.excludePorts"]) {
        out.notes.push(`Istio always excludes 15090, 15021 and the status port ${statusPort} inbound; listing them changes nothing`);
    }
    return out;
}

/**
 * Reads the install's `global.proxy.*` from the `values` key of the `istio-sidecar-injector` ConfigMap
 * (a JSON document), so merged lists stay complete.
 */
export function parseIstioInjectorValues(valuesJson: string): IstioInstallDefaults {
    let doc: unknown;
    try {
        doc = JSON.parse(valuesJson);
    } catch (e) {
        throw new Error(`istio-sidecar-injector 'values' is not JSON: ${(e as Error).message}`);
    }
    const proxy = (doc as { global?: { proxy?: Record<string, unknown> } })?.global?.proxy ?? {};
    const str = (k: string) => (proxy[k] === undefined || proxy[k] === null ? undefined : String(proxy[k]));
    const status = proxy.statusPort === undefined ? undefined : Number(proxy.statusPort);
    return {
        includeIPRanges: str("includeIPRanges"),
        excludeIPRanges: str("excludeIPRanges"),
        includeInboundPorts: str("includeInboundPorts"),
        excludeInboundPorts: str("excludeInboundPorts"),
        includeOutboundPorts: str("includeOutboundPorts"),
        excludeOutboundPorts: str("excludeOutboundPorts"),
        statusPort: status,
    };
}

const installDefaultsSchema = z.strictObject({
    includeIPRanges: z.string().optional(),
    excludeIPRanges: z.string().optional(),
    includeInboundPorts: z.string().optional(),
    excludeInboundPorts: z.string().optional(),
    includeOutboundPorts: z.string().optional(),
    excludeOutboundPorts: z.string().optional(),
    statusPort: z.number().int().min(0).max(65535).optional(),
});

const optionsSchema = z.strictObject({
    dataplaneMode: z.enum(enumValues(IstioDataplaneMode), { error: "expected sidecar or ambient" }).optional(),
    installDefaults: installDefaultsSchema.optional(),
    readInstallDefaults: z.strictObject({ namespace: dnsLabel.optional(), name: dnsSubdomain.optional() }).optional(),
});

// The hand-written interface and the schema accept the same options.
type IstioArgs = NonNullable<PlainBypassArgs["istio"]>;
export type IstioSchemaAcceptsInterface = Assert<IstioArgs extends z.input<typeof optionsSchema> ? true : false>;
export type IstioInterfaceAcceptsSchema = Assert<z.input<typeof optionsSchema> extends IstioArgs ? true : false>;

/** Istio's `global.proxy.*` values and their Helm defaults, by the rule field each sets. */
const HELM_DEFAULTS: ReadonlyArray<[keyof IstioInstallDefaults, FieldKey, string]> = [
    ["includeIPRanges", "outbound.includeIpRanges", "*"],
    ["excludeIPRanges", "outbound.excludeIpRanges", ""],
    ["includeInboundPorts", "inbound.includePorts", "*"],
    ["excludeInboundPorts", "inbound.excludePorts", ""],
    ["includeOutboundPorts", "outbound.includePorts", ""],
    ["excludeOutboundPorts", "outbound.excludePorts", ""],
];

/** Istio's `global.proxy.*` strings parsed into rule fields; unset values are Istio's Helm defaults. */
function readSettings(parsed: z.output<typeof optionsSchema> | undefined, issues: IssueCollector): IstioSettings {
    const base = "istio.installDefaults";
    if (parsed?.installDefaults !== undefined && parsed.readInstallDefaults !== undefined) {
        issues.error("istio.readInstallDefaults", "give either installDefaults or readInstallDefaults, not both");
    }
    const install = parsed?.installDefaults ?? {};
    const fields: Partial<Record<FieldKey, FieldSetting>> = {};
    for (const [name, key, dflt] of HELM_DEFAULTS) {
        const spec = FIELDS.find((f) => f.key === key);
        if (spec) fields[key] = installField(String(install[name] ?? dflt).trim(), spec, joinPath(base, name), issues);
    }
    return { fields, statusPort: install.statusPort ?? 15020, ambient: parsed?.dataplaneMode === "ambient" };
}

function installField(text: string, spec: FieldSpec, path: string, issues: IssueCollector): FieldSetting {
    if (text === "*") {
        if (!spec.allFlag) issues.error(path, "'*' is accepted only for includeIPRanges and includeInboundPorts");
        return fieldSetting(noValues(spec.values), "override", true);
    }
    const parts =
        text === ""
            ? []
            : text
                  .split(",")
                  .map((p) => p.trim())
                  .filter((p) => p !== "");
    if (spec.values === "cidrs") {
        const cidrs: Cidr[] = [];
        for (const p of parts) {
            const r = parseCidr(p);
            if (r.ok) cidrs.push(r.cidr);
            else issues.error(path, r.message);
        }
        return fieldSetting(valuesOf("cidrs", aggregateCidrs(cidrs)), "override");
    }
    const ports: number[] = [];
    for (const p of parts) {
        const n = /^\d{1,5}$/.test(p) ? Number(p) : Number.NaN;
        if (n >= 1 && n <= 65535) ports.push(n);
        else issues.error(path, `'${p}' is not a port from 1 to 65535`);
    }
    return fieldSetting(valuesOf("ports", normalisePorts(ports)), "override");
}

export const istio: MeshAdapter<IstioSettings, "istio"> = {
    id: "istio",
    displayName: "Istio",
    sidecarPorts: new Map([
        [15000, "Envoy admin"],
        [15001, "outbound capture listener"],
        [15004, "debug"],
        [15006, "inbound capture listener"],
        [15008, "HBONE tunnel"],
        [15020, "merged metrics / status"],
        [15021, "health checks"],
        [15053, "DNS proxy"],
        [15090, "Envoy Prometheus telemetry"],
    ]),
    annotationKeys: Object.values(ISTIO_ANNOTATIONS),
    labelKeys: [ISTIO_DATAPLANE_MODE_LABEL],
    options: meshOptions(optionsSchema, (parsed, ctx) => readSettings(parsed, ctx.issues)),
    render: renderIstio,
    readBack: (pod) => {
        const read = readAnnotationTable(ISTIO_ANNOTATIONS, pod, { portRanges: false });
        const mode = pod.labels[ISTIO_DATAPLANE_MODE_LABEL];
        if (mode !== "none") return read;
        // Ambient's opt-out takes the whole pod out: a full bypass.
        const base = read ?? { keys: {}, rules: {}, fieldKeys: {} };
        return {
            ...base,
            keys: { ...base.keys, [ISTIO_DATAPLANE_MODE_LABEL]: mode },
            rules: { ...base.rules, fullBypass: { enabled: true, acknowledged: true } },
        };
    },
    clusterDefaults: {
        readName: "istio-injector",
        source: (args) => {
            const ref = args.istio?.readInstallDefaults;
            return ref ? { namespace: ref.namespace ?? "istio-system", name: ref.name ?? "istio-sidecar-injector" } : undefined;
        },
        // The install's defaults, read, replace how they were asked for; the other Istio options stay.
        apply: (args, data) => ({
            ...args,
            istio: { dataplaneMode: args.istio?.dataplaneMode, installDefaults: parseIstioInjectorValues(data.values ?? "{}") },
        }),
    },
};
