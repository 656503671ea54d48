// How the Kubernetes provider is told whose patch it applies: the owner's own server-side-apply field manager, so
// ownership is predictable and a conflict with another manager names it.

/**
 * Metadata annotations that make the Kubernetes provider apply a patch with the owner's field manager, and with
 * `takeOwnership` force it, taking back fields another manager took (the provider's patchForce). When a stack's
 * manager changes (the shared `sidecar-bypass` of earlier versions), the provider applies under the new one and then
 * relinquishes the old (its Update), so fields with unchanged values move without a rollout.
 */
export function patchAnnotations(fieldManager: string, takeOwnership: boolean): Record<string, string> {
    const manager = { "pulumi.com/patchFieldManager": fieldManager };
    return takeOwnership ? { ...manager, "pulumi.com/patchForce": "true" } : manager;
}

/** The provider's own switch for not awaiting readiness: a patch's rollout, or a read's readiness check. */
export const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };
