// Drift in our words, the pure part: from a live workload's managedFields, which of our declared pod-template fields
// another manager has taken, and what preview says about them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    describeOtherComponents,
    describeTakenFields,
    type LiveWorkload,
    type ManagedFieldsEntry,
    otherComponentManagers,
    takenFields,
} from "../../provider/index";

/** This component's own field manager; the shared one is what every component applied as before each had its own. */
const OURS = "sidecar-bypass:infra/prod/platform";
const SHARED = "sidecar-bypass";
const TEAM = "sidecar-bypass:shop/dev/team";
const EXCLUDE_IN = "traffic.sidecar.istio.io/excludeInboundPorts";
const EXCLUDE_OUT = "traffic.sidecar.istio.io/excludeOutboundPorts";
const HASH = "sidecar-bypass.io/rollout-hash";
const KUMA_LABEL = "sidecar-bypass.io/workload";

/** A managedFields entry owning these pod-template annotation and label keys. */
function owns(manager: string, operation: string, annotations: string[], labels: string[] = [], extra: Partial<ManagedFieldsEntry> = {}): ManagedFieldsEntry {
    const keys = (ks: string[]) => Object.fromEntries(ks.map((k) => [`f:${k}`, {}]));
    return {
        manager,
        operation,
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:template": { "f:metadata": { "f:annotations": { ".": {}, ...keys(annotations) }, "f:labels": keys(labels) } } } },
        ...extra,
    };
}

const planned = {
    annotations: { [EXCLUDE_IN]: "7001,7002", [EXCLUDE_OUT]: "25", [HASH]: "abc" },
    labels: { [KUMA_LABEL]: "deployment.orders" },
};

describe("takenFields", () => {
    it("lists a field another manager took with another value: who, how, their value and ours", () => {
        const live: LiveWorkload = {
            managedFields: [
                owns("helm", "Apply", ["example.com/chart-owned"], ["app"]),
                owns(OURS, "Apply", [EXCLUDE_OUT, HASH], [KUMA_LABEL]),
                owns("kubectl-patch", "Update", [EXCLUDE_IN]),
            ],
            templateAnnotations: { [EXCLUDE_IN]: "7001", [EXCLUDE_OUT]: "25", [HASH]: "abc", "example.com/chart-owned": "demo" },
            templateLabels: { app: "orders", [KUMA_LABEL]: "deployment.orders" },
        };
        assert.deepEqual(takenFields(live, planned, OURS), [
            { kind: "annotation", key: EXCLUDE_IN, manager: "kubectl-patch", operation: "Update", theirs: "7001", ours: "7001,7002" },
        ]);
    });

    it("does not list a field shared with the same value, one no other manager owns, or other managers' own fields", () => {
        const live: LiveWorkload = {
            managedFields: [owns("ops-team", "Apply", [EXCLUDE_IN, "ops.example.com/note"]), owns(OURS, "Apply", [EXCLUDE_IN, EXCLUDE_OUT, HASH])],
            templateAnnotations: { [EXCLUDE_IN]: "7001,7002", [EXCLUDE_OUT]: "80", [HASH]: "old", "ops.example.com/note": "x" },
        };
        assert.deepEqual(takenFields(live, planned, OURS), [], "ours alone own the fields whose value differs; ops-team shares one with our value");
    });

    it("lists labels, and each manager of a field once, in the order planned", () => {
        const live: LiveWorkload = {
            managedFields: [
                owns("kubectl-label", "Update", [], [KUMA_LABEL]),
                owns("gitops", "Apply", [HASH, EXCLUDE_OUT]),
                owns("kubectl-edit", "Update", [EXCLUDE_OUT]),
            ],
            templateAnnotations: { [EXCLUDE_OUT]: "26", [HASH]: "zzz" },
            templateLabels: { [KUMA_LABEL]: "hand-made" },
        };
        assert.deepEqual(
            takenFields(live, planned, OURS).map((t) => `${t.kind} ${t.key} ${t.manager} ${t.theirs}`),
            [
                `annotation ${EXCLUDE_OUT} gitops 26`,
                `annotation ${EXCLUDE_OUT} kubectl-edit 26`,
                `annotation ${HASH} gitops zzz`,
                `label ${KUMA_LABEL} kubectl-label hand-made`,
            ],
        );
    });

    it("ignores status subresource entries, other field formats, and workloads without managedFields", () => {
        const live: LiveWorkload = {
            managedFields: [
                owns("kube-controller-manager", "Update", [EXCLUDE_IN], [], { subresource: "status" }),
                owns("someone", "Update", [EXCLUDE_IN], [], { fieldsType: "FieldsV2" }),
                { manager: "no-fields", operation: "Update" },
            ],
            templateAnnotations: { [EXCLUDE_IN]: "1" },
        };
        assert.deepEqual(takenFields(live, planned, OURS), []);
        assert.deepEqual(takenFields({}, planned, OURS), []);
    });

    it("still names a field whose owner removed its value", () => {
        const [t] = takenFields({ managedFields: [owns("kubectl-patch", "Update", [EXCLUDE_IN])], templateAnnotations: {} }, planned, OURS);
        assert.equal(t.theirs, undefined);
        assert.match(describeTakenFields("Deployment/shop/orders", [t], false), /their value \(none\), ours '7001,7002'/);
    });
});

describe("describeTakenFields", () => {
    const taken = takenFields(
        {
            managedFields: [owns("kubectl-patch", "Update", [EXCLUDE_IN]), owns("ops-team", "Apply", [EXCLUDE_OUT])],
            templateAnnotations: { [EXCLUDE_IN]: "7001", [EXCLUDE_OUT]: "26" },
        },
        planned,
        OURS,
    );

    it("without takeOwnership: the workload, each field, who took it and how, both values, and the opt-in (never the default)", () => {
        const m = describeTakenFields("Deployment/shop/orders", taken, false);
        assert.match(m, /^sidecar-bypass: Deployment\/shop\/orders: 2 fields this component declares are now managed by 'kubectl-patch', 'ops-team'/);
        assert.match(m, /its patch would conflict and was not sent \(nothing of it was written\)/);
        assert.match(
            m,
            /pod-template annotation traffic\.sidecar\.istio\.io\/excludeInboundPorts: taken by 'kubectl-patch' \(an update: kubectl patch, edit or annotate, or a controller\); their value '7001', ours '7001,7002'/,
        );
        assert.match(m, /excludeOutboundPorts: taken by 'ops-team' \(server-side apply\); their value '26', ours '25'/);
        assert.match(m, /set takeOwnership: true .*it is never the default/);
    });

    it("with takeOwnership: what will be taken back, from whom", () => {
        const m = describeTakenFields("Deployment/shop/orders", taken.slice(0, 1), true);
        assert.match(m, /^takeOwnership: taking back from 'kubectl-patch' on Deployment\/shop\/orders/);
        assert.match(m, /their value '7001', ours '7001,7002'/);
        assert.doesNotMatch(m, /was not sent/);
    });
});

describe("another component on the same workload", () => {
    it("is found by its manager when it owns any pod-template annotation or label, whatever the values", () => {
        const live: LiveWorkload = {
            managedFields: [
                owns("helm", "Apply", ["example.com/chart-owned"]),
                owns(TEAM, "Apply", [EXCLUDE_OUT], [KUMA_LABEL]),
                owns(OURS, "Apply", [EXCLUDE_IN]),
            ],
            templateAnnotations: { [EXCLUDE_IN]: "7001,7002", [EXCLUDE_OUT]: "25" },
        };
        assert.deepEqual(otherComponentManagers(live, OURS), [TEAM]);
        assert.deepEqual(otherComponentManagers(live, TEAM), [OURS]);
        // The refusal covers it; it is not also listed as a taken field.
        assert.deepEqual(takenFields({ ...live, templateAnnotations: { [EXCLUDE_OUT]: "80" } }, planned, OURS), []);
    });

    it("is not found in the shared manager, in other tools, or in a component's fields outside the pod template", () => {
        const elsewhere: ManagedFieldsEntry = { manager: TEAM, operation: "Apply", fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:x": {} } } };
        const live: LiveWorkload = { managedFields: [owns(SHARED, "Apply", [EXCLUDE_IN]), owns("kubectl-patch", "Update", [EXCLUDE_OUT]), elsewhere] };
        assert.deepEqual(otherComponentManagers(live, OURS), []);
    });

    it("is refused in words that name the workload, the component, its stack and project, and what to do", () => {
        const m = describeOtherComponents("Deployment/shop/orders", [TEAM]);
        assert.match(
            m,
            /^sidecar-bypass: Deployment\/shop\/orders is already managed by the sidecar-bypass component 'team' of stack 'dev' \(project 'shop'\)/,
        );
        assert.match(m, /patch was not sent \(nothing of it was written\)/);
        assert.match(m, /remove the workload from it and run that stack's up first/);
    });
});

describe("the shared manager of earlier versions (a stack that migrates)", () => {
    it("holds fields with our values without a conflict, so an up that changes no rule moves them", () => {
        const live: LiveWorkload = { managedFields: [owns(SHARED, "Apply", [EXCLUDE_IN, EXCLUDE_OUT, HASH])], templateAnnotations: planned.annotations };
        assert.deepEqual(takenFields(live, planned, OURS), []);
    });

    it("with other values, is named as the shared manager, and preview says how to migrate", () => {
        const live: LiveWorkload = {
            managedFields: [owns(SHARED, "Apply", [EXCLUDE_IN, EXCLUDE_OUT, HASH])],
            templateAnnotations: { ...planned.annotations, [EXCLUDE_IN]: "7001" },
        };
        const taken = takenFields(live, planned, OURS);
        assert.deepEqual(
            taken.map((t) => [t.key, t.manager]),
            [[EXCLUDE_IN, SHARED]],
        );
        const m = describeTakenFields("Deployment/shop/orders", taken, false);
        assert.match(m, /taken by 'sidecar-bypass' \(the field manager every sidecar-bypass component shared before each had its own\)/);
        assert.match(m, /an up that changes no rule moves its fields to this component's manager without a rollout/);
    });
});
