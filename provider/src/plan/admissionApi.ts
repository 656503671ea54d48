// Whether the cluster serves the API an admission mode writes. Without it, the Kubernetes provider previews a policy
// of an unknown kind as fine (it skips the dry run of a kind the cluster does not know) and fails at up, after the
// workload patches were written; so the component asks first and refuses at preview, in our words.
import type { AdmissionSettings } from "../rules/types";

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
    /** The versions at which both kinds are served. */
    readonly served: readonly AdmissionApiVersion[];
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
