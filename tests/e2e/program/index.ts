// The e2e tier's Pulumi program, run by the real Node.js language host: the rules come from the stack's
// config (`rules`, JSON) so each test sets exactly what it needs.
import * as pulumi from "@pulumi/pulumi";
import { SidecarBypass, type SidecarBypassArgs } from "sidecar-bypass";

const config = new pulumi.Config();
const bypass = new SidecarBypass("e2e", config.requireObject<SidecarBypassArgs>("rules"));

export const effectiveRules = bypass.effectiveRules;
export const summary = bypass.summary;
