// One owner per component, on a real API server with the real CLI and Kubernetes provider.
// - Two stacks on one workload: a platform stack patches shop/orders; a team's stack then declares rules for the same
//   Deployment. The team's preview (and `up` as a user types it) is refused in our words, naming the platform's
//   component, stack and project, with nothing of either written; the platform's next preview changes nothing.
// - A stack that still applies as the shared manager of earlier versions (`sidecar-bypass`) moves to its own on its
//   next up: no rollout, every value kept, the shared manager gone. While it still holds a field, a rule change is
//   refused at preview, naming the shared manager and saying how to move.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type PlainBypassArgs, planBypass, SHARED_FIELD_MANAGER } from "../../provider/index";
import { applyRequest, replicaSetsByDeployment, rolledDeployments } from "../../tools/harness/kube";
import { changingOps, cliSkipReason, type Deployment, E2eCluster, E2eStack, fieldManagerIn, planOptions } from "../helpers/e2e";

const skip = cliSkipReason();
const IN = "traffic.sidecar.istio.io/excludeInboundPorts";
const OUT = "traffic.sidecar.istio.io/excludeOutboundPorts";

const platformRules: PlainBypassArgs = {
    meshes: ["istio"],
    namespaces: [{ name: "shop", inbound: { excludePorts: [7001] } }],
    workloads: [{ kind: "Deployment", namespace: "shop", name: "orders" }],
};
const teamRules: PlainBypassArgs = {
    meshes: ["istio"],
    workloads: [{ kind: "Deployment", namespace: "shop", name: "orders", outbound: { excludePorts: [25] } }],
};

/** The managers that own any of the pod template's annotations, sorted. */
function templateManagers(d: Deployment): string[] {
    const owners = (d.metadata.managedFields ?? []).filter((m) => {
        const meta = (m.fieldsV1 as Record<string, Record<string, Record<string, Record<string, unknown>>>> | undefined)?.["f:spec"]?.["f:template"]?.[
            "f:metadata"
        ];
        return meta !== undefined && ("f:annotations" in meta || "f:labels" in meta);
    });
    return owners.map((m) => m.manager ?? "").sort();
}

describe("e2e: one owner per component", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    const stacks: E2eStack[] = [];
    const orders = () => cluster.deployment("shop", "orders");
    const annotations = () => orders().spec.template.metadata.annotations ?? {};

    before(async () => {
        cluster = new E2eCluster("e2e-owners");
        await cluster.seed([
            { namespace: "shop", name: "orders" },
            { namespace: "back", name: "ledger" },
        ]);
    });
    after(async () => {
        for (const s of stacks.reverse()) {
            await s.stack.destroy({ color: "never" }).catch(() => undefined);
            await s.remove();
        }
        cluster?.stop();
    });

    describe("two stacks on one workload", () => {
        let platform: E2eStack;
        let team: E2eStack;
        before(async () => {
            platform = await E2eStack.open(cluster, "platform");
            stacks.push(platform);
            await platform.setRules(platformRules);
            const up = await platform.stack.up({ color: "never" });
            assert.equal(up.summary.result, "succeeded");
            team = await E2eStack.open(cluster, "team");
            stacks.push(team);
            await team.setRules(teamRules);
        });

        const assertRefused = (m: string) => {
            assert.match(
                m,
                /sidecar-bypass: Deployment\/shop\/orders is already managed by the sidecar-bypass component 'e2e' of stack 'platform' \(project 'sidecar-bypass-e2e'\)/,
            );
            assert.match(m, /patch was not sent \(nothing of it was written\)/);
            assert.doesNotMatch(m, /Apply failed with \d+ conflict/, "refused before the patch, not by the API server");
        };

        it("the second stack is refused at preview, naming the first; nothing of either is written", async (t) => {
            const before = orders().metadata.resourceVersion;
            await assert.rejects(team.stack.preview({ color: "never" }), (e: Error) => {
                t.diagnostic(e.message.split("\n").find((l) => l.includes("already managed by")) ?? "(no message)");
                assertRefused(e.message);
                return true;
            });
            assert.equal(orders().metadata.resourceVersion, before);
            assert.equal(annotations()[IN], "7001");
            assert.equal(annotations()[OUT], undefined);
        });

        it("`pulumi up` as a user types it is refused the same way at its preview", async () => {
            const before = orders().metadata.resourceVersion;
            const up = await team.run(["up", "--yes"]);
            assert.notEqual(up.code, 0, up.output);
            assertRefused(up.output);
            assert.equal(orders().metadata.resourceVersion, before, "nothing written");
            assert.deepEqual(templateManagers(orders()), [fieldManagerIn("platform"), "helm"].sort());
        });

        it("the first stack keeps everything: its next preview changes nothing", async () => {
            const preview = await platform.stack.preview({ color: "never", refresh: true });
            assert.deepEqual(changingOps(preview.changeSummary), [], JSON.stringify(preview.changeSummary));
        });

        after(async () => {
            // Leave the workload to the next case as the chart left it.
            await platform.stack.destroy({ color: "never" });
        });
    });

    describe("moving a stack off the shared manager of earlier versions", () => {
        const STACK = "migrate";
        const rules: PlainBypassArgs = {
            meshes: ["istio"],
            namespaces: [{ name: "back", inbound: { excludePorts: [8081] } }],
            workloads: [{ kind: "Deployment", namespace: "back", name: "ledger" }],
        };
        const ledger = () => cluster.deployment("back", "ledger");
        let s: E2eStack;

        /** Makes the stack and the cluster what an earlier version left: every field of ours held by the shared manager. */
        async function asEarlierVersion(): Promise<void> {
            const ours = fieldManagerIn(STACK);
            const state = await s.stack.exportStack();
            const text = JSON.stringify(state).split(JSON.stringify(ours)).join(JSON.stringify(SHARED_FIELD_MANAGER));
            await s.stack.importStack(JSON.parse(text));
            const plan = planBypass(rules, planOptions(STACK));
            const w = plan.workloads[0];
            const template = { spec: { template: { metadata: { annotations: w.annotations, labels: w.labels } } } };
            const identity = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "ledger", namespace: "back" } };
            // Partial objects, as the provider sends them (kubectl would validate them as whole objects first).
            const moved = await applyRequest(cluster.kube, { ...identity, ...template }, { fieldManager: SHARED_FIELD_MANAGER });
            assert.equal(moved.status, 200, JSON.stringify(moved.body));
            // Relinquished as the provider relinquishes: an apply of the bare identity.
            const released = await applyRequest(cluster.kube, identity, { fieldManager: ours });
            assert.equal(released.status, 200, JSON.stringify(released.body));
            assert.deepEqual(templateManagers(ledger()), [SHARED_FIELD_MANAGER, "helm"].sort());
        }

        before(async () => {
            s = await E2eStack.open(cluster, STACK);
            stacks.push(s);
            await s.setRules(rules);
            const up = await s.stack.up({ color: "never" });
            assert.equal(up.summary.result, "succeeded");
            await asEarlierVersion();
        });

        it("while the shared manager holds a field, a rule change is refused at preview, naming it and saying how to move", async () => {
            await s.setRules({ ...rules, namespaces: [{ name: "back", inbound: { excludePorts: [8081, 8082] } }] });
            await assert.rejects(s.stack.preview({ color: "never" }), (e: Error) => {
                assert.match(e.message, /taken by 'sidecar-bypass' \(the field manager every sidecar-bypass component shared before each had its own\)/);
                assert.match(e.message, /an up that changes no rule moves its fields to this component's manager without a rollout/);
                return true;
            });
            await s.setRules(rules);
        });

        it("an up that changes no rule moves every field to the component's own manager: no rollout, every value kept", async () => {
            const before = replicaSetsByDeployment(cluster.kube, ["back"]);
            const values = ledger().spec.template.metadata;
            const preview = await s.stack.preview({ color: "never" });
            assert.ok((preview.changeSummary.update ?? 0) > 0, `the patches change their manager: ${JSON.stringify(preview.changeSummary)}`);
            const up = await s.stack.up({ color: "never" });
            assert.equal(up.summary.result, "succeeded");
            assert.deepEqual(rolledDeployments(before, replicaSetsByDeployment(cluster.kube, ["back"])), [], "nothing rolled");
            assert.deepEqual(ledger().spec.template.metadata.annotations, values.annotations);
            assert.deepEqual(templateManagers(ledger()), [fieldManagerIn(STACK), "helm"].sort(), "the shared manager is gone");
            const again = await s.stack.preview({ color: "never", refresh: true });
            assert.deepEqual(changingOps(again.changeSummary), [], JSON.stringify(again.changeSummary));
        });
    });
});
