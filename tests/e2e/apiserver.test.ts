// Needs no Pulumi CLI, so it runs everywhere: the embedded control plane starts, and the real API server
// admits every object the plans of the test corpus render - the workload patches (server-side dry-run against
// real workloads, under our field manager), the record ConfigMaps and the Kuma objects (with Kuma's CRDs).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { atTemplate, type BypassPlan, type PlainBypassArgs, planBypass, WORKLOAD_KINDS } from "../../provider/index";
import { type ControlPlane, startControlPlane } from "../../tools/harness/controlPlane";
import { applyRequest, applyServerSide, kubectl } from "../../tools/harness/kube";
import { chartWorkload, HELM_MANAGER, kumaMesh, namespaceObject } from "../../tools/harness/workloads";
import { ALL_MESHES, validArgs } from "../helpers/arbitraries";
import { designExample, kumaEverywhere, kumaThree } from "../helpers/examples";
import { CORPUS } from "../oracle/corpus";

const GENERATED = Number(process.env.E2E_GENERATED_CASES ?? 40);

/** Moves a rule set into its own namespaces, so every case gets workloads of its own. */
function isolate(args: PlainBypassArgs, i: number): PlainBypassArgs {
    const ns = (name: string) => `case-${i}-${name}`.slice(0, 63).replace(/-+$/, "");
    return {
        ...args,
        namespaces: args.namespaces?.map((n) => ({ ...n, name: ns(n.name) })),
        workloads: args.workloads?.map((w) => ({ ...w, namespace: ns(w.namespace) })),
    };
}

function cases(): { name: string; args: PlainBypassArgs }[] {
    const fixed: { name: string; args: PlainBypassArgs }[] = [
        ...CORPUS.map((c) => ({ name: c.name, args: { ...c.args, meshes: [...ALL_MESHES] } })),
        { name: "the design example", args: designExample() },
        { name: "Kuma passthrough at every scope, with the passthrough cluster tuned", args: kumaEverywhere() },
        { name: "the same on Kuma 3 (a mesh-wide MeshPassthrough instead of the Mesh patch)", args: kumaThree() },
    ];
    const generated = fc.sample(validArgs, { numRuns: GENERATED, seed: 7 }).map((args, i) => ({ name: `generated #${i}`, args }));
    return [...fixed, ...generated].map((c, i) => ({ name: c.name, args: isolate(c.args, i) }));
}

/** What the component would apply for a plan, as plain Kubernetes objects. */
function objectsOf(plan: BypassPlan, name: string): { workloads: object[]; patches: object[]; records: object[]; kuma: object[] } {
    const listed = plan.workloads.filter((w) => !w.declaredInProgram);
    return {
        workloads: listed.map((w) => chartWorkload({ namespace: w.namespace, name: w.name }, w.kind)),
        patches: listed.map((w) => ({
            apiVersion: WORKLOAD_KINDS[w.kind].apiVersion,
            kind: w.kind,
            metadata: { name: w.name, namespace: w.namespace },
            ...atTemplate(w.kind, { metadata: { annotations: w.annotations, labels: w.labels } }),
        })),
        records: plan.namespaces
            .filter((n) => n.workloads.length > 0)
            .map((n) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: n.name }, data: n.configMapData })),
        kuma: (plan.objects.kuma ?? []).map((k) => ({ apiVersion: k.apiVersion, kind: k.kind, metadata: k.metadata, spec: k.spec })),
    };
}

describe("e2e: the API server admits everything the plans render (no CLI needed)", () => {
    let cp: ControlPlane;
    before(() => {
        cp = startControlPlane("e2e-apiserver", { fresh: true });
    });
    after(() => cp?.stop());

    it("accepts every patch, record and Kuma object of the corpus and of generated rule sets", async (t) => {
        const all = cases();
        let counted = { patches: 0, records: 0, kuma: 0 };
        for (const [i, c] of all.entries()) {
            const name = `sidecar-bypass-case-${i}`;
            const plan = planBypass(c.args, { name });
            const o = objectsOf(plan, name);
            const namespaces = [
                ...new Set([
                    ...plan.workloads.map((w) => w.namespace),
                    ...(plan.objects.kuma ?? []).flatMap((k) => (k.metadata.namespace ? [k.metadata.namespace] : [])),
                ]),
            ];
            applyServerSide(cp, namespaces.map(namespaceObject), { fieldManager: HELM_MANAGER });
            if (o.workloads.length) applyServerSide(cp, o.workloads, { fieldManager: HELM_MANAGER });
            if ((plan.objects.kuma ?? []).some((k) => k.patch))
                applyServerSide(cp, [kumaMesh((plan.objects.kuma ?? []).find((k) => k.patch)!.metadata.name)], { fieldManager: "kuma-operator" });
            const dryRun = async (objects: object[]) => {
                for (const obj of objects as Parameters<typeof applyRequest>[1][]) {
                    const r = await applyRequest(cp, obj, { fieldManager: "sidecar-bypass", dryRun: true });
                    const what = `${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
                    assert.ok(r.status === 200 || r.status === 201, `case "${c.name}": the API server refused ${what} (${r.status}): ${r.body.message}`);
                }
            };
            await dryRun(o.patches);
            await dryRun(o.records);
            await dryRun(o.kuma);
            counted = { patches: counted.patches + o.patches.length, records: counted.records + o.records.length, kuma: counted.kuma + o.kuma.length };
        }
        t.diagnostic(`${all.length} rule sets: ${counted.patches} workload patches, ${counted.records} records, ${counted.kuma} Kuma objects admitted`);
        assert.ok(counted.kuma > 0 && counted.patches > all.length / 2);
    });

    it("a dry run stores nothing", () => {
        assert.equal(kubectl(cp, ["get", "configmaps", "-A", "-l", "app.kubernetes.io/managed-by=sidecar-bypass", "-o", "name"]).trim(), "");
        assert.equal(kubectl(cp, ["get", "meshpassthroughs", "-A", "-o", "name"]).trim(), "");
    });
});
