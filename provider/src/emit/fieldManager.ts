// One fixed server-side-apply field manager for every patch, so ownership is predictable and a conflict
// with another manager names it.
export const FIELD_MANAGER = "sidecar-bypass";

/**
 * Metadata annotations that make the Kubernetes provider apply a patch with our field manager, and with
 * `takeOwnership` force it, taking back fields another manager took (the provider's patchForce).
 */
export function patchAnnotations(takeOwnership: boolean): Record<string, string> {
    const manager = { "pulumi.com/patchFieldManager": FIELD_MANAGER };
    return takeOwnership ? { ...manager, "pulumi.com/patchForce": "true" } : manager;
}

/** The provider's own switch for not awaiting readiness: a patch's rollout, or a read's readiness check. */
export const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };
