// The tests' prediction of what Istio's injection template hands istio-iptables (istio-init's flags) for a pod with
// given annotations and the install's defaults. The oracle and e2e tiers compare it with Istio's own injector; it is
// test code, so it lives here and not in the package.
import { ISTIO_ANNOTATIONS, type IstioField, type IstioSettings, istioValue } from "../../provider/src/meshes/istio";
import type { FieldSetting } from "../../provider/src/rules/types";
import { valuesOf } from "../../provider/src/rules/valueKinds";

type Values = Pick<FieldSetting, "all" | "values">;

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
    /** excludeInterfaces, present only when annotated */
    c?: string;
    /** reroute-virtual-interfaces, present only when annotated */
    k?: string;
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
export function istioInitArgs(annotations: Readonly<Record<string, string>>, install: IstioSettings): IstioInitArgs {
    const none: Values = { all: false, values: valuesOf("ports", []) };
    const value = (key: IstioField) => annotations[ISTIO_ANNOTATIONS[key]] ?? istioValue(install.fields[key] ?? none);
    const excludes = withStatusPort(String(install.statusPort), value("inbound.excludePorts"));
    const args: IstioInitArgs = {
        i: value("outbound.includeIpRanges"),
        x: value("outbound.excludeIpRanges"),
        b: value("inbound.includePorts"),
        d: excludes === "" ? "15090,15021" : `15090,15021,${excludes}`,
    };
    for (const [flag, key] of [
        ["q", "outbound.includePorts"],
        ["o", "outbound.excludePorts"],
    ] as const) {
        const v = value(key);
        if (ISTIO_ANNOTATIONS[key] in annotations || v !== "") args[flag] = v;
    }
    // Only an annotation sets these (the template's `isset`); there is no install default.
    for (const [flag, key] of [
        ["c", "interfaces.exclude"],
        ["k", "interfaces.rerouteVirtual"],
    ] as const) {
        const v = annotations[ISTIO_ANNOTATIONS[key]];
        if (v !== undefined) args[flag] = v;
    }
    return args;
}
