// Workloads as a Helm chart would create them: server-side applied under the field manager `helm`, with the
// chart's own labels and pod-template annotations, so tests can show that sidecar-bypass leaves them alone.
export const HELM_MANAGER = "helm";
/** A pod-template annotation that belongs to the chart, not to us. */
export const CHART_ANNOTATION = "example.com/chart-owned";

export interface ChartWorkload {
    namespace: string;
    name: string;
    replicas?: number;
    /** A node selector no node matches: the pods stay Pending and the rollout never finishes. */
    unschedulable?: boolean;
    /** Extra pod-template annotations the chart sets. */
    podAnnotations?: Record<string, string>;
}

export function namespaceObject(name: string): object {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

export type ChartKind = "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob" | "Rollout";

const API_VERSIONS: Record<ChartKind, string> = {
    Deployment: "apps/v1",
    StatefulSet: "apps/v1",
    DaemonSet: "apps/v1",
    CronJob: "batch/v1",
    Rollout: "argoproj.io/v1alpha1",
};

export function chartWorkload(w: ChartWorkload, kind: ChartKind = "Deployment", release = "demo"): object {
    const labels = { app: w.name };
    const template = {
        metadata: { labels, annotations: { [CHART_ANNOTATION]: release, ...w.podAnnotations } },
        spec: {
            containers: [{ name: "app", image: `registry.example/${w.name}:1` }],
            ...(kind === "CronJob" ? { restartPolicy: "OnFailure" } : {}),
            ...(w.unschedulable ? { nodeSelector: { "sidecar-bypass.io/no-such-node": "true" } } : {}),
        },
    };
    const spec =
        kind === "CronJob"
            ? { schedule: "*/5 * * * *", jobTemplate: { spec: { template } } }
            : {
                  ...(kind === "DaemonSet" ? {} : { replicas: w.replicas ?? 1 }),
                  ...(kind === "StatefulSet" ? { serviceName: w.name } : {}),
                  ...(kind === "Rollout" ? { strategy: { canary: {} } } : {}),
                  selector: { matchLabels: labels },
                  template,
              };
    return {
        apiVersion: API_VERSIONS[kind],
        kind,
        metadata: {
            name: w.name,
            namespace: w.namespace,
            labels: { ...labels, "app.kubernetes.io/managed-by": "Helm" },
            annotations: { "meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": w.namespace },
        },
        spec,
    };
}

export const chartDeployment = (w: ChartWorkload, release = "demo"): object => chartWorkload(w, "Deployment", release);

/** A Kuma Mesh as its operator would create it (passthrough left to whoever sets it). */
export function kumaMesh(name = "default"): object {
    return {
        apiVersion: "kuma.io/v1alpha1",
        kind: "Mesh",
        metadata: { name },
        spec: { metrics: { enabledBackend: "prometheus-1", backends: [{ name: "prometheus-1", type: "prometheus" }] } },
    };
}
