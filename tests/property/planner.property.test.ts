// A planner is a value: every note, warning and cache belongs to one call, so planning twice, planning workloads one
// by one first, or planning them in another order gives the same answers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BypassPlanner, BypassValidationError, type PlainBypassArgs, type WorkloadPlan } from "../../provider/index";
import { RUNS, validArgs } from "../helpers/arbitraries";
import { FIXED_NOW } from "../helpers/clock";

function plannerOf(args: PlainBypassArgs): BypassPlanner | undefined {
    try {
        const planner = new BypassPlanner(args, { now: FIXED_NOW });
        planner.plan();
        return planner;
    } catch (e) {
        if (e instanceof BypassValidationError) return undefined;
        throw e;
    }
}

describe("BypassPlanner is a value", () => {
    it("plans the same twice, and after any planWorkload calls in any order", () => {
        fc.assert(
            fc.property(validArgs, fc.nat(), (args, seed) => {
                const planner = plannerOf(args);
                if (!planner) return;
                const first = JSON.stringify(planner.plan());
                const identities = args.workloads?.map(({ kind, namespace, name }) => ({ kind, namespace, name })) ?? [];
                const order = identities.map((w, i) => ({ w, k: (i * 7919 + seed) % (identities.length + 1) })).sort((a, b) => a.k - b.k);
                const one = order.map(({ w }) => JSON.stringify(planner.planWorkload(w)));
                const again = order.map(({ w }) => JSON.stringify(planner.planWorkload(w)));
                assert.deepEqual(again, one);
                assert.equal(JSON.stringify(planner.plan()), first);
                // The same workload planned alone equals its entry in the whole plan.
                const whole = new Map(planner.plan().workloads.map((w) => [w.id, w]));
                for (const { w } of order) {
                    const alone: WorkloadPlan = planner.planWorkload(w);
                    assert.deepEqual(JSON.parse(JSON.stringify(alone)), JSON.parse(JSON.stringify(whole.get(alone.id))));
                }
            }),
            { numRuns: Math.min(RUNS, 100) },
        );
    });

    it("reports a mesh's note once per workload however often it plans", () => {
        // Kuma reads user ids as 16-bit numbers: a note names the workload whose larger id it does not write.
        const planner = new BypassPlanner({
            meshes: ["kuma"],
            workloads: [{ kind: "Deployment", namespace: "shop", name: "cart", outbound: { excludeUids: [{ uids: [70000] }] } }],
        });
        const warnings = () => planner.plan().warnings.map((w) => w.message);
        const first = warnings();
        assert.ok(
            first.some((m) => m.endsWith("(Deployment/shop/cart)")),
            first.join("\n"),
        );
        assert.deepEqual(warnings(), first);
        assert.ok(!warnings().some((m) => /and \d+ more/.test(m)));
    });
});
