// The pod template carries a hash of the workload's rendered bypass settings: it changes exactly when
// those settings change, so only those workloads roll, and it is independent of input order.
import { createHash } from "node:crypto";

export const ROLLOUT_HASH_ANNOTATION = "sidecar-bypass.io/rollout-hash";

export function rolloutHash(annotations: Record<string, string>, labels: Record<string, string>): string {
    const h = createHash("sha256");
    for (const [prefix, map] of [
        ["a", annotations],
        ["l", labels],
    ] as const) {
        for (const k of Object.keys(map).sort()) h.update(`${prefix}\u0000${k}\u0000${map[k]}\u0000`);
    }
    return h.digest("hex").slice(0, 16);
}
