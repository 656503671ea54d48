// Which resources exist must depend only on plain values, never on Outputs (no resources inside apply).
// The skeleton is the arguments with every Output or Promise removed: planning it gives the structure
// (workloads, namespaces, Kuma objects) and validates the plain parts synchronously.
import * as pulumi from "@pulumi/pulumi";
import type { SidecarBypassArgs } from "../args";
import type { PlainBypassArgs } from "../rules/schema";

function isEventual(v: unknown): boolean {
    return pulumi.Output.isInstance(v) || v instanceof Promise;
}

function strip(v: unknown): unknown {
    if (isEventual(v)) return undefined;
    if (Array.isArray(v)) return v.filter((x) => !isEventual(x)).map(strip);
    if (v !== null && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
            const s = strip(x);
            if (s !== undefined) out[k] = s;
        }
        return out;
    }
    return v;
}

function hasEventual(v: unknown): boolean {
    if (isEventual(v)) return true;
    if (Array.isArray(v)) return v.some(hasEventual);
    if (v !== null && typeof v === "object") return Object.values(v).some(hasEventual);
    return false;
}

/** The arguments without their Outputs, and whether anything was removed. */
export function skeletonOf(args: SidecarBypassArgs): { skeleton: PlainBypassArgs; complete: boolean } {
    return { skeleton: strip(args) as PlainBypassArgs, complete: !hasEventual(args) };
}
