// The embedded control plane from TypeScript: `tools/cluster` does the work; this finds its kubeconfig and
// kubectl so callers get a ready `Kube`.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { Kube } from "./kube";

const TOOLS = path.resolve(__dirname, "..", "..", "..", "tools");

export interface ControlPlane extends Kube {
    /** The cluster's name (its state lives under the cache, keyed by it). */
    readonly name: string;
    stop(): void;
}

function cluster(name: string, verb: string, apiserverArgs: readonly string[] = []): string {
    const out = execFileSync(path.join(TOOLS, "cluster"), [verb], {
        env: { ...process.env, SIDECAR_BYPASS_CLUSTER: name, SIDECAR_BYPASS_APISERVER_ARGS: apiserverArgs.join(" ") },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 16 * 1024 * 1024,
    });
    return out.trim().split("\n").pop() ?? "";
}

/**
 * Builds what is missing and starts the named cluster, reusing it if it runs already; `fresh` stops it first,
 * so a test never inherits what an earlier, interrupted run left in it. `apiserverArgs` are extra kube-apiserver
 * flags (e.g. a --runtime-config that turns an API off). Progress goes to stderr.
 */
export function startControlPlane(name: string, options: { fresh?: boolean; apiserverArgs?: readonly string[] } = {}): ControlPlane {
    if (options.fresh) cluster(name, "stop");
    const kubeconfig = cluster(name, "start", options.apiserverArgs);
    return { name, kubeconfig, kubectl: controlPlaneBin("kubectl"), stop: () => void cluster(name, "stop") };
}

/** A binary of the built control plane (the build is cached; this only looks it up). */
export function controlPlaneBin(binary: string): string {
    const out = execFileSync(path.join(TOOLS, "build-controlplane.sh"), [], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    return path.join(out.trim().split("\n").pop() ?? "", "bin", binary);
}
