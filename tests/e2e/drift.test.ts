// Drift, in our words, on a real API server with the real CLI and Kubernetes provider: someone `kubectl patch`es one
// of our annotations, so kubectl's field manager owns it. The next preview, and `up --refresh` at its preview, fail
// before that workload's patch is sent, saying which workload, which field, who took it, their value and ours, and
// that takeOwnership takes it back; nothing of it is written. An update that skips its preview is stopped by the API
// server's conflict instead. With takeOwnership: true (never the default), preview says what it takes back and up does.
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { PlainBypassArgs } from "../../provider/index";
import { kubectl, replicaSetsByDeployment, rolledDeployments, waitForRollouts } from "../../tools/harness/kube";
import { changingOps, cliSkipReason, E2eCluster, E2eStack, fieldManagerIn, tearDown } from "../helpers/e2e";

const skip = cliSkipReason();
const WORKLOADS = [
    { namespace: "shop", name: "cart" },
    { namespace: "shop", name: "orders" },
];
const KEY = "traffic.sidecar.istio.io/excludeInboundPorts";

const rules = (ports: number[], takeOwnership?: boolean): PlainBypassArgs => ({
    meshes: ["istio"],
    namespaces: [{ name: "shop", inbound: { excludePorts: ports } }],
    workloads: WORKLOADS.map((w) => ({ kind: "Deployment" as const, ...w })),
    ...(takeOwnership === undefined ? {} : { takeOwnership }),
});

describe("e2e: drift in our words (a field taken with kubectl patch)", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    const versions = () => WORKLOADS.map((w) => cluster.deployment(w.namespace, w.name).metadata.resourceVersion);
    const ordersValue = () => cluster.deployment("shop", "orders").spec.template.metadata.annotations?.[KEY];
    const managersOf = (key: string) =>
        (cluster.deployment("shop", "orders").metadata.managedFields ?? []).filter((m) => JSON.stringify(m.fieldsV1 ?? {}).includes(key)).map((m) => m.manager);

    before(async () => {
        cluster = new E2eCluster("e2e-drift");
        await cluster.seed(WORKLOADS);
        s = await E2eStack.open(cluster, "drift");
        await s.setRules(rules([7001]));
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
        assert.equal(ordersValue(), "7001");
        // Someone takes our annotation with a value of their own, the way the issue describes it.
        const patch = { spec: { template: { metadata: { annotations: { [KEY]: "7009" } } } } };
        kubectl(cluster.kube, ["patch", "deployment", "orders", "-n", "shop", "--type", "merge", "-p", JSON.stringify(patch)]);
        assert.deepEqual(managersOf(KEY), ["kubectl-patch"], "kubectl's field manager now owns the field");
        // Their change rolls the Deployment; let it finish, so only a write of ours could move a version.
        await waitForRollouts(
            cluster.kube,
            WORKLOADS.map((w) => `${w.namespace}/${w.name}`),
        );
    });
    after(() => tearDown(s, cluster));

    /** Our message, as preview and up print it, checked field by field; the provider's raw conflict never shows. */
    function assertOurWords(e: Error, t: { diagnostic(m: string): void }): true {
        const m = e.message;
        t.diagnostic(
            m
                .split("\n")
                .filter((l) => /sidecar-bypass: Deployment|taken by/.test(l))
                .map((l) => l.trim())
                .join(" | "),
        );
        assert.match(m, /sidecar-bypass: Deployment\/shop\/orders: a field this component declares is now managed by 'kubectl-patch'/);
        assert.match(m, /its patch would conflict and was not sent \(nothing of it was written\)/);
        assert.match(m, /pod-template annotation traffic\.sidecar\.istio\.io\/excludeInboundPorts: taken by 'kubectl-patch' \(an update: kubectl patch/);
        assert.match(m, /their value '7009', ours '7001,7002'/);
        assert.match(m, /set takeOwnership: true .*never\s+the default/s);
        assert.doesNotMatch(m, /Apply failed with \d+ conflict|conflicts? with "kubectl-patch"/, "the patch was never sent, so no raw conflict");
        assert.doesNotMatch(m, /Deployment\/shop\/cart:/, "cart's fields are all still ours");
        assert.doesNotMatch(m, /error serializing property|at .*ownershipCheck/, "our words, without the SDK's wrapping or a stack trace");
        const diagnostics = m.slice(m.indexOf("Diagnostics:"), m.indexOf("Outputs:") > 0 ? m.indexOf("Outputs:") : undefined);
        assert.equal(diagnostics.match(/their value '7009'/g)?.length, 1, `said once in the diagnostics:\n${diagnostics}`);
        return true;
    }

    it("preview fails in our words: the workload, the field, who took it, their value and ours, and the opt-in", async (t) => {
        const before = versions();
        await s.setRules(rules([7001, 7002]));
        await assert.rejects(s.stack.preview({ color: "never" }), (e: Error) => {
            // The workloads were read through the Kubernetes client (the witness agreed), not one engine step each.
            assert.doesNotMatch(e.message, /one engine step each/);
            return assertOurWords(e, t);
        });
        assert.deepEqual(versions(), before, "the preview wrote nothing");
        assert.equal(ordersValue(), "7009", "their value stays");
    });

    it("read through the engine when the kubeconfig kubectl would use does not reach the provider's cluster: the same refusal, and preview says why", async (t) => {
        const before = versions();
        await s.setRules(rules([7001, 7002]));
        // The provider gets the cluster from the stack's config; the Kubernetes client, from KUBECONFIG, finds nothing.
        await s.stack.setConfig("kubernetes:kubeconfig", { value: cluster.kube.kubeconfig });
        try {
            const preview = await s.run(["preview"], { KUBECONFIG: path.join(s.backendDir, "no-such-kubeconfig") });
            assert.notEqual(preview.code, 0, preview.output);
            assertOurWords(new Error(preview.output), t);
            assert.match(
                preview.output,
                /the drift check reads each listed workload through the Kubernetes provider, one engine step each: the Kubernetes client \(the kubeconfig kubectl would use\) could not read them: ENOENT/,
            );
        } finally {
            await s.stack.removeConfig("kubernetes:kubeconfig");
        }
        assert.deepEqual(versions(), before, "the preview wrote nothing");
    });

    it("`pulumi up --refresh` as a user types it fails the same way at its preview: nothing is written", async (t) => {
        const before = versions();
        const up = await s.run(["up", "--refresh", "--yes"]);
        assert.notEqual(up.code, 0, up.output);
        assertOurWords(new Error(up.output), t);
        assert.deepEqual(versions(), before, "the update never started: nothing of either patch was written");
        assert.equal(ordersValue(), "7009", "their value stays");
        assert.deepEqual(managersOf(KEY), ["kubectl-patch"]);
    });

    it("an update that skips its preview (the Automation API's up) is stopped by the API server's conflict: nothing of orders' patch is written; cart gets its new rules", async (t) => {
        const before = cluster.deployment("shop", "orders").metadata.resourceVersion;
        // --continue-on-error: without it the engine stops starting steps once orders' patch fails, so whether cart's
        // patch had started by then is a race; with it, what can be applied is, and what cannot is still refused.
        await assert.rejects(s.stack.up({ color: "never", refresh: true, continueOnError: true }), (e: Error) => {
            // The check runs at preview only (its reads would otherwise live in the stack's state), so this is the
            // provider's conflict, naming the manager that holds the field.
            t.diagnostic(
                e.message
                    .split("\n")
                    .find((l) => /conflict/i.test(l))
                    ?.trim() ?? "(no conflict line)",
            );
            assert.match(e.message, /conflict/i);
            assert.match(e.message, /kubectl-patch/);
            return true;
        });
        assert.equal(cluster.deployment("shop", "orders").metadata.resourceVersion, before, "nothing of orders' patch was written");
        assert.equal(ordersValue(), "7009", "their value stays");
        assert.deepEqual(managersOf(KEY), ["kubectl-patch"]);
        // Another workload's patch conflicts with no one, so it is applied.
        assert.equal(cluster.deployment("shop", "cart").spec.template.metadata.annotations?.[KEY], "7001,7002");
    });

    it("with takeOwnership: true, preview says what it takes back from whom, and up --refresh takes it", async () => {
        await s.setRules(rules([7001, 7002], true));
        const preview = await s.stack.preview({ color: "never", refresh: true });
        assert.match(preview.stdout, /takeOwnership: taking back from 'kubectl-patch' on Deployment\/shop\/orders/);
        assert.match(preview.stdout, /excludeInboundPorts: taken by 'kubectl-patch'.*their value '7009', ours '7001,7002'/);
        assert.equal(ordersValue(), "7009", "a preview takes nothing");
        const up = await s.stack.up({ color: "never", refresh: true });
        assert.equal(up.summary.result, "succeeded");
        assert.equal(ordersValue(), "7001,7002");
        assert.deepEqual(managersOf(KEY), [fieldManagerIn("drift")], "kubectl-patch no longer owns our field");
    });

    it("a workload that does not exist fails preview in our words, naming it; nothing is written", async () => {
        const before = versions();
        const current = rules([7001, 7002]);
        await s.setRules({ ...current, workloads: [...(current.workloads ?? []), { kind: "Deployment", namespace: "shop", name: "typo" }] });
        try {
            await assert.rejects(s.stack.preview({ color: "never" }), (e: Error) => {
                assert.match(
                    e.message,
                    /Deployment\/shop\/typo: the cluster has no Deployment typo in namespace shop; create it first, or remove it from workloads\. Nothing was written\./,
                );
                return true;
            });
        } finally {
            await s.setRules(current);
        }
        assert.deepEqual(versions(), before);
    });

    it("back to the default (no takeOwnership): nothing is taken any more, so nothing to say and nothing to change", async (t) => {
        await waitForRollouts(
            cluster.kube,
            WORKLOADS.map((w) => `${w.namespace}/${w.name}`),
        );
        await s.setRules(rules([7001, 7002]));
        const before = replicaSetsByDeployment(cluster.kube, ["shop"]);
        const preview = await s.stack.preview({ color: "never" });
        assert.doesNotMatch(preview.stdout + preview.stderr, /taken by|takeOwnership: taking back/);
        const up = await s.stack.up({ color: "never" });
        // Dropping takeOwnership changes the patches' force annotation only; the pod templates stay as they are.
        assert.deepEqual(rolledDeployments(before, replicaSetsByDeployment(cluster.kube, ["shop"])), []);
        const again = await s.stack.preview({ color: "never" });
        t.diagnostic(`no-op preview after the update: ${JSON.stringify(again.changeSummary)}`);
        assert.deepEqual(changingOps(again.changeSummary), [], JSON.stringify(again.changeSummary));
        assert.equal(up.summary.result, "succeeded");
    });
});
