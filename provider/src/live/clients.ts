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
    };
}
