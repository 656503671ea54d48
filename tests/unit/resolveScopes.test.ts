import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type PlainBypassArgs, planBypass } from "../../provider/index";
import { bypassArgs, namespaceRules, workload } from "../helpers/builders";

const plan = (args: PlainBypassArgs) => planBypass(args);
/** Each value in force → the scopes it came from, joined with "+". */
const entries = (args: PlainBypassArgs, field: string, i = 0) =>
    Object.fromEntries(
        (plan(args).workloads[i].effective.fields as Record<string, { sources: Array<{ values: string[]; scopes: string[] }> }>)[field].sources.flatMap((g) =>
            g.values.map((v) => [v, g.scopes.join("+")]),
        ),
    );

describe("resolveScopes", () => {
    const base = bypassArgs({
        meshes: ["istio"],
        global: { outbound: { excludeIpRanges: ["169.254.169.254/32"], excludePorts: [25] } },
        namespaces: [namespaceRules("payments", { outbound: { excludePorts: [5432] } })],
    });
    it("lets the most specific scope that sets a field win (override)", () => {
        const p = plan({ ...base, workloads: [workload("Deployment", "payments", "ledger", { outbound: { excludeIpRanges: ["192.0.2.0/24"] } })] });
        const f = p.workloads[0].effective.fields;
        assert.deepEqual(f["outbound.excludeIpRanges"]!.sources, [{ values: ["192.0.2.0/24"], scopes: ["Deployment/payments/ledger"] }]);
        assert.deepEqual(f["outbound.excludePorts"]!.sources, [{ values: ["5432"], scopes: ["namespace/payments"] }]);
    });
    it("unions with what it overrides on merge, remembering where each value came from", () => {
        const args = bypassArgs({
            ...base,
            workloads: [workload("Deployment", "payments", "ledger", { outbound: { excludePorts: [8443, 5432], inherit: "merge" } })],
        });
        assert.deepEqual(entries(args, "outbound.excludePorts"), { 5432: "namespace/payments+Deployment/payments/ledger", 8443: "Deployment/payments/ledger" });
    });
    it("chains merges up to the global scope and attributes aggregated ranges to every contributor", () => {
        const args = bypassArgs({
            meshes: ["istio"],
            global: { outbound: { excludeIpRanges: ["192.0.2.0/25"] } },
            namespaces: [namespaceRules("payments", { outbound: { excludeIpRanges: ["192.0.2.128/25"], inherit: "merge" } })],
            workloads: [
                workload("Deployment", "payments", "ledger", { outbound: { excludeIpRanges: ["198.51.100.7"], inheritFields: { excludeIpRanges: "merge" } } }),
            ],
        });
        assert.deepEqual(entries(args, "outbound.excludeIpRanges"), {
            "192.0.2.0/24": "global+namespace/payments",
            "198.51.100.7/32": "Deployment/payments/ledger",
        });
    });
    it("per-field inheritance overrides the direction's default", () => {
        const args = bypassArgs({
            ...base,
            workloads: [
                workload("Deployment", "payments", "l", {
                    outbound: { excludePorts: [1], excludeIpRanges: ["192.0.2.1"], inherit: "merge", inheritFields: { excludeIpRanges: "override" } },
                }),
            ],
        });
        assert.deepEqual(Object.keys(entries(args, "outbound.excludePorts")), ["1", "5432"]);
        assert.deepEqual(Object.keys(entries(args, "outbound.excludeIpRanges")), ["192.0.2.1/32"]);
    });
    it("a namespace can cancel a global full bypass", () => {
        const p = plan({
            meshes: ["kmesh"],
            global: { fullBypass: { enabled: true, acknowledged: true } },
            namespaces: [{ name: "prod", fullBypass: { enabled: false } }],
            workloads: [
                { kind: "Deployment", namespace: "prod", name: "a" },
                { kind: "Deployment", namespace: "dev", name: "b" },
            ],
        });
        assert.deepEqual(
            p.workloads.map((w) => w.labels),
            [{}, { "kmesh.net/bypass": "enabled" }],
        );
    });
    it("workloads that set nothing share their namespace's result", () => {
        const p = plan({
            ...base,
            workloads: [
                { kind: "Deployment", namespace: "payments", name: "a" },
                { kind: "DaemonSet", namespace: "payments", name: "b" },
            ],
        });
        assert.equal(p.workloads[0].effective, p.workloads[1].effective);
        assert.ok(p.workloads[0].inheritsNamespace);
    });
});
