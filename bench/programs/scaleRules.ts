// The rule set the e2e scale test and the Pulumi benchmark use: workloads spread over namespaces, rules at
// every scope, one workload in ten with a merged range of its own. In the listed form scope rules reach the listed
// workloads (no admission policy), so both sides of the benchmark make the same objects; in the admission form no
// workload is listed and the same scope rules reach every pod through one policy per namespace.
import type { PlainBypassArgs } from "sidecar-bypass";

export interface ScaleSize {
    namespaces: number;
    perNamespace: number;
}

export const SCALE_500: ScaleSize = { namespaces: 50, perNamespace: 10 };

export function scaleWorkloads(size: ScaleSize): { namespace: string; name: string }[] {
    return scaleNamespaces(size).flatMap((namespace) => Array.from({ length: size.perNamespace }, (_, j) => ({ namespace, name: `w-${j}` })));
}

export function scaleNamespaces(size: ScaleSize): string[] {
    return Array.from({ length: size.namespaces }, (_, i) => `scale-${String(i).padStart(2, "0")}`);
}

/** How the scope rules reach the workloads: each one listed and patched, or none listed and every pod admitted. */
export type ScaleForm = "listed" | "admission";

export function scaleRules(size: ScaleSize, form: ScaleForm = "listed"): PlainBypassArgs {
    if (form === "admission") {
        return {
            meshes: ["istio", "kuma"],
            global: { outbound: { excludeIpRanges: ["169.254.169.254/32"] } },
            namespaces: scaleNamespaces(size).map((name, i) => ({ name, inbound: { excludePorts: [7000 + i] } })),
        };
    }
    return {
        meshes: ["istio", "kuma"],
        // The listed form, as the direct program writes it: the namespace rules reach the listed workloads only.
        admission: { mode: "off" },
        global: { outbound: { excludeIpRanges: ["169.254.169.254/32"] } },
        namespaces: scaleNamespaces(size).map((name, i) => ({ name, inbound: { excludePorts: [7000 + i] } })),
        workloads: scaleWorkloads(size).map((w, i) => ({
            kind: "Deployment" as const,
            ...w,
            ...(i % 10 === 0 ? { outbound: { excludeIpRanges: [`198.51.100.${i % 256}/32`], inherit: "merge" as const } } : {}),
        })),
    };
}
