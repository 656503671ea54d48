// The plan is the API other tools consume, so it is plain data: JSON keeps all of it and gives it back unchanged.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BypassValidationError, planBypass } from "../../provider/index";
import { validArgs } from "../helpers/arbitraries";
import { bypassArgs, workload } from "../helpers/builders";
import { FIXED_NOW } from "../helpers/clock";
import { designExample, kumaEverywhere, kumaThree } from "../helpers/examples";

const roundTrips = (plan: unknown) => assert.deepStrictEqual(JSON.parse(JSON.stringify(plan)), plan);

describe("the plan as plain data", () => {
    it("round-trips through JSON for the design example and the Kuma examples", () => {
        for (const args of [designExample(), kumaEverywhere(), kumaThree()]) roundTrips(planBypass(args, { now: FIXED_NOW }));
    });

    it("round-trips with IPv6 ranges, merged provenance and an expired full bypass", () => {
        const plan = planBypass(
            bypassArgs({
                meshes: ["istio", "consul", "kmesh"],
                global: { outbound: { excludeIpRanges: ["2001:db8::/48", "192.0.2.0/24"] } },
                workloads: [
                    workload("Deployment", "shop", "web", { outbound: { excludeIpRanges: ["198.51.100.7"], inherit: "merge" } }),
                    workload("StatefulSet", "shop", "db", { fullBypass: { enabled: true, acknowledged: true, expires: "2026-01-01T00:00:00Z" } }),
                ],
            }),
            { now: FIXED_NOW },
        );
        roundTrips(plan);
    });

    it("round-trips for generated rule sets", () => {
        fc.assert(
            fc.property(validArgs, (args) => {
                try {
                    roundTrips(planBypass(args, { now: FIXED_NOW }));
                } catch (e) {
                    if (!(e instanceof BypassValidationError)) throw e;
                }
            }),
            { numRuns: 200 },
        );
    });
});
