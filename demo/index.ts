// The demo Pulumi program (root Pulumi.yaml): the component over workloads the stack does not own.
import { SidecarBypass } from "sidecar-bypass";
import { demoRules } from "./rules";

const bypass = new SidecarBypass("platform", demoRules);

export const effectiveRules = bypass.effectiveRules;
export const summary = bypass.summary;
