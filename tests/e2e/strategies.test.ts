// Workloads whose pods a template change does not replace, on a real API server with the real CLI and provider: an
// OnDelete StatefulSet (as Vault's chart makes it) and a paused Deployment are named at preview, with why and what to
// do; a rolling Deployment beside them is not. With rollout.wait false, up then applies the patches, and the
// StatefulSet's running pod still has its old template until it is deleted.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PlainBypassArgs } from "../../provider/index";
import { applyServerSide, getJson, kubectl, waitForRollouts } from "../../tools/harness/kube";
import { chartWorkload, HELM_MANAGER, namespaceObject } from "../../tools/harness/workloads";
import { cliSkipReason, E2eCluster, E2eStack, tearDown } from "../helpers/e2e";

const skip = cliSkipReason();
const KEY = "traffic.sidecar.istio.io/excludeInboundPorts";

const rules = (port: number): PlainBypassArgs => ({
    meshes: ["istio"],
    namespaces: [{ name: "vault", inbound: { excludePorts: [port] } }],
    workloads: [
        { kind: "StatefulSet", namespace: "vault", name: "vault" },
        { kind: "Deployment", namespace: "vault", name: "paused" },
        { kind: "Deployment", namespace: "vault", name: "rolling" },
    ],
    rollout: { wait: false },
});

interface Pod {
    metadata: { name: string; annotations?: Record<string, string> };
}

function podExists(cluster: E2eCluster, name: string): boolean {
    return kubectl(cluster.kube, ["get", "pods", "-n", "vault", "-o", "name"]).split("\n").includes(`pod/${name}`);
}

describe("e2e: workloads whose pods a change does not replace", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    before(async () => {
        cluster = new E2eCluster("e2e-strategies");
        const vault = chartWorkload({ namespace: "vault", name: "vault", replicas: 2 }, "StatefulSet") as { spec: Record<string, unknown> };
        vault.spec.updateStrategy = { type: "OnDelete" };
        const paused = chartWorkload({ namespace: "vault", name: "paused" }) as { spec: Record<string, unknown> };
        applyServerSide(cluster.kube, [namespaceObject("vault")], { fieldManager: HELM_MANAGER });
        applyServerSide(cluster.kube, [vault, paused, chartWorkload({ namespace: "vault", name: "rolling" })], { fieldManager: HELM_MANAGER });
        await waitForRollouts(cluster.kube, ["vault/paused", "vault/rolling"]);
        kubectl(cluster.kube, ["rollout", "pause", "deployment/paused", "-n", "vault"]);
        // The StatefulSet's first pod, created before any rule (bounded wait: 60 s).
        for (let i = 0; i < 120 && !podExists(cluster, "vault-0"); i++) await new Promise((r) => setTimeout(r, 500));
        assert.ok(podExists(cluster, "vault-0"), "the StatefulSet's pod was created");
        s = await E2eStack.open(cluster, "strategies");
        await s.setRules(rules(7001));
    });
    after(() => tearDown(s, cluster));

    it("preview names the OnDelete StatefulSet and the paused Deployment, and not the rolling one", async (t) => {
        const preview = await s.stack.preview({ color: "never" });
        const lines = preview.stdout.split("\n").filter((l) => l.includes("will not be replaced"));
        for (const l of lines) t.diagnostic(l.trim());
        const text = preview.stdout.replace(/\s+/g, " ");
        assert.match(text, /StatefulSet\/vault\/vault: this change reaches its pod template, but its running pods will not be replaced/);
        assert.match(text, /its updateStrategy is OnDelete, so the controller replaces a pod only when someone deletes it \(up reports it ready/);
        assert.match(text, /Deployment\/vault\/paused: this change reaches its pod template.*it is paused \(spec\.paused\)/);
        assert.doesNotMatch(text, /Deployment\/vault\/rolling: this change reaches/);
    });

    it("after up, the StatefulSet's running pod keeps its old rules until it is deleted; a no-op preview names nothing", async () => {
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
        const sts = getJson<{ spec: { template: { metadata: { annotations?: Record<string, string> } } } }>(cluster.kube, [
            "statefulset",
            "-n",
            "vault",
            "vault",
        ]);
        assert.equal(sts.spec.template.metadata.annotations?.[KEY], "7001", "the template has the rule");
        const podBefore = getJson<Pod>(cluster.kube, ["pod", "-n", "vault", "vault-0"]);
        assert.equal(podBefore.metadata.annotations?.[KEY], undefined, "the running pod does not");
        const preview = await s.stack.preview({ color: "never" });
        assert.doesNotMatch(preview.stdout, /will not be replaced/, "nothing left to apply to the template: nothing to say");
    });

    it("with rollout.replaceOnDeletePods, preview names the stale pods, and up evicts them one at a time, each replaced with the rule", async (t) => {
        for (let i = 0; i < 120 && !podExists(cluster, "vault-1"); i++) await new Promise((r) => setTimeout(r, 500));
        await s.setRules({ ...rules(7002), rollout: { wait: false, replaceOnDeletePods: true } });
        const preview = await s.stack.preview({ color: "never" });
        const text = preview.stdout.replace(/\s+/g, " ");
        assert.match(text, /StatefulSet\/vault\/vault: rollout\.replaceOnDeletePods: up will evict vault-0, vault-1 one at a time/);
        assert.doesNotMatch(text, /StatefulSet\/vault\/vault: this change reaches its pod template, but its running pods will not be replaced/);
        assert.match(text, /Deployment\/vault\/paused: this change reaches its pod template/, "a paused Deployment is never resumed for the user");
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
        for (const l of up.stdout.split("\n").filter((x) => x.includes("evicting"))) t.diagnostic(l.trim());
        assert.match(up.stdout.replace(/\s+/g, " "), /evicting vault-0 .*evicting vault-1/, "one at a time, in order");
        for (const name of ["vault-0", "vault-1"]) {
            assert.equal(getJson<Pod>(cluster.kube, ["pod", "-n", "vault", name]).metadata.annotations?.[KEY], "7002", name);
        }
        const again = await s.stack.preview({ color: "never" });
        assert.doesNotMatch(again.stdout, /up will evict/, "nothing stale is left to replace");
    });

    it("a PodDisruptionBudget that allows no disruption holds the eviction: up fails at the timeout naming it, no pod is deleted", async () => {
        const pdb = {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: "vault", namespace: "vault" },
            spec: { minAvailable: 2, selector: { matchLabels: { app: "vault" } } },
        };
        applyServerSide(cluster.kube, [pdb], { fieldManager: HELM_MANAGER });
        // Bounded: until the disruption controller has counted the pods (it allows nothing either way at minAvailable 2).
        for (let i = 0; i < 60; i++) {
            const status = getJson<{ status?: { observedGeneration?: number } }>(cluster.kube, ["pdb", "-n", "vault", "vault"]).status;
            if (status?.observedGeneration) break;
            await new Promise((r) => setTimeout(r, 500));
        }
        const uids = () => ["vault-0", "vault-1"].map((n) => getJson<{ metadata: { uid: string } }>(cluster.kube, ["pod", "-n", "vault", n]).metadata.uid);
        const before = uids();
        await s.setRules({ ...rules(7003), rollout: { wait: false, replaceOnDeletePods: true, timeoutSeconds: 5 } });
        await assert.rejects(
            s.stack.up({ color: "never" }),
            /StatefulSet\/vault\/vault: rollout\.replaceOnDeletePods: vault\/vault-0: a PodDisruptionBudget refused its eviction/,
        );
        assert.deepEqual(uids(), before, "no pod was deleted");
        kubectl(cluster.kube, ["delete", "pdb", "-n", "vault", "vault"]);
    });
});
