// The status command's judgement, the pure part: which pods are stale, why, and how --restart-stale replaces them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADMISSION_ANNOTATION, ROLLOUT_HASH_ANNOTATION } from "../../provider/index";
import { assessScope, assessWorkload, formatTable, type ObservedWorkload, selects } from "../../provider/src/status/assess";

const pod = (name: string, annotations: Record<string, string> = {}, createdAt?: string) => ({ name, annotations, ...(createdAt ? { createdAt } : {}) });
const hashed = (name: string, hash: string) => pod(name, { [ROLLOUT_HASH_ANNOTATION]: hash });
const workload = (extra: Partial<ObservedWorkload>): ObservedWorkload => ({
    kind: "Deployment",
    namespace: "shop",
    name: "cart",
    component: "platform",
    templateHash: "h2",
    rollingOut: false,
    pods: [hashed("cart-1", "h2")],
    ...extra,
});

describe("status: workloads a component lists", () => {
    it("a pod with the template's rollout hash is up to date", () => {
        const r = assessWorkload(workload({}));
        assert.deepEqual([r.subject, r.pods, r.stale, r.reasons, r.restart], ["Deployment/shop/cart", 1, [], [], "none"]);
    });

    it("names stale pods and why: OnDelete (evicted), paused (resume first), a rollout under way (wait), else restart", () => {
        const stale = [hashed("p-0", "h1"), hashed("p-1", "h2")];
        const onDelete = assessWorkload(workload({ kind: "StatefulSet", updateStrategy: "OnDelete", pods: stale }));
        assert.deepEqual([onDelete.stale, onDelete.restart], [["p-0"], "evict"]);
        assert.match(onDelete.reasons[0], /^OnDelete/);
        assert.equal(assessWorkload(workload({ paused: true, pods: stale })).restart, "resume-first");
        const rolling = assessWorkload(workload({ rollingOut: true, pods: stale }));
        assert.deepEqual([rolling.reasons, rolling.restart], [["rollout in progress"], "none"]);
        assert.equal(assessWorkload(workload({ pods: stale })).restart, "rollout-restart");
    });

    it("a workload without the component's patch has every pod stale", () => {
        const r = assessWorkload(workload({ templateHash: undefined }));
        assert.deepEqual(r.stale, ["cart-1"]);
        assert.match(r.reasons[0], /patch is not on the pod template/);
    });
});

describe("status: pods an admission policy reaches", () => {
    const scope = {
        policy: "sb-namespace-shop",
        component: "platform",
        namespace: "shop",
        mark: "sb-namespace-shop/abc",
        changedAt: "2026-12-06T10:00:00.000Z",
    };
    it("a pod with the policy's current mark is up to date; one created before the change, or not mutated, is stale", () => {
        const r = assessScope({
            ...scope,
            pods: [
                pod("fresh", { [ADMISSION_ANNOTATION]: "sb-namespace-shop/abc" }),
                pod("old", { [ADMISSION_ANNOTATION]: "sb-namespace-shop/000" }, "2026-12-06T09:00:00.000Z"),
                pod("missed", {}, "2026-12-06T11:00:00.000Z"),
            ],
        });
        assert.deepEqual(r.stale, ["old", "missed"]);
        assert.deepEqual(r.reasons, ["created before the rule", "not mutated at admission (the policy ignores its own failures: see the API server's log)"]);
        assert.equal(r.subject, "admission sb-namespace-shop");
    });

    it("prints a table like kubectl's", () => {
        const t = formatTable([assessWorkload(workload({})), assessScope({ ...scope, pods: [pod("old", {}, "2026-12-06T09:00:00.000Z")] })]);
        const [header, first, second] = t.split("\n");
        assert.match(header, /^NAMESPACE\s+WORKLOAD\s+COMPONENT\s+PODS\s+STALE\s+WHY$/);
        assert.match(first, /^shop\s+Deployment\/shop\/cart\s+platform\s+1\s+0\s+up to date$/);
        assert.match(second, /^shop\s+admission sb-namespace-shop\s+platform\s+1\s+1 of 1\s+created before the rule$/);
    });
});

describe("status: namespace selectors as the API server reads them", () => {
    it("matchLabels and In/NotIn/Exists/DoesNotExist", () => {
        const labels = { "kubernetes.io/metadata.name": "shop", team: "web" };
        assert.equal(selects({ matchLabels: { team: "web" } }, labels), true);
        assert.equal(selects({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["shop"] }] }, labels), true);
        assert.equal(
            selects({ matchLabels: { team: "web" }, matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["shop"] }] }, labels),
            false,
        );
        assert.equal(selects({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, labels), true);
        assert.equal(selects({ matchExpressions: [{ key: "tier", operator: "Exists" }] }, labels), false);
    });
});
