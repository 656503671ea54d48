// The edge that asks the cluster which APIs it serves (the admission mode's, a CRD-served workload kind's), through the
// Kubernetes provider (its credentials, its cluster), at preview and at up. The provider has no discovery call of its own, but its Helm template call fills
// Helm's Capabilities from the cluster's discovery (pulumi-kubernetes provider/pkg/provider/invoke_helm_template.go,
// setKubeVersionAndAPIVersions): a chart of one template that prints what we ask is a discovery read.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { getVersion } from "@pulumi/kubernetes/utilities";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadKind } from "../args";
import {
    ADMISSION_KINDS,
    type AdmissionApiVersion,
    admissionApiProblem,
    admissionKindOf,
    type ClusterApis,
    CUSTOM_WORKLOAD_KINDS,
    workloadKindOf,
    workloadKindProblems,
} from "../plan/clusterApis";
import { PRODUCT } from "../rules/names";
import type { AdmissionSettings } from "../rules/types";
import { refuse } from "./refusal";

const VERSIONS: readonly AdmissionApiVersion[] = ["v1", "v1beta1"];
const probeKey = (version: AdmissionApiVersion, kind: string) => `${version}.${kind}`;

/** The chart's files. `v1/Namespace` is in the set only when it came from discovery (Helm's default set names no kinds). */
function chartFiles(): Record<string, string> {
    const has = (apiVersion: string) => `{{ .Capabilities.APIVersions.Has ${JSON.stringify(apiVersion)} | quote }}`;
    const probes = [
        ...VERSIONS.flatMap((v) => ADMISSION_KINDS.map((k) => `  ${probeKey(v, k)}: ${has(admissionKindOf(v, k))}`)),
        ...CUSTOM_WORKLOAD_KINDS.map((k) => `  ${k}: ${has(workloadKindOf(k))}`),
    ];
    return {
        "Chart.yaml": `apiVersion: v2\nname: ${PRODUCT}-cluster-apis\nversion: 0.1.0\n`,
        "templates/apis.yaml": [
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  name: cluster-apis",
            "data:",
            "  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}",
            `  discovered: ${has("v1/Namespace")}`,
            ...probes,
            "",
        ].join("\n"),
    };
}

/** The chart on disk, where the provider can load it: written once per content, under the temporary directory. */
function chartDir(): string {
    const files = chartFiles();
    const digest = crypto.createHash("sha256").update(JSON.stringify(files)).digest("hex").slice(0, 12);
    const dir = path.join(os.tmpdir(), `${PRODUCT}-cluster-apis-${digest}`);
    if (fs.existsSync(path.join(dir, "templates", "apis.yaml"))) return dir;
    // Written beside and renamed, so two programs at once never see half a chart.
    const staging = fs.mkdtempSync(`${dir}-`);
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
        fs.writeFileSync(path.join(staging, file), text);
    }
    try {
        fs.renameSync(staging, dir);
    } catch {
        fs.rmSync(staging, { recursive: true, force: true });
    }
    return dir;
}

/** What the provider's cluster serves. */
export async function readClusterApis(parent: pulumi.Resource): Promise<ClusterApis> {
    const jsonOpts = JSON.stringify({ path: chartDir(), release_name: `${PRODUCT}-cluster-apis`, namespace: "default" });
    const out = await pulumi.runtime.invoke("kubernetes:helm:template", { jsonOpts }, { parent, version: getVersion() });
    const data = ((out?.result as { data?: Record<string, string> }[] | undefined) ?? [])[0]?.data ?? {};
    return {
        reachable: data.discovered === "true",
        ...(data.kubeVersion ? { kubeVersion: data.kubeVersion } : {}),
        served: VERSIONS.filter((v) => ADMISSION_KINDS.every((k) => data[probeKey(v, k)] === "true")),
        customKinds: CUSTOM_WORKLOAD_KINDS.filter((k) => data[k] === "true"),
    };
}

/** What the component needs the cluster to serve: the admission mode's API when it has scopes, and its listed workloads' kinds. */
export interface ClusterNeeds {
    readonly admission?: AdmissionSettings["mode"];
    readonly workloads: readonly { readonly id: string; readonly kind: WorkloadKind }[];
}

/** Whether the check is worth a call: admission scopes, or a listed workload of a CRD-served kind. */
export const needsCheck = (needs: ClusterNeeds) =>
    (needs.admission !== undefined && needs.admission !== "off") || needs.workloads.some((w) => CUSTOM_WORKLOAD_KINDS.includes(w.kind));

/**
 * What every resource of the component waits for (its `dependsOn`) when it needs something of the cluster: the check
 * that the cluster serves it. It fails with our message when it does not, so nothing of the component is written.
 */
export function clusterApiGate(needs: ClusterNeeds, report: pulumi.Resource): pulumi.Input<pulumi.Resource[]> {
    if (!needsCheck(needs)) return [];
    return pulumi.output(
        readClusterApis(report).then((apis) => {
            if (!apis.reachable && pulumi.runtime.isDryRun()) {
                pulumi.log.info("the cluster could not be reached to read which APIs it serves; up checks them again", report);
            }
            const admission = needs.admission ? admissionApiProblem(needs.admission, apis) : undefined;
            const problems = [...(admission ? [admission] : []), ...workloadKindProblems(needs.workloads, apis)];
            return problems.length > 0 ? refuse(problems.join("\n"), report) : [];
        }),
    );
}
