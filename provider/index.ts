// sidecar-bypass: declare which traffic skips the service-mesh sidecar and roll it out with `pulumi up`.
// Exports the component (the Pulumi plugin hosts every exported ComponentResource) and the planning API.
export * from "./src/args";
export { bypassTransform } from "./src/emit/bypassTransform";
export { type EffectiveRuleRowOutput, SidecarBypass } from "./src/emit/sidecarBypass";
export type { ClusterObject, MeshAdapter, Rendered, RenderInput } from "./src/meshes/adapter";
export { ISTIO_ANNOTATIONS, type IstioSettings, parseIstioInjectorValues } from "./src/meshes/istio";
export type { PodKeys, ReadBack, ReadRules } from "./src/meshes/readBack";
export { MESHES, type MeshRegistry, podTemplateKeys } from "./src/meshes/registry";
export {
    ADMISSION_ANNOTATION,
    type AdmissionPlan,
    type AdmissionScope,
    admissionObjects,
    type NamespaceSelection,
    SYSTEM_NAMESPACES,
} from "./src/plan/admissionPolicy";
export { type EffectiveRuleRow, effectiveTable, summaryMarkdown } from "./src/plan/describe";
export { type HandWrittenVerdict, type JudgedWorkload, judgeHandWritten } from "./src/plan/handWritten";
export {
    type ComponentOwner,
    describeManager,
    fieldManagerOf,
    objectPrefixOf,
    ownerLabels,
    ownerOfManager,
    SHARED_FIELD_MANAGER,
} from "./src/plan/owner";
export { BypassPlanner, type PlanArgs, type PlanOptions, planBypass, workloadId } from "./src/plan/planBypass";
export { ROLLOUT_HASH_ANNOTATION } from "./src/plan/rolloutHash";
export {
    describeOtherComponents,
    describeTakenFields,
    type LiveWorkload,
    type ManagedFieldsEntry,
    otherComponentManagers,
    type TakenField,
    takenFields,
} from "./src/plan/takenFields";
export type { BypassPlan, NamespacePlan, PlannedEffective, PlannedField, PlannedIdentity, WorkloadPlan } from "./src/plan/types";
export { COMMENT_LIMIT, changeComment, type PreviewJson, type PreviewStep } from "./src/review/changeComment";
export { aggregateCidrs } from "./src/rules/aggregateCidrs";
export { type Cidr, parseCidr } from "./src/rules/cidr";
export { CLOUD_METADATA_RANGES } from "./src/rules/cloudMetadata";
export { BypassValidationError, type ValidationIssue } from "./src/rules/issues";
export type { PlainBypassArgs } from "./src/rules/schema";
export type { UidRule } from "./src/rules/uidRules";
export { atTemplate, templateOf, WORKLOAD_KINDS, type WorkloadKindFacts } from "./src/rules/workloadKinds";
