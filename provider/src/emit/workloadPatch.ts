// A server-side-apply patch of a workload the stack does not own: only the pod template's bypass
// annotations and labels. Deleting it relinquishes exactly those fields.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { WorkloadKind } from "../args";
import type { RolloutSettings } from "../rules/types";
import { atTemplate, WORKLOAD_KINDS } from "../rules/workloadKinds";
import { patchAnnotations, SKIP_AWAIT } from "./fieldManager";

export interface PodTemplateMetadata {
    annotations: Record<string, string>;
    labels: Record<string, string>;
}

export function workloadPatch(
    resourceName: string,
    w: { kind: WorkloadKind; namespace: string; name: string },
    template: pulumi.Input<PodTemplateMetadata>,
    settings: { rollout: RolloutSettings; takeOwnership: boolean; fieldManager: string },
    opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
    const { rollout } = settings;
    const manager = patchAnnotations(settings.fieldManager, settings.takeOwnership);
    const args = {
        metadata: {
            name: w.name,
            namespace: w.namespace,
            annotations: rollout.wait ? manager : { ...manager, ...SKIP_AWAIT },
        },
        ...atTemplate(w.kind, { metadata: template }),
    };
    // The provider awaits the rollout for as long as the operation's timeout allows.
    const timeout = `${rollout.timeoutSeconds}s`;
    const withTimeouts = { ...opts, customTimeouts: { create: timeout, update: timeout } };
    switch (w.kind) {
        case "Deployment":
            return new k8s.apps.v1.DeploymentPatch(resourceName, args, withTimeouts);
        case "StatefulSet":
            return new k8s.apps.v1.StatefulSetPatch(resourceName, args, withTimeouts);
        case "DaemonSet":
            return new k8s.apps.v1.DaemonSetPatch(resourceName, args, withTimeouts);
        case "CronJob":
            return new k8s.batch.v1.CronJobPatch(resourceName, args, withTimeouts);
        case "Rollout":
            // The provider has no awaiter for a custom resource: up does not wait for Argo's rollout (preview says so).
            return new k8s.apiextensions.CustomResourcePatch(resourceName, { apiVersion: WORKLOAD_KINDS.Rollout.apiVersion, kind: "Rollout", ...args }, opts);
    }
}
