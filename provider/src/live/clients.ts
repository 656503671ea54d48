// The running cluster through the Kubernetes client for Node.js, with the kubeconfig found the way kubectl finds it
// (KUBECONFIG, else ~/.kube/config, else in-cluster): what the status command reads, and what the component uses to
// replace the pods of OnDelete workloads when asked to.
import * as k8s from "@kubernetes/client-node";

export interface Clients {
    readonly core: k8s.CoreV1Api;
    readonly apps: k8s.AppsV1Api;
    readonly batch: k8s.BatchV1Api;
    readonly custom: k8s.CustomObjectsApi;
    readonly admission: k8s.AdmissionregistrationV1Api;
    /** Any kind by its apiVersion and kind, a CRD's included (discovery finds its resource). */
    readonly objects: k8s.KubernetesObjectApi;
    /** The API server's address, for messages. */
    readonly server: string;
}

export function clients(): Clients {
    const config = new k8s.KubeConfig();
    config.loadFromDefault();
    return {
        core: config.makeApiClient(k8s.CoreV1Api),
        apps: config.makeApiClient(k8s.AppsV1Api),
        batch: config.makeApiClient(k8s.BatchV1Api),
        custom: config.makeApiClient(k8s.CustomObjectsApi),
        admission: config.makeApiClient(k8s.AdmissionregistrationV1Api),
        objects: k8s.KubernetesObjectApi.makeApiClient(config),
        server: config.getCurrentCluster()?.server ?? "no cluster",
    };
}

/** The pods of a namespace that match these labels (a workload's selector), less those already being deleted. */
export async function podsMatching(c: Clients, namespace: string, labels: Readonly<Record<string, string>>): Promise<k8s.V1Pod[]> {
    const labelSelector = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    const pods = await c.core.listNamespacedPod({ namespace, labelSelector });
    return pods.items.filter((p) => !p.metadata?.deletionTimestamp);
}
