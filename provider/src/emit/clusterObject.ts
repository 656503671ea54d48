// A mesh's cluster object: a custom resource we create, or a server-side-apply patch of one someone else owns
// (Kuma's Mesh), which touches only the fields we set and gives them back on delete.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterObject } from "../meshes/adapter";
import { patchAnnotations } from "./fieldManager";

export function clusterObject(
    resourceName: string,
    obj: ClusterObject,
    spec: pulumi.Input<Record<string, unknown>>,
    settings: { fieldManager: string; takeOwnership: boolean },
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource | k8s.apiextensions.CustomResourcePatch {
    if (obj.patch) {
        const metadata = { name: obj.metadata.name, annotations: patchAnnotations(settings.fieldManager, settings.takeOwnership) };
        return new k8s.apiextensions.CustomResourcePatch(resourceName, { apiVersion: obj.apiVersion, kind: obj.kind, metadata, spec }, opts);
    }
    return new k8s.apiextensions.CustomResource(resourceName, { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata, spec }, opts);
}
