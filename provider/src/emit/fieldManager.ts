// One fixed server-side-apply field manager for every patch, so ownership is predictable and a conflict
// with another manager names it.
export const FIELD_MANAGER = "sidecar-bypass";

/** Metadata annotations that make the Kubernetes provider apply a patch with our field manager. */
export const PATCH_ANNOTATIONS = { "pulumi.com/patchFieldManager": FIELD_MANAGER };

/** A Kubernetes object name from free text: lower-case, DNS-safe, at most `max` characters. */
export function kubeName(text: string, max = 253): string {
    const v = text.toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");
    return (v || "sidecar-bypass").slice(0, max).replace(/[-.]+$/, "");
}
