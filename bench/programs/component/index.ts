// Benchmark: the component, as a user writes it.
import * as pulumi from "@pulumi/pulumi";
import { SidecarBypass } from "sidecar-bypass";
import { type ScaleSize, scaleRules } from "../scaleRules";

const bypass = new SidecarBypass("bench", scaleRules(new pulumi.Config().requireObject<ScaleSize>("size")));
export const rows = bypass.effectiveRules.apply((r) => r.length);
