// A mesh is one adapter object: the registry's adapters are complete, and an adapter of the caller's plugs in end
// to end (validation's guardrails, rendering, cluster objects, notices, the record) with nothing else changed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { BypassValidationError, MESHES, type MeshAdapter, type MeshRegistry, type PlanArgs, planBypass, type Rendered } from "../../provider/index";
import { summaryMarkdown } from "../../provider/src/plan/describe";
import { extensionOf, scopeExtension } from "../../provider/src/rules/meshTraits";
import { joinValues } from "../../provider/src/rules/valueKinds";
import { invalid } from "../helpers/builders";
import { FIXED_NOW } from "../helpers/clock";

/** The pretend mesh's own scope rule: a route to one host, which it writes as an object per scope that sets one. */
const route = scopeExtension("toyRoute", z.strictObject({ to: z.string() }), (parsed, path, issues) => {
    if (parsed.to.includes(" ")) issues.error(`${path}.to`, "a host has no spaces");
    return { to: parsed.to.toLowerCase() };
});

/** A pretend mesh: its sidecar listens on 7777, it writes one annotation and one label, and needs one object. */
const toy: MeshAdapter<undefined, "toy"> = {
    id: "toy",
    displayName: "Toy",
    sidecarPorts: new Map([[7777, "proxy"]]),
    annotationKeys: ["toy.example/skip-in"],
    labelKeys: ["toy.example/out"],
    render: ({ effective }) => {
        const out: Rendered = { annotations: {}, labels: {}, notes: [] };
        const field = effective.fields["inbound.excludePorts"];
        const ports = field && joinValues(field.values);
        if (ports) out.annotations["toy.example/skip-in"] = ports;
        if (effective.fullBypass?.active) out.labels["toy.example/out"] = "yes";
        if (effective.fields["outbound.excludeIpRanges"]) out.notes.push("Toy has no address rules");
        return out;
    },
    scopeExtension: route,
    objects: (rules, _settings, name) => [
        { apiVersion: "toy.example/v1", kind: "ToyPolicy", metadata: { name: `${name}-toy` }, spec: { on: true }, scope: "global", patch: false },
        ...[rules.global, ...rules.namespaces.values(), ...rules.workloads].flatMap((scope) => {
            const r = extensionOf(route, scope);
            return r
                ? [{ apiVersion: "toy.example/v1", kind: "ToyRoute", metadata: { name: `${name}-route` }, spec: r, scope: scope.ref.label, patch: false }]
                : [];
        }),
    ],
    notices: () => ["Toy: written as annotations"],
};

const registry = { toy } satisfies MeshRegistry;
const args = (extra: Partial<PlanArgs<typeof registry>> = {}): PlanArgs<typeof registry> => ({
    meshes: ["toy"],
    workloads: [{ kind: "Deployment", namespace: "shop", name: "web", inbound: { excludePorts: [8080] }, outbound: { excludeIpRanges: ["192.0.2.0/24"] } }],
    ...extra,
});

describe("mesh registry", () => {
    it("has one adapter per Mesh value, each under its own id, with a display name and its keys", () => {
        for (const [id, adapter] of Object.entries(MESHES)) {
            assert.equal(adapter.id, id);
            assert.ok(adapter.displayName.length > 0);
            assert.ok(adapter.annotationKeys.length + adapter.labelKeys.length > 0, `${id} owns no pod-template key`);
        }
    });

    it("plugs a new adapter in end to end", () => {
        const plan = planBypass(args(), { registry, now: FIXED_NOW, name: "demo" });
        const [w] = plan.workloads;
        assert.deepEqual(plan.meshes, ["toy"]);
        assert.equal(w.annotations["toy.example/skip-in"], "8080");
        assert.ok(w.hash, "the rollout hash covers the new mesh's keys");
        assert.deepEqual(
            plan.objects.toy?.map((o) => o.kind),
            ["ToyPolicy"],
        );
        assert.deepEqual(plan.notices, ["Toy: written as annotations"]);
        assert.ok(plan.warnings.some((x) => x.message.startsWith("Toy has no address rules")));
        assert.equal(plan.namespaces[0].configMapData.meshes, "toy\n");
    });

    it("applies the new mesh's sidecar-port guardrail and knows only the registry's mesh names", () => {
        const refused = (a: PlanArgs<typeof registry>) => {
            try {
                planBypass(a, { registry });
            } catch (e) {
                if (e instanceof BypassValidationError) return e.issues.map((i) => `${i.path}: ${i.message}`);
                throw e;
            }
            return [];
        };
        assert.match(refused(args({ global: { inbound: { excludePorts: [7777] } } })).join("\n"), /global\.inbound\.excludePorts: port 7777 is Toy's proxy/);
        // With only the toy registry, Istio is not a mesh this planner knows.
        assert.match(refused(args({ meshes: invalid(["istio"]) })).join("\n"), /meshes\[0\]/);
    });

    it("takes a scope rule of the new mesh's own: parsed, checked and normalised by it, carried to its objects, named in the summary", () => {
        const plan = planBypass(args({ namespaces: [{ name: "shop", toyRoute: { to: "Example.COM" } } as never] }), { registry, now: FIXED_NOW, name: "demo" });
        assert.deepEqual(
            plan.objects.toy?.map((o) => [o.kind, o.scope, o.spec]),
            [
                ["ToyPolicy", "global", { on: true }],
                ["ToyRoute", "namespace/shop", { to: "example.com" }],
            ],
        );
        assert.match(summaryMarkdown(plan, { registry }), /Toy/);
        assert.doesNotMatch(summaryMarkdown(plan, { registry }), /\btoy\b: /, "the mesh's display name, not its id");
        const refusedWith = (scope: object) => {
            try {
                planBypass(args({ global: scope as never }), { registry });
            } catch (e) {
                if (e instanceof BypassValidationError) return e.issues.map((i) => `${i.path}: ${i.message}`).join("\n");
                throw e;
            }
            return "";
        };
        assert.match(refusedWith({ toyRoute: { to: "a b" } }), /global\.toyRoute\.to: a host has no spaces/);
        assert.match(refusedWith({ toyRoute: { too: "x" } }), /global\.toyRoute\.too: unknown field 'too'; did you mean 'to'\?/);
        assert.match(refusedWith({ toyRoutes: {} }), /global\.toyRoutes: unknown field 'toyRoutes'; did you mean 'toyRoute'\?/);
    });
});
