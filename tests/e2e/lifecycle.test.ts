// The component's whole life on a real API server, with the real Pulumi CLI, language host and Kubernetes
// provider: up, no-op, a rule change, another field manager (and a conflict with it), destroy, invalid rules.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type BypassPlan, effectiveTable, type NamespacePlan, type PlainBypassArgs, planBypass } from "../../provider/index";
import { applyServerSide, getJson, KubectlError, kubectl, replicaSetsByDeployment, rolledDeployments, waitForRollouts } from "../../tools/harness/kube";
import { CHART_ANNOTATION, HELM_MANAGER, kumaMesh } from "../../tools/harness/workloads";
import { changingOps, cliSkipReason, E2eCluster, E2eStack, fieldManagerIn, ownedByOthers, planOptions, tearDown } from "../helpers/e2e";

const skip = cliSkipReason();
const STACK = "lifecycle";
const PLAN_OPTIONS = planOptions(STACK);
const WORKLOADS = [
    { namespace: "shop", name: "cart" },
    { namespace: "shop", name: "orders" },
    { namespace: "back", name: "api" },
];
const NAMESPACES = ["back", "shop"];

function rules(shopInboundExcludes: number[]): PlainBypassArgs {
    return {
        meshes: ["istio", "kuma"],
        global: { outbound: { excludeIpRanges: ["169.254.169.254/32"] } },
        namespaces: [
            {
                name: "shop",
                inbound: { excludePorts: shopInboundExcludes },
                passthrough: { mode: "Matched", destinations: [{ type: "Domain", value: "api.example.com", port: 443, protocol: "tls" }] },
            },
        ],
        workloads: [
            { kind: "Deployment", namespace: "shop", name: "cart", outbound: { excludeIpRanges: ["203.0.113.0/24"], inherit: "merge" } },
            { kind: "Deployment", namespace: "shop", name: "orders" },
            { kind: "Deployment", namespace: "back", name: "api", inbound: { excludePorts: [9100] } },
        ],
        kuma: { mesh: "default", passthrough: false },
    };
}

const ourKeys = (plan: BypassPlan) => new Set(plan.workloads.flatMap((w) => [...Object.keys(w.annotations), ...Object.keys(w.labels)]));

describe("e2e: the component's life on a real cluster", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    let pristine: Map<string, unknown>;
    const settled = () =>
        waitForRollouts(
            cluster.kube,
            WORKLOADS.map((w) => `${w.namespace}/${w.name}`),
        );
    const v1 = rules([7001]);
    const v2 = rules([7001, 7002]);
    /** A namespace's record as the component writes it: the plan's data and, where a policy admits its pods, since when. */
    const expectedRecord = (ns: NamespacePlan): Record<string, string> => {
        if (!ns.admission) return ns.configMapData;
        const policy = getJson<{ metadata: { creationTimestamp: string } }>(cluster.kube, ["mutatingadmissionpolicy", ns.admission]);
        return { ...ns.configMapData, "admission-since": `${policy.metadata.creationTimestamp}\n` };
    };

    before(async () => {
        cluster = new E2eCluster("e2e-lifecycle");
        await cluster.seed(WORKLOADS);
        applyServerSide(cluster.kube, [kumaMesh()], { fieldManager: "kuma-operator" });
        const keys = ourKeys(planBypass(v2, PLAN_OPTIONS));
        pristine = new Map(WORKLOADS.map((w) => [`${w.namespace}/${w.name}`, ownedByOthers(cluster.deployment(w.namespace, w.name), keys)]));
        s = await E2eStack.open(cluster, STACK);
    });
    after(() => tearDown(s, cluster));

    it("up: the live pod templates carry exactly the planned annotations and labels; the records and Kuma objects exist", async () => {
        const plan = planBypass(v1, PLAN_OPTIONS);
        await s.setRules(v1);
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
        for (const w of plan.workloads) {
            const live = cluster.deployment(w.namespace, w.name).spec.template.metadata;
            for (const [k, v] of Object.entries(w.annotations)) assert.equal(live.annotations?.[k], v, `${w.id} annotation ${k}`);
            for (const [k, v] of Object.entries(w.labels)) assert.equal(live.labels?.[k], v, `${w.id} label ${k}`);
            assert.equal(live.annotations?.[CHART_ANNOTATION], "demo", `${w.id}: the chart's own annotation stays`);
        }
        // The outputs, as `pulumi stack output --json` reads them back.
        const outputs = await s.stack.outputs();
        assert.deepEqual(outputs.effectiveRules.value, effectiveTable(plan));
        // The component's own state holds the summary and the full-bypass rows, not the table (written at every step of up).
        const state = (await s.stack.exportStack()).deployment as { resources: { type: string; outputs?: Record<string, unknown> }[] };
        const component = state.resources.find((r) => r.type === "sidecar-bypass:index:SidecarBypass");
        assert.deepEqual(Object.keys(component?.outputs ?? {}).sort(), ["fullBypassRows", "replacedPods", "summary"]);
        assert.deepEqual(
            component?.outputs?.fullBypassRows,
            effectiveTable(plan).filter((r) => r.field === "fullBypass"),
        );
        for (const ns of plan.namespaces) {
            const cm = getJson<{ data: Record<string, string> }>(cluster.kube, ["configmap", "-n", ns.name, PLAN_OPTIONS.name]);
            assert.deepEqual(cm.data, expectedRecord(ns), `record in ${ns.name}`);
        }
        const mesh = getJson<{ spec: { networking?: { outbound?: { passthrough?: boolean } }; metrics?: unknown } }>(cluster.kube, ["mesh", "default"]);
        assert.equal(mesh.spec.networking?.outbound?.passthrough, false);
        assert.deepEqual(mesh.spec.metrics, (kumaMesh() as { spec: { metrics: unknown } }).spec.metrics, "the operator's Mesh fields stay");
        for (const obj of (plan.objects.kuma ?? []).filter((k) => !k.patch)) {
            const args = [obj.kind.toLowerCase(), obj.metadata.name, ...(obj.metadata.namespace ? ["-n", obj.metadata.namespace] : [])];
            assert.deepEqual(getJson<{ spec: unknown }>(cluster.kube, args).spec, obj.spec, `${obj.kind} ${obj.metadata.name}`);
        }
    });

    it("no change: zero resource changes and zero new ReplicaSets", async () => {
        const before = replicaSetsByDeployment(cluster.kube, NAMESPACES);
        const preview = await s.stack.preview({ color: "never" });
        assert.deepEqual(changingOps(preview.changeSummary), [], JSON.stringify(preview.changeSummary));
        const up = await s.stack.up({ color: "never" });
        assert.deepEqual(changingOps(up.summary.resourceChanges ?? {}), [], JSON.stringify(up.summary.resourceChanges));
        assert.deepEqual(rolledDeployments(before, replicaSetsByDeployment(cluster.kube, NAMESPACES)), []);
    });

    it("a rule change: the diff shows the annotation, the record changes in place, and exactly the affected workloads roll", async () => {
        const before = replicaSetsByDeployment(cluster.kube, NAMESPACES);
        await s.setRules(v2);
        const preview = await s.stack.preview({ diff: true, color: "never" });
        assert.match(preview.stdout, /traffic\.sidecar\.istio\.io\/excludeInboundPorts/);
        assert.match(preview.stdout, /7001,7002/);
        assert.equal(preview.changeSummary.replace, undefined, `no replacement: ${JSON.stringify(preview.changeSummary)}`);
        assert.doesNotMatch(preview.stdout + preview.stderr, /already exists|Retry #/);
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.resourceChanges?.replace, undefined);
        assert.deepEqual(rolledDeployments(before, replicaSetsByDeployment(cluster.kube, NAMESPACES)), ["shop/cart", "shop/orders"]);
        const cm = getJson<{ data: Record<string, string> }>(cluster.kube, ["configmap", "-n", "shop", PLAN_OPTIONS.name]);
        assert.deepEqual(cm.data, expectedRecord(planBypass(v2, PLAN_OPTIONS).namespaces.find((n) => n.name === "shop")!));
    });

    it("another owner: its fields survive, and a conflict on one of ours fails at preview naming it, with nothing written", async (t) => {
        const cart = cluster.deployment("shop", "cart");
        assert.ok(
            cart.metadata.managedFields?.some((m) => m.manager === HELM_MANAGER),
            "helm still manages its fields",
        );
        assert.ok(
            cart.metadata.managedFields?.some((m) => m.manager === fieldManagerIn(STACK)),
            "our patch is applied under our field manager",
        );

        // Someone takes one of our annotations with their own value.
        const taken = { "traffic.sidecar.istio.io/excludeInboundPorts": "7001" };
        const theirs = (annotations: Record<string, string>) => ({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "orders", namespace: "shop" },
            spec: { template: { metadata: { annotations } } },
        });
        kubectl(cluster.kube, ["apply", "--server-side", "--force-conflicts", "--field-manager=ops-team", "-f", "-"], JSON.stringify(theirs(taken)));
        const versions = () => WORKLOADS.map((w) => cluster.deployment(w.namespace, w.name).metadata.resourceVersion);
        // Their change rolls the Deployment; let the controller finish, so only a write of ours could move a version.
        await settled();
        const atConflict = versions();
        await s.setRules(rules([7001, 7002, 7003]));
        await assert.rejects(s.stack.preview({ color: "never" }), (e: Error) => {
            t.diagnostic(
                e.message
                    .split("\n")
                    .find((l) => /ops-team/.test(l))
                    ?.trim() ?? "",
            );
            assert.match(e.message, /ops-team/);
            assert.match(e.message, /excludeInboundPorts/);
            return true;
        });
        assert.deepEqual(versions(), atConflict, "the preview wrote nothing");
        assert.equal(
            cluster.deployment("shop", "orders").spec.template.metadata.annotations?.["traffic.sidecar.istio.io/excludeInboundPorts"],
            "7001",
            "their value stays",
        );
    });

    it("drift: with takeOwnership, up takes our field back from the manager that took it (never by default)", async () => {
        await s.setRules({ ...v2, takeOwnership: true });
        const up = await s.stack.up({ color: "never", refresh: true });
        assert.match(up.stdout, /takeOwnership: the fields this component declares are taken back/);
        const orders = cluster.deployment("shop", "orders");
        assert.equal(orders.spec.template.metadata.annotations?.["traffic.sidecar.istio.io/excludeInboundPorts"], "7001,7002");
        const opsTeam = JSON.stringify(orders.metadata.managedFields?.filter((m) => m.manager === "ops-team") ?? []);
        assert.doesNotMatch(opsTeam, /excludeInboundPorts/, "ops-team no longer owns our field");
        await s.setRules(v2);
        const back = await s.stack.up({ color: "never" });
        assert.equal(back.summary.resourceChanges?.replace, undefined);
    });

    it("destroy: every bypass annotation and label gone, the workloads otherwise unchanged, the Mesh still there", async () => {
        const plan = planBypass(v2, PLAN_OPTIONS);
        await s.stack.destroy({ color: "never" });
        for (const w of WORKLOADS) {
            const live = cluster.deployment(w.namespace, w.name);
            const key = `${w.namespace}/${w.name}`;
            assert.deepEqual(ownedByOthers(live, ourKeys(plan)), pristine.get(key), `${key}: everything not ours unchanged`);
            const tpl = live.spec.template.metadata;
            for (const k of ourKeys(plan)) assert.ok(!(k in (tpl.annotations ?? {})) && !(k in (tpl.labels ?? {})), `${key}: ${k} removed`);
            assert.ok(
                live.metadata.managedFields?.some((m) => m.manager === HELM_MANAGER),
                `${key}: helm's fields stay`,
            );
            assert.ok(!live.metadata.managedFields?.some((m) => m.manager === fieldManagerIn(STACK)), `${key}: no field left to our manager`);
        }
        for (const ns of NAMESPACES) {
            assert.throws(() => kubectl(cluster.kube, ["get", "configmap", "-n", ns, PLAN_OPTIONS.name]), KubectlError);
        }
        const mesh = getJson<{ spec: { networking?: unknown; metrics?: unknown } }>(cluster.kube, ["mesh", "default"]);
        assert.deepEqual(mesh.spec.metrics, (kumaMesh() as { spec: { metrics: unknown } }).spec.metrics);
        assert.equal(JSON.stringify(mesh.spec.networking ?? {}).includes("passthrough"), false, "our passthrough field released");
        assert.equal(getJson<{ items: unknown[] }>(cluster.kube, ["meshpassthroughs", "-A"]).items.length, 0);
    });

    it("invalid rules: preview fails with the path-named errors and the cluster is untouched", async () => {
        await settled();
        const versions = WORKLOADS.map((w) => cluster.deployment(w.namespace, w.name).metadata.resourceVersion);
        const bad = rules([7001]);
        bad.workloads![0].outbound!.excludeIpRanges = ["203.0.113.0/33"];
        bad.namespaces![0].inbound!.excludePorts = [70000];
        await s.setRules(bad);
        await assert.rejects(s.stack.preview({ color: "never" }), (e: Error) => {
            assert.match(e.message, /workloads\[0\]\.outbound\.excludeIpRanges\[0\]/);
            assert.match(e.message, /namespaces\[0\]\.inbound\.excludePorts\[0\]/);
            return true;
        });
        await assert.rejects(s.stack.up({ color: "never" }));
        assert.deepEqual(
            WORKLOADS.map((w) => cluster.deployment(w.namespace, w.name).metadata.resourceVersion),
            versions,
        );
        assert.throws(() => kubectl(cluster.kube, ["get", "configmap", "-n", "shop", PLAN_OPTIONS.name]), KubectlError);
    });
});
