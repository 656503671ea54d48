// The per-namespace record of the resolved rules. The Kubernetes provider replaces a ConfigMap whose data
// changes (ConfigMaps are immutable to it unless the provider is configured otherwise), and a replacement of
// an object with a fixed name fails its first create ("already exists") before it deletes. So the object and
// its data are two resources: the ConfigMap owns the object's life, and a server-side-apply patch under our
// field manager owns `data`, which then changes in place.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type ComponentOwner, ownerLabels } from "../plan/owner";
import { NAMES } from "../rules/names";
import { patchAnnotations } from "./fieldManager";

export function namespaceRecord(
    resourceName: string,
    record: { name: string; namespace: string; owner: ComponentOwner; fieldManager: string; takeOwnership: boolean },
    data: pulumi.Input<Record<string, string>>,
    opts: { parent: pulumi.Resource; dependsOn: pulumi.Input<pulumi.Resource[]>; aliases?: pulumi.Input<pulumi.Alias>[] },
): void {
    const metadata = { name: record.name, namespace: record.namespace };
    const object = new k8s.core.v1.ConfigMap(
        resourceName,
        {
            metadata: {
                ...metadata,
                labels: ownerLabels(record.owner),
                // The labels are cut to what a label holds; the field manager names the owner whole.
                annotations: { [NAMES.fieldManagerAnnotation]: record.fieldManager },
            },
        },
        opts,
    );
    new k8s.core.v1.ConfigMapPatch(
        `${resourceName}/data`,
        { metadata: { ...metadata, annotations: patchAnnotations(record.fieldManager, record.takeOwnership) }, data },
        {
            parent: opts.parent,
            aliases: opts.aliases,
            dependsOn: Array.isArray(opts.dependsOn) ? [...opts.dependsOn, object] : pulumi.output(opts.dependsOn).apply((d) => [...d, object]),
        },
    );
}
