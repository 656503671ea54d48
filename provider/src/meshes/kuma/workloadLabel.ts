// The pod-template label a workload's own MeshPassthrough selects its Dataplanes by.
import { kubeName, LABEL_MAX } from "../../rules/kubeNames";
import { NAMES } from "../../rules/names";
import type { WorkloadIdentity } from "../../rules/types";

/** Pod-template label that lets a workload-scoped MeshPassthrough select the workload's Dataplanes. */
export const KUMA_WORKLOAD_LABEL = NAMES.workloadLabel;

export function kumaWorkloadLabelValue(w: WorkloadIdentity): string {
    return kubeName(`${w.kind.toLowerCase()}.${w.name}`, LABEL_MAX);
}
