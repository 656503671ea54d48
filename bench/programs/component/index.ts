// Benchmark: the component, as a user writes it.
import * as pulumi from "@pulumi/pulumi";
import { SidecarBypass } from "sidecar-bypass";
import { type ScaleForm, type ScaleSize, scaleRules } from "../scaleRules";

const config = new pulumi.Config();
const bypass = new SidecarBypass("bench", scaleRules(config.requireObject<ScaleSize>("size"), (config.get("form") ?? "listed") as ScaleForm));
export const rows = bypass.effectiveRules.apply((r) => r.length);
