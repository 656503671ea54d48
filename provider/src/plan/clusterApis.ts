// Whether the cluster serves the APIs the component writes: the admission mode's, and a CRD-served workload kind's
// (Argo Rollouts). Without one, the Kubernetes provider previews an object of an unknown kind as fine (it skips the dry
// run of a kind the cluster does not know) and fails at up, after other patches were written; so the component asks
// first and refuses at preview, in our words.
import type { WorkloadKind } from "../args";
import type { AdmissionSettings } from "../rules/types";
import { WORKLOAD_KINDS } from "../rules/workloadKinds";

export type AdmissionApiVersion = Exclude<AdmissionSettings["mode"], "off">;

/** The kinds a mode writes, as Helm's Capabilities.APIVersions names a kind the API server serves (group/version/Kind). */
export const ADMISSION_KINDS = ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"] as const;
export const admissionKindOf = (version: AdmissionApiVersion, kind: (typeof ADMISSION_KINDS)[number]) => `admissionregistration.k8s.io/${version}/${kind}`;

/** What the cluster serves, as its discovery says (read through the Kubernetes provider, with its credentials). */
export interface ClusterApis {
    /** False when the provider could not reach the cluster (preview then goes on; up fails on the provider's own check). */
    readonly reachable: boolean;
    /** e.g. `v1.36.3`. */
    readonly kubeVersion?: string;
    /** The versions at which both admission kinds are served. */
    readonly served: readonly AdmissionApiVersion[];
    /** The workload kinds served by a CRD (WORKLOAD_KINDS' `crd`) that the cluster serves. */
    readonly customKinds: readonly WorkloadKind[];
}

/** The workload kinds a CRD serves, as Capabilities.APIVersions names them (group/version/Kind). */
export const CUSTOM_WORKLOAD_KINDS = (Object.keys(WORKLOAD_KINDS) as WorkloadKind[]).filter((k) => WORKLOAD_KINDS[k].crd !== undefined);
export const workloadKindOf = (kind: WorkloadKind) => `${WORKLOAD_KINDS[kind].apiVersion}/${kind}`;

/** Why a listed workload cannot be patched on this cluster (its kind's CRD is not installed), one line per workload. */
export function workloadKindProblems(workloads: readonly { readonly id: string; readonly kind: WorkloadKind }[], apis: ClusterApis): string[] {
    if (!apis.reachable) return [];
    return workloads
        .filter((w) => WORKLOAD_KINDS[w.kind].crd !== undefined && !apis.customKinds.includes(w.kind))
        .map(
            (w) =>
                `workloads: ${w.id}: the cluster does not serve ${WORKLOAD_KINDS[w.kind].apiVersion} ${w.kind} (${WORKLOAD_KINDS[w.kind].crd}' CRD is ` +
                `not installed): install it first, or list the workload by the kind that runs it. Nothing was written.`,
        );
}

const SETTING = "admission.mode";
const OFF = `set ${SETTING}: "off" to keep scope rules on listed workloads only, as before admission existed`;

/** Why the mode cannot be applied to this cluster, in the user's terms, or undefined when it can (or cannot be known). */
export function admissionApiProblem(mode: AdmissionSettings["mode"], apis: ClusterApis): string | undefined {
    if (mode === "off" || !apis.reachable || apis.served.includes(mode)) return undefined;
    const cluster = `the cluster${apis.kubeVersion ? ` (Kubernetes ${apis.kubeVersion})` : ""}`;
    const wanted = `${SETTING} is "${mode}", but ${cluster} does not serve MutatingAdmissionPolicy at admissionregistration.k8s.io/${mode}`;
    const other = apis.served.find((v) => v !== mode);
    if (other) return `${wanted}; it serves admissionregistration.k8s.io/${other}: set ${SETTING}: "${other}", or ${OFF}. Nothing was written.`;
    const enable =
        mode === "v1"
            ? "it is GA and on by default from Kubernetes 1.36; on 1.34 and 1.35 it is v1beta1, behind the MutatingAdmissionPolicy " +
              'feature gate and --runtime-config=admissionregistration.k8s.io/v1beta1=true, with admission.mode: "v1beta1"'
            : "on Kubernetes 1.34 and 1.35 it needs the MutatingAdmissionPolicy feature gate and " +
              "--runtime-config=admissionregistration.k8s.io/v1beta1=true; from 1.36 it is GA as v1";
    return `${wanted} (${enable}). Upgrade the cluster or turn the API on, or ${OFF}. Nothing was written.`;
}
