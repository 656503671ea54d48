// The edge of the drift check: the live workload is read (a read of the cluster at preview, as Istio's injector
// ConfigMap is read for its install defaults), and the workload's patch waits for the check. When another field
// manager has taken one of our fields, preview (and up) fail here, in our words, before the Kubernetes provider would
// fail on the server-side-apply conflict; with takeOwnership, preview says what will be taken back.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadKind } from "../args";
import { describeTakenFields, type ManagedFieldsEntry, takenFields } from "../plan/takenFields";
import { FIELD_MANAGER } from "./fieldManager";
import type { PodTemplateMetadata } from "./workloadPatch";

/** What the check reads of a live workload (absent parts read as none). */
interface LiveObject {
    metadata: pulumi.Output<{ managedFields?: ManagedFieldsEntry[] } | undefined>;
    spec: pulumi.Output<{ template?: { metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> } } } | undefined>;
}

function readLive(resourceName: string, kind: WorkloadKind, id: string, opts: pulumi.CustomResourceOptions): pulumi.CustomResource & LiveObject {
    switch (kind) {
        case "Deployment":
            return k8s.apps.v1.Deployment.get(resourceName, id, opts);
        case "StatefulSet":
            return k8s.apps.v1.StatefulSet.get(resourceName, id, opts);
        case "DaemonSet":
            return k8s.apps.v1.DaemonSet.get(resourceName, id, opts);
    }
}

/**
 * What one workload's patch waits for (its `dependsOn`): the live workload's check. It resolves to no resource when no
 * other manager holds one of our fields with another value, or when `takeOwnership` takes them back (preview then says
 * what it takes). Otherwise it fails with our message, so the patch is never sent and nothing of it is written.
 * Through `dependsOn` rather than the patch's values, the error reaches the user as written (a failing input value is
 * reported as "error serializing property ..."), and the patch depends on nothing but its own read.
 */
export function ownershipGate(
    resourceName: string,
    w: { id: string; kind: WorkloadKind; namespace: string; name: string },
    template: pulumi.Output<PodTemplateMetadata>,
    takeOwnership: boolean,
    report: pulumi.Resource,
    opts: pulumi.CustomResourceOptions,
): pulumi.Output<pulumi.Resource[]> {
    const live = readLive(resourceName, w.kind, `${w.namespace}/${w.name}`, opts);
    return pulumi.all([template, live.metadata, live.spec]).apply(([planned, metadata, spec]) => {
        const taken = takenFields(
            {
                managedFields: metadata?.managedFields,
                templateAnnotations: spec?.template?.metadata?.annotations,
                templateLabels: spec?.template?.metadata?.labels,
            },
            planned,
            FIELD_MANAGER,
        );
        if (taken.length > 0 && !takeOwnership) {
            const message = describeTakenFields(w.id, taken, false);
            const error = new pulumi.ResourceError(message, report, true);
            // If the program has finished when this surfaces, Node's runtime prints the error's stack: make it the message.
            error.stack = message;
            throw error;
        }
        if (taken.length > 0) pulumi.log.info(describeTakenFields(w.id, taken, true), report);
        return [];
    });
}
