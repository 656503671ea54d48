// A server-side-apply patch of a workload the stack does not own: only the pod template's bypass
// annotations and labels. Deleting it relinquishes exactly those fields.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadKind } from "../args";
import { PATCH_ANNOTATIONS } from "./fieldManager";

export interface PodTemplateMetadata {
    annotations: Record<string, string>;
    labels: Record<string, string>;
}

export function workloadPatch(
    resourceName: string,
    w: { kind: WorkloadKind; namespace: string; name: string },
    template: pulumi.Output<PodTemplateMetadata>,
    opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
    const args = {
        metadata: { name: w.name, namespace: w.namespace, annotations: PATCH_ANNOTATIONS },
        spec: { template: { metadata: { annotations: template.annotations, labels: template.labels } } },
    };
    switch (w.kind) {
        case "Deployment":
            return new k8s.apps.v1.DeploymentPatch(resourceName, args, opts);
        case "StatefulSet":
            return new k8s.apps.v1.StatefulSetPatch(resourceName, args, opts);
        case "DaemonSet":
            return new k8s.apps.v1.DaemonSetPatch(resourceName, args, opts);
    }
}
