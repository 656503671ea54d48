// Istio's own tools, built by tools/build-istio.sh (cached outside the repo), and the injector
// configuration of that Istio, taken from `istioctl manifest generate`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { REPO } from "./snapshot";

export interface IstioTools {
    istioctl: string;
    pilotAgent: string;
    /** istiod, whose injector the e2e tier runs as a real webhook. */
    pilotDiscovery: string;
    /** `istioctl manifest generate`'s output: the install's ConfigMaps istiod reads. */
    manifest: string;
    validator: string;
    injectConfig: string;
    meshConfig: string;
    valuesFile: string;
    /** The `values` JSON of the injector ConfigMap. */
    values: string;
}

let cached: IstioTools | undefined;

export function istioTools(): IstioTools {
    if (cached) return cached;
    const out = execFileSync("bash", [join(REPO, "tools", "build-istio.sh")], {
        stdio: ["ignore", "pipe", "inherit"],
        encoding: "utf8",
        timeout: 60 * 60_000, // a cold build takes many minutes on 2 cores; never hang CI
    });
    const dir = out.trim().split("\n").pop()!;
    const files = { injectConfig: join(dir, "inject-config.yaml"), meshConfig: join(dir, "mesh-config.yaml"), valuesFile: join(dir, "inject-values.json") };
    if (!Object.values(files).every(existsSync)) {
        const configMaps = parseAllDocuments(readFileSync(join(dir, "manifest.yaml"), "utf8"))
            .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string }; data?: Record<string, string> } | null)
            .filter((d) => d?.kind === "ConfigMap");
        const injector = configMaps.find((c) => c!.metadata?.name === "istio-sidecar-injector")?.data;
        const mesh = configMaps.find((c) => c!.metadata?.name === "istio")?.data;
        if (!injector?.config || !injector.values || !mesh?.mesh) throw new Error(`no injector or mesh ConfigMap in ${dir}/manifest.yaml`);
        writeFileSync(files.injectConfig, injector.config);
        writeFileSync(files.valuesFile, injector.values);
        writeFileSync(files.meshConfig, mesh.mesh);
    }
    cached = {
        istioctl: join(dir, "bin", "istioctl"),
        pilotAgent: join(dir, "bin", "pilot-agent"),
        pilotDiscovery: join(dir, "bin", "pilot-discovery"),
        manifest: join(dir, "manifest.yaml"),
        validator: join(dir, "bin", "validate-annotations"),
        ...files,
        values: readFileSync(files.valuesFile, "utf8"),
    };
    return cached;
}

/**
 * Runs `istioctl kube-inject` offline over many objects at once, with the proxy as a native sidecar (an init container
 * that keeps running, Istio 1.28+'s default where every kubelet is 1.33+) or in the classic form; returns the injected objects. Without
 * `--revision`, istioctl waits for a cluster to tell it the default revision, so it is given explicitly.
 */
export function kubeInject(tools: IstioTools, objects: readonly object[], o: { nativeSidecar?: boolean } = {}): Array<Record<string, unknown>> {
    const dir = mkdtempSync(join(tmpdir(), "sb-inject-"));
    try {
        const file = join(dir, "in.yaml");
        writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
        const out = execFileSync(
            tools.istioctl,
            [
                "kube-inject",
                "--revision",
                "default",
                "--injectConfigFile",
                tools.injectConfig,
                "--meshConfigFile",
                tools.meshConfig,
                "--valuesFile",
                tools.valuesFile,
                "-f",
                file,
            ],
            {
                encoding: "utf8",
                maxBuffer: 1 << 30,
                stdio: ["ignore", "pipe", "pipe"],
                timeout: 5 * 60_000,
                // With no cluster to ask about kubelet versions, istioctl renders the proxy as a native sidecar only when
                // told to (pkg/kube/inject/inject.go: features.EnableNativeSidecars == NativeSidecarModeEnabled).
                env: { ...process.env, ENABLE_NATIVE_SIDECARS: o.nativeSidecar ? "true" : "false" },
            },
        );
        return parseAllDocuments(out)
            .map((d) => d.toJS() as Record<string, unknown>)
            .filter((d) => d !== null);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** Asks Istio's own injector validators about many annotation sets in one process. */
export function istioAccepts(tools: IstioTools, annotationSets: ReadonlyArray<Record<string, string>>): Array<{ ok: boolean; errors?: string[] }> {
    const out = execFileSync(tools.validator, [], {
        input: `${annotationSets.map((a) => JSON.stringify(a)).join("\n")}\n`,
        encoding: "utf8",
        maxBuffer: 1 << 30,
        timeout: 5 * 60_000,
    });
    return out
        .trim()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as { ok: boolean; errors?: string[] });
}
