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

interface ClusterOptions {
    /** Extra kube-apiserver flags (e.g. a --runtime-config that turns an API off). */
    readonly apiserverArgs?: readonly string[];
    /** Whether Argo Rollouts' CRD is installed (default true). */
    readonly rollouts?: boolean;
}

function cluster(name: string, verb: string, o: ClusterOptions = {}): string {
    const env = {
        ...process.env,
        SIDECAR_BYPASS_CLUSTER: name,
        SIDECAR_BYPASS_APISERVER_ARGS: (o.apiserverArgs ?? []).join(" "),
        SIDECAR_BYPASS_ROLLOUTS: o.rollouts === false ? "off" : "on",
    };
    const out = execFileSync(path.join(TOOLS, "cluster"), [verb], {
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 16 * 1024 * 1024,
    });
    return out.trim().split("\n").pop() ?? "";
}

/**
 * Builds what is missing and starts the named cluster, reusing it if it runs already; `fresh` stops it first,
 * so a test never inherits what an earlier, interrupted run left in it. Progress goes to stderr.
 */
export function startControlPlane(name: string, options: { fresh?: boolean } & ClusterOptions = {}): ControlPlane {
    if (options.fresh) cluster(name, "stop");
    const kubeconfig = cluster(name, "start", options);
    return { name, kubeconfig, kubectl: controlPlaneBin("kubectl"), stop: () => void cluster(name, "stop") };
}

/** A binary of the built control plane (the build is cached; this only looks it up). */
export function controlPlaneBin(binary: string): string {
    const out = execFileSync(path.join(TOOLS, "build-controlplane.sh"), [], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    return path.join(out.trim().split("\n").pop() ?? "", "bin", binary);
}
