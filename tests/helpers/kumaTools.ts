// Kuma's own tools as judges. No registry serves them (the module proxy refuses github.com/kumahq/kuma), so
// the tests find `kumactl` on PATH, where a developer who built it from Kuma's source put it, and otherwise say
// in one line what they skipped.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { BypassPlan } from "../../provider/index";

export function findOnPath(name: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) {
        const r = spawnSync("test", ["-x", join(dir, name)]);
        if (r.status === 0) return join(dir, name);
    }
    return undefined;
}

export function kumactlSkipReason(): string | undefined {
    return findOnPath("kumactl")
        ? undefined
        : "kumactl not found on PATH; Kuma's tools are in no registry (build kumactl v2.14.x from kumahq/kuma's source and put it on PATH)";
}

type KumaObject = BypassPlan["kuma"][number];

/** A Kuma object in Universal form, as kumactl reads it: the Kubernetes object's spec under Kuma's type and name. */
export function toUniversal(o: KumaObject): Record<string, unknown> {
    if (o.kind === "Mesh") return { type: "Mesh", name: o.metadata.name, ...o.spec };
    return { type: o.kind, name: o.metadata.name, mesh: o.metadata.labels?.["kuma.io/mesh"] ?? "default", spec: o.spec };
}

/**
 * Validates Universal resources with `kumactl apply --dry-run`, which runs Kuma's own unmarshalling, schema
 * and resource validators without a control plane. Returns, per resource, undefined when accepted or Kuma's
 * message when refused. Resources are checked one file each, so every verdict is the resource's own.
 */
export function kumaVerdicts(resources: readonly Record<string, unknown>[]): Array<string | undefined> {
    const dir = mkdtempSync(join(tmpdir(), "sb-kumactl-"));
    try {
        // An empty config, so kumactl reads nothing of the developer's own.
        writeFileSync(join(dir, "config"), "");
        return resources.map((r, i) => {
            const file = join(dir, `r${i}.yaml`);
            writeFileSync(file, stringify(r));
            const out = spawnSync("kumactl", ["--config-file", join(dir, "config"), "apply", "--dry-run", "-f", file], { encoding: "utf8", timeout: 30_000 });
            return out.status === 0 ? undefined : `${out.stderr}${out.stdout}`.trim() || `exit ${out.status}`;
        });
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
