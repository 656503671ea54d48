// Port lists and the ports each mesh's sidecar listens on itself.
import type { Mesh } from "../args";

/** Sorted, unique. */
export function normalisePorts(ports: readonly number[]): number[] {
    return [...new Set(ports)].sort((a, b) => a - b);
}

/**
 * Ports a sidecar uses for itself. Excluding them breaks the proxy (redirect listeners) or its health and
 * metrics, so doing so needs `acknowledge.sidecarPorts`.
 */
export const SIDECAR_PORTS: Record<Mesh, ReadonlyMap<number, string>> = {
    istio: new Map([
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
    kuma: new Map([
        [9901, "Envoy admin"],
        [15001, "outbound redirect"],
        [15006, "inbound redirect"],
        [15053, "DNS"],
    ]),
    kmesh: new Map(),
    linkerd: new Map([
        [4140, "outbound proxy"],
        [4143, "inbound proxy"],
        [4190, "control"],
        [4191, "admin / metrics"],
    ]),
    consul: new Map([
        [15001, "outbound listener"],
        [19000, "Envoy admin"],
        [20000, "inbound (public) listener"],
        [20200, "merged metrics"],
    ]),
};

/** Joins consecutive ports into `a-b` ranges (for meshes that accept them, e.g. Linkerd). */
export function toPortRanges(ports: readonly number[]): string[] {
    const out: string[] = [];
    let i = 0;
    while (i < ports.length) {
        let j = i;
        while (j + 1 < ports.length && ports[j + 1] === ports[j] + 1) j++;
        out.push(j > i ? `${ports[i]}-${ports[j]}` : String(ports[i]));
        i = j + 1;
    }
    return out;
}
