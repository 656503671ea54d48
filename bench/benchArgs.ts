// The benchmark's rule set: 10,000 workloads in 500 namespaces with 5,000 CIDRs spread over the scopes.
import type { PlainBypassArgs } from "../provider/index";

export const BENCH_SIZE = { NAMESPACES: 500, WORKLOADS: 10_000 };
/** The clock both plan benches give the planner, so they time and count the same plan. */
export const BENCH_NOW = new Date("2026-11-21T00:00:00Z");
const { NAMESPACES, WORKLOADS } = BENCH_SIZE;

function v4(i: number, prefix: number): string {
    return `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/${prefix}`;
}

/** 5,000 CIDRs: 500 global, 6 per namespace (3,000), 1 on each of 1,500 workloads. */
export function benchArgs(): PlainBypassArgs {
    let cidr = 0;
    const next = (prefix = 24) => v4(cidr++ * 7, prefix);
    const global = { outbound: { excludeIpRanges: Array.from({ length: 500 }, () => next()) } };
    const namespaces = Array.from({ length: NAMESPACES }, (_, n) => ({
        name: `team-${n}`,
        inbound: { excludePorts: [7000 + (n % 50), 8000] },
        outbound: { excludeIpRanges: Array.from({ length: 6 }, () => next()), inherit: "merge" as const },
    }));
    const workloads = Array.from({ length: WORKLOADS }, (_, w) => ({
        kind: (["Deployment", "StatefulSet", "DaemonSet"] as const)[w % 3],
        namespace: `team-${w % NAMESPACES}`,
        name: `app-${w}`,
        ...(w % 20 < 3 ? { outbound: { excludeIpRanges: [next(32)], inherit: "merge" as const } } : {}),
    }));
    if (cidr !== 5000) throw new Error(`bench generated ${cidr} CIDRs, expected 5000`);
    return { meshes: ["istio", "kuma"], global, namespaces, workloads };
}
