// Which workloads a template change does not roll, and what preview says of them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planBypass } from "../../provider/index";
import { describeUnreplaced, templateChanges, unreplacedReason } from "../../provider/src/plan/podReplacement";

describe("pods a template change does not replace", () => {
    it("names OnDelete StatefulSets and DaemonSets and paused Deployments, each with what up then does", () => {
        assert.match(unreplacedReason("StatefulSet", { updateStrategy: { type: "OnDelete" } }) ?? "", /OnDelete.*up reports it ready without replacing a pod/);
        assert.match(unreplacedReason("DaemonSet", { updateStrategy: { type: "OnDelete" } }) ?? "", /OnDelete.*up waits for rollout\.timeoutSeconds and fails/);
        assert.match(unreplacedReason("Deployment", { paused: true }) ?? "", /paused.*kubectl rollout resume/);
    });

    it("says nothing of workloads that roll", () => {
        assert.equal(unreplacedReason("StatefulSet", { updateStrategy: { type: "RollingUpdate" } }), undefined);
        assert.equal(unreplacedReason("StatefulSet", {}), undefined);
        assert.equal(unreplacedReason("DaemonSet", undefined), undefined);
        assert.equal(unreplacedReason("Deployment", { paused: false }), undefined);
        // A Deployment has no OnDelete strategy; the field would be refused by the API server anyway.
        assert.equal(unreplacedReason("Deployment", { updateStrategy: { type: "OnDelete" } }), undefined);
    });

    it("counts a change only where a planned key differs from the live one", () => {
        const planned = { annotations: { a: "1", h: "x" }, labels: { l: "v" } };
        assert.equal(templateChanges(planned, { annotations: { a: "1", h: "x", other: "y" }, labels: { l: "v" } }), false);
        assert.equal(templateChanges(planned, { annotations: { a: "1", h: "y" }, labels: { l: "v" } }), true);
        assert.equal(templateChanges(planned, { annotations: { a: "1", h: "x" } }), true);
        assert.equal(templateChanges({ annotations: {}, labels: {} }, {}), false);
    });

    it("says which workload, that its pods keep their old rules, and why", () => {
        const m = describeUnreplaced("StatefulSet/vault/vault", unreplacedReason("StatefulSet", { updateStrategy: { type: "OnDelete" } }) ?? "");
        assert.match(m, /^sidecar-bypass: StatefulSet\/vault\/vault: this change reaches its pod template, but its running pods will not be replaced/);
        assert.match(m, /keep their old rules until they are re-created: its updateStrategy is OnDelete/);
    });
});

describe("rollout.replaceOnDeletePods", () => {
    const workloads = [
        { kind: "StatefulSet" as const, namespace: "vault", name: "vault" },
        { kind: "DaemonSet" as const, namespace: "ops", name: "agent" },
        { kind: "Deployment" as const, namespace: "shop", name: "cart" },
    ];

    it("is off by default; on, it covers the listed StatefulSets and DaemonSets, and a workload's own setting wins", () => {
        assert.deepEqual(planBypass({ meshes: ["istio"], workloads }, { name: "sb" }).replaceOnDelete, []);
        const on = planBypass({ meshes: ["istio"], workloads, rollout: { replaceOnDeletePods: true } }, { name: "sb" });
        assert.deepEqual(on.replaceOnDelete, ["StatefulSet/vault/vault", "DaemonSet/ops/agent"]);
        const but = planBypass(
            {
                meshes: ["istio"],
                workloads: [
                    { ...workloads[0], replaceOnDeletePods: false },
                    { ...workloads[1], replaceOnDeletePods: true },
                ],
            },
            { name: "sb" },
        );
        assert.deepEqual(but.replaceOnDelete, ["DaemonSet/ops/agent"]);
    });

    it("refuses it on a kind that replaces its pods itself, naming the field", () => {
        assert.throws(
            () => planBypass({ meshes: ["istio"], workloads: [{ ...workloads[2], replaceOnDeletePods: true }] }, { name: "sb" }),
            /workloads\[0\]\.replaceOnDeletePods: applies to StatefulSets and DaemonSets, whose updateStrategy may be OnDelete; a Deployment's controller replaces its pods itself/,
        );
    });
});
