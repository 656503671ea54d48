// Pulumi mocks that record every registered resource, so component tests can assert what was emitted.
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** The id of a read (`Resource.get`), absent for a resource the program declares. */
    id?: string;
}

/** What a read of a live workload returns under the mocks, by `namespace/name`; unlisted ones are a chart's (below). */
export const liveWorkloads = new Map<string, Record<string, unknown>>();

/** A workload as a Helm chart created it: the chart owns its own pod-template annotation and label. */
export function chartWorkloadLive(extra: { annotations?: Record<string, string>; managedFields?: unknown[] } = {}): Record<string, unknown> {
    return {
        metadata: {
            managedFields: [
                {
                    manager: "helm",
                    operation: "Apply",
                    fieldsType: "FieldsV1",
                    fieldsV1: {
                        "f:spec": { "f:template": { "f:metadata": { "f:annotations": { "f:example.com/chart-owned": {} }, "f:labels": { "f:app": {} } } } },
                    },
                },
                ...(extra.managedFields ?? []),
            ],
        },
        spec: { template: { metadata: { annotations: { "example.com/chart-owned": "demo", ...extra.annotations }, labels: { app: "x" } } } },
    };
}

/**
 * What the Helm template call (the component's discovery read) reports under the mocks: the data of the chart's
 * ConfigMap. By default a Kubernetes 1.36 cluster serving MutatingAdmissionPolicy at v1, with Argo Rollouts' CRD; tests
 * change it.
 */
export const CLUSTER_1_36: Record<string, string> = {
    kubeVersion: "v1.36.3",
    discovered: "true",
    "v1.MutatingAdmissionPolicy": "true",
    "v1.MutatingAdmissionPolicyBinding": "true",
    "v1beta1.MutatingAdmissionPolicy": "false",
    "v1beta1.MutatingAdmissionPolicyBinding": "false",
    Rollout: "true",
};
export const clusterApis = { data: CLUSTER_1_36 };

const WORKLOAD_TYPES = new Set(["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"]);

/** Every resource registered under the mocks, across `installMocks` calls. */
const registered: Registered[] = [];

/**
 * Installs the mocks, for a preview (`preview: true`, what `pulumi preview` runs) or an update, in a stack (`test`
 * unless named: a test that stands for a program of its own names its own, as its components are one program's).
 */
export function installMocks(options: { preview: boolean; stack?: string }): Registered[] {
    // The drift check's Kubernetes client finds no cluster (never a developer's own ~/.kube/config), so every workload
    // is read through the mocked engine, where the tests' live workloads are.
    process.env.KUBECONFIG = "/nonexistent/sidecar-bypass-component-tests/kubeconfig";
    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs, ...(args.id ? { id: args.id } : {}) });
                if (WORKLOAD_TYPES.has(args.type) && args.id) {
                    // A read of a live workload, for the ownership check.
                    return { id: args.id, state: liveWorkloads.get(args.id) ?? chartWorkloadLive() };
                }
                if (args.type === "kubernetes:core/v1:ConfigMap" && args.id) {
                    // A read of the istio-sidecar-injector ConfigMap.
                    return {
                        id: args.id,
                        state: { data: { values: JSON.stringify({ global: { proxy: { excludeIPRanges: "10.96.0.0/12", includeInboundPorts: "*" } } }) } },
                    };
                }
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args: pulumi.runtime.MockCallArgs) =>
                args.token === "kubernetes:helm:template" ? { result: [{ apiVersion: "v1", kind: "ConfigMap", data: clusterApis.data }] } : args.inputs,
        },
        "sidecar-bypass",
        options.stack ?? "test",
        options.preview,
    );
    return registered;
}

export const outputValue = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((settle) => o.apply(settle));
