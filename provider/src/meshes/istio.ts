// Istio (also what Alibaba ASM and DaoCloud DCE 5.0 write): `traffic.sidecar.istio.io/*` pod-template
// annotations. An annotation replaces the install default instead of merging with it, so lists are written
// in full; values are comma-joined without spaces, `*` only where the injector allows it.
import { aggregateCidrs } from "../rules/aggregateCidrs";
import type { FieldKey } from "../rules/fields";
import { normalisePorts } from "../rules/ports";
import type { FieldSetting, IstioInstall } from "../rules/types";
import type { IstioInstallDefaultsArgs } from "../args";
import { type MeshRenderer, emptyRendered } from "./adapter";
import { type EffectiveField, joinedValues } from "../plan/resolveScopes";

export const ISTIO_ANNOTATIONS: Record<FieldKey, string> = {
    "inbound.includePorts": "traffic.sidecar.istio.io/includeInboundPorts",
    "inbound.excludePorts": "traffic.sidecar.istio.io/excludeInboundPorts",
    "outbound.includePorts": "traffic.sidecar.istio.io/includeOutboundPorts",
    "outbound.excludePorts": "traffic.sidecar.istio.io/excludeOutboundPorts",
    "outbound.includeIpRanges": "traffic.sidecar.istio.io/includeOutboundIPRanges",
    "outbound.excludeIpRanges": "traffic.sidecar.istio.io/excludeOutboundIPRanges",
};

type Values = Pick<FieldSetting, "all" | "ports" | "cidrs">;

function withInstall(f: EffectiveField, install: IstioInstall): Values {
    if (!f.mergesWithInstall) return f;
    const d = install.fields[f.key];
    if (!d) return f;
    return {
        all: f.all || d.all,
        ports: normalisePorts([...d.ports, ...f.ports]),
        cidrs: aggregateCidrs([...d.cidrs, ...f.cidrs]),
    };
}

export function istioValue(v: Values): string {
    return v.all ? "*" : joinedValues(v);
}

/**
 * Istio ambient mode's per-pod opt-out (Istio 1.22+): the CNI enrols a pod of an ambient namespace only when its
 * `istio.io/dataplane-mode` label is not `none` (istio/istio manifests/charts/istio-cni/values.yaml,
 * ambient.enablementSelectors; pkg/config/constants DataplaneModeNone), so ztunnel leaves it alone.
 */
export const ISTIO_DATAPLANE_MODE_LABEL = "istio.io/dataplane-mode";

export const renderIstio: MeshRenderer = ({ effective, istio }) => {
    const out = emptyRendered();
    if (istio.ambient) {
        if (effective.fullBypass?.active) out.labels[ISTIO_DATAPLANE_MODE_LABEL] = "none";
        const keys = Object.keys(effective.fields);
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
        const v = withInstall(f, istio);
        inForce[f.key] = v;
        out.annotations[ISTIO_ANNOTATIONS[f.key]] = istioValue(v);
    }
    const inInclude = inForce["inbound.includePorts"];
    const inExclude = inForce["inbound.excludePorts"];
    if (inInclude && !inInclude.all && inExclude && inExclude.ports.length > 0 && effective.fields["inbound.excludePorts"]) {
        out.notes.push(
            `Istio ignores inbound excludePorts (${istioValue(inExclude)}) while includeInboundPorts is a list (${istioValue(inInclude) || "empty"}): only listed ports are captured`,
        );
    }
    const outPorts = inForce["outbound.includePorts"];
    const outRanges = inForce["outbound.includeIpRanges"];
    if (outPorts && outPorts.ports.length > 0 && outRanges?.all && effective.fields["outbound.includePorts"]) {
        out.notes.push("Istio's outbound includePorts has no effect while includeOutboundIPRanges is '*' (everything is captured already)");
    }
    const statusPort = String(istio.statusPort);
    if (inExclude?.ports.some((p) => p === 15090 || p === 15021 || String(p) === statusPort) && effective.fields["inbound.excludePorts"]) {
        out.notes.push(`Istio always excludes 15090, 15021 and the status port ${statusPort} inbound; listing them changes nothing`);
    }
    return out;
};

/**
 * Reads the install's `global.proxy.*` from the `values` key of the `istio-sidecar-injector` ConfigMap
 * (a JSON document), so merged lists stay complete.
 */
export function parseIstioInjectorValues(valuesJson: string): IstioInstallDefaultsArgs {
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

/** The istio-iptables arguments istio-init receives (the flags the bypass rules decide). */
export interface IstioInitArgs {
    /** includeOutboundIPRanges */
    i: string;
    /** excludeOutboundIPRanges */
    x: string;
    /** includeInboundPorts */
    b: string;
    /** excludeInboundPorts, with 15090, 15021 and the status port */
    d: string;
    /** includeOutboundPorts, present only when annotated or defaulted non-empty */
    q?: string;
    /** excludeOutboundPorts, present only when annotated or defaulted non-empty */
    o?: string;
}

/** The injector's `excludeInboundPort`: append the status port unless it is 0 or already listed. */
function withStatusPort(statusPort: string, excludes: string): string {
    if (statusPort === "" || statusPort === "0") return excludes;
    const ports = excludes.split(",").filter((p) => p.trim() !== "");
    if (ports.includes(statusPort)) return excludes;
    return [...ports.map((p) => p.trim()), statusPort].join(",");
}

/**
 * What the injection template hands istio-iptables for a pod with these annotations, given the install's
 * defaults: the plan's prediction, which the oracle tests compare with Istio's own injector.
 */
export function istioInitArgs(annotations: Readonly<Record<string, string>>, install: IstioInstall): IstioInitArgs {
    const none: Values = { all: false, ports: [], cidrs: [] };
    const value = (key: FieldKey) => annotations[ISTIO_ANNOTATIONS[key]] ?? istioValue(install.fields[key] ?? none);
    const excludes = withStatusPort(String(install.statusPort), value("inbound.excludePorts"));
    const args: IstioInitArgs = {
        i: value("outbound.includeIpRanges"),
        x: value("outbound.excludeIpRanges"),
        b: value("inbound.includePorts"),
        d: excludes === "" ? "15090,15021" : `15090,15021,${excludes}`,
    };
    for (const [flag, key] of [["q", "outbound.includePorts"], ["o", "outbound.excludePorts"]] as const) {
        const v = value(key);
        if (ISTIO_ANNOTATIONS[key] in annotations || v !== "") args[flag] = v;
    }
    return args;
}
