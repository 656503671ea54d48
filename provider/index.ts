// sidecar-bypass: declare which traffic skips the service-mesh sidecar and roll it out with `pulumi up`.
// Exports the component (the Pulumi plugin hosts every exported ComponentResource) and the planning API.
export * from "./src/args";
export { SidecarBypass, type EffectiveRuleRowOutput } from "./src/emit/sidecarBypass";
export { bypassTransform } from "./src/emit/bypassTransform";
export { planBypass, BypassPlanner, workloadId, type PlanOptions, type PlanArgs } from "./src/plan/planBypass";
export type { BypassPlan, WorkloadPlan, NamespacePlan, PlannedEffective, PlannedField, PlannedIdentity } from "./src/plan/types";
export { MESHES, type MeshRegistry } from "./src/meshes/registry";
export type { MeshAdapter, RenderInput, Rendered, ClusterObject } from "./src/meshes/adapter";
export { effectiveTable, summaryMarkdown, type EffectiveRuleRow } from "./src/plan/describe";
export { BypassValidationError, type ValidationIssue } from "./src/rules/issues";
export { parseCidr, type Cidr } from "./src/rules/cidr";
export { aggregateCidrs } from "./src/rules/aggregateCidrs";
export { CLOUD_METADATA_RANGES } from "./src/rules/cloudMetadata";
export { parseIstioInjectorValues, istioInitArgs, ISTIO_ANNOTATIONS, type IstioInitArgs, type IstioSettings } from "./src/meshes/istio";
export { ROLLOUT_HASH_ANNOTATION } from "./src/plan/rolloutHash";
export type { PlainBypassArgs } from "./src/rules/schema";
