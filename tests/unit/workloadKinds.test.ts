// The workload kinds: where each keeps its pod template, what a template change does to its pods, and what preview and
// the status command say of the kinds that do not simply roll (CronJob) or that a CRD serves (Argo Rollout).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { atTemplate, planBypass, ROLLOUT_HASH_ANNOTATION, takenFields, templateOf, WORKLOAD_KINDS } from "../../provider/index";
import { workloadKindProblems } from "../../provider/src/plan/clusterApis";
import { kindNotices } from "../../provider/src/plan/podReplacement";
import { assessWorkload } from "../../provider/src/status/assess";

describe("workload kinds", () => {
    it("place the pod template where the API keeps it, and read it back from there", () => {
        const meta = { metadata: { annotations: { a: "1" } } };
        assert.deepEqual(atTemplate("CronJob", meta), { spec: { jobTemplate: { spec: { template: meta } } } });
        assert.deepEqual(atTemplate("Rollout", meta), { spec: { template: meta } });
        for (const kind of Object.keys(WORKLOAD_KINDS) as (keyof typeof WORKLOAD_KINDS)[]) {
            assert.deepEqual(templateOf(kind, atTemplate(kind, meta)), meta, kind);
        }
        // In a managedFields trie each step is prefixed "f:".
        assert.deepEqual(templateOf("CronJob", { "f:spec": { "f:jobTemplate": { "f:spec": { "f:template": { x: {} } } } } }, "f:"), { x: {} });
    });

    it("a CronJob's fields another manager took are found at its deeper template", () => {
        const key = "traffic.sidecar.istio.io/excludeInboundPorts";
        const trie = { "f:spec": { "f:jobTemplate": { "f:spec": { "f:template": { "f:metadata": { "f:annotations": { [`f:${key}`]: {} } } } } } } };
        const live = {
            managedFields: [{ manager: "kubectl-patch", operation: "Update", fieldsType: "FieldsV1", fieldsV1: trie }],
            templateAnnotations: { [key]: "9" },
            templatePath: WORKLOAD_KINDS.CronJob.templatePath,
        };
        const taken = takenFields(live, { annotations: { [key]: "7001" }, labels: {} }, "sidecar-bypass:p/s/c");
        assert.deepEqual(
            taken.map((t) => [t.key, t.manager, t.theirs]),
            [[key, "kubectl-patch", "9"]],
        );
        // Read at a Deployment's path, the same trie owns nothing.
        assert.deepEqual(takenFields({ ...live, templatePath: undefined }, { annotations: { [key]: "7001" }, labels: {} }, "sidecar-bypass:p/s/c"), []);
    });

    it("preview says a CronJob's change reaches its next Job, and that up does not await an Argo Rollout", () => {
        const plan = planBypass(
            {
                meshes: ["istio"],
                admission: { mode: "off" },
                workloads: [
                    { kind: "CronJob", namespace: "ops", name: "backup", outbound: { excludePorts: [5432] } },
                    { kind: "Rollout", namespace: "shop", name: "web", inbound: { excludePorts: [8081] } },
                ],
            },
            { name: "sb" },
        );
        assert.ok(plan.notices.some((n) => /^CronJob\/ops\/backup: a CronJob's change reaches the next Job it starts/.test(n)));
        assert.ok(plan.notices.some((n) => /^Rollout\/shop\/web: Argo Rollouts' controller rolls a Rollout .* up does not wait for it/.test(n)));
        assert.deepEqual(kindNotices([{ id: "Deployment/a/b", kind: "Deployment" }]), []);
    });

    it("a listed Rollout on a cluster without Argo Rollouts' CRD is refused, naming the workload and what to install", () => {
        const apis = { reachable: true, served: [], customKinds: [] };
        const [problem, ...rest] = workloadKindProblems(
            [
                { id: "Rollout/shop/web", kind: "Rollout" },
                { id: "Deployment/shop/cart", kind: "Deployment" },
            ],
            apis,
        );
        assert.equal(rest.length, 0);
        assert.match(
            problem,
            /^workloads: Rollout\/shop\/web: the cluster does not serve argoproj\.io\/v1alpha1 Rollout \(Argo Rollouts' CRD is not installed\)/,
        );
        assert.deepEqual(workloadKindProblems([{ id: "Rollout/shop/web", kind: "Rollout" }], { ...apis, customKinds: ["Rollout"] }), []);
        assert.deepEqual(workloadKindProblems([{ id: "Rollout/shop/web", kind: "Rollout" }], { ...apis, reachable: false }), []);
    });

    it("status: a CronJob's pods of an older Job are stale until the next Job, never restarted", () => {
        const r = assessWorkload({
            kind: "CronJob",
            namespace: "ops",
            name: "backup",
            component: "platform",
            templateHash: "h2",
            rollingOut: false,
            pods: [{ name: "backup-1-x", annotations: { [ROLLOUT_HASH_ANNOTATION]: "h1" } }],
        });
        assert.deepEqual([r.stale, r.restart], [["backup-1-x"], "none"]);
        assert.match(r.reasons[0], /the next Job the schedule starts gets it/);
    });
});
