// The pod template carries a hash of the workload's rendered bypass settings: it changes exactly when
// those settings change, so only those workloads roll, and it is independent of input order.
import { createHash } from "node:crypto";
import { NAMES } from "../rules/names";

export const ROLLOUT_HASH_ANNOTATION = NAMES.rolloutHashAnnotation;

/**
 * SHA-256 over `${prefix}\0${key}\0${value}\0` for each annotation (prefix `a`) and label (`l`), keys sorted; the first
 * 16 hex digits. Each value is hashed where it is rather than copied into one string with its key first (a workload's
 * range lists run to kilobytes): the same bytes, since every value is followed by a NUL.
 */
export function rolloutHash(annotations: Record<string, string>, labels: Record<string, string>): string {
    const h = createHash("sha256");
    let end = "";
    for (const [prefix, map] of [
        ["a", annotations],
        ["l", labels],
    ] as const) {
        for (const k of Object.keys(map).sort()) {
            h.update(`${end}${prefix}\u0000${k}\u0000`);
            h.update(map[k]);
            end = "\u0000";
        }
    }
    h.update(end);
    return h.digest("hex").slice(0, 16);
}
