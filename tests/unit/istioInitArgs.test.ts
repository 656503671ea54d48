import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BypassPlanner, type PlainBypassArgs } from "../../provider/index";
import { bypassArgs } from "../helpers/builders";
import { istioInitArgs } from "../helpers/istioInitArgs";

describe("istioInitArgs (the plan's prediction of istio-init's flags)", () => {
    const install = (extra: Partial<PlainBypassArgs> = {}) => new BypassPlanner(bypassArgs(extra)).rules.settings.istio;
    it("uses the Helm defaults where nothing is annotated, with 15090, 15021 and the status port in -d", () => {
        assert.deepEqual(istioInitArgs({}, install()), { i: "*", x: "", b: "*", d: "15090,15021,15020" });
    });
    it("appends the status port unless listed or 0, and passes -q/-o only when set", () => {
        const a = { "traffic.sidecar.istio.io/excludeInboundPorts": "8080,15020", "traffic.sidecar.istio.io/excludeOutboundPorts": "" };
        assert.deepEqual(istioInitArgs(a, install()), { i: "*", x: "", b: "*", d: "15090,15021,8080,15020", o: "" });
        assert.equal(istioInitArgs({}, install({ istio: { installDefaults: { statusPort: 0 } } })).d, "15090,15021");
        assert.equal(istioInitArgs({}, install({ istio: { installDefaults: { excludeOutboundPorts: "25" } } })).o, "25");
    });
});
