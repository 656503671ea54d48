// Benchmark baseline: the objects the component makes, made directly from planBypass with no component, no
// Outputs threaded through the plan and no grouping resources: the floor the component is measured against. The
// objects are the component's own, field for field: its owner's field manager, record name and labels.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { fieldManagerOf, objectPrefixOf, ownerLabels, planBypass } from "sidecar-bypass";
import { type ScaleSize, scaleRules } from "../scaleRules";

// The component in the other program is named "bench"; this program writes what it would.
const owner = { project: pulumi.getProject(), stack: pulumi.getStack(), component: "bench" };
const fieldManager = fieldManagerOf(owner);
const manager = { "pulumi.com/patchFieldManager": fieldManager };
const name = objectPrefixOf(owner);
const plan = planBypass(scaleRules(new pulumi.Config().requireObject<ScaleSize>("size")), { name });

for (const w of plan.workloads) {
    new k8s.apps.v1.DeploymentPatch(
        `bench/${w.namespace}/${w.kind}/${w.name}`,
        {
            metadata: { name: w.name, namespace: w.namespace, annotations: manager },
            spec: { template: { metadata: { annotations: w.annotations, labels: w.labels } } },
        },
        { customTimeouts: { create: "600s", update: "600s" } },
    );
}
for (const ns of plan.namespaces) {
    const cm = new k8s.core.v1.ConfigMap(`bench/${ns.name}/record`, {
        metadata: { name, namespace: ns.name, labels: ownerLabels(owner), annotations: { "sidecar-bypass.io/field-manager": fieldManager } },
    });
    new k8s.core.v1.ConfigMapPatch(
        `bench/${ns.name}/record/data`,
        { metadata: { name, namespace: ns.name, annotations: manager }, data: ns.configMapData },
        { dependsOn: [cm] },
    );
}
for (const k of plan.objects.kuma ?? []) {
    const args = { apiVersion: k.apiVersion, kind: k.kind, metadata: k.patch ? { name: k.metadata.name, annotations: manager } : k.metadata, spec: k.spec };
    if (k.patch) new k8s.apiextensions.CustomResourcePatch(`bench/${k.kind}/${k.metadata.name}`, args);
    else new k8s.apiextensions.CustomResource(`bench/${k.kind}/${k.metadata.name}`, args);
}
export const rows = plan.workloads.length;
