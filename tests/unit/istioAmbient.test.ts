import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BypassValidationError, IstioDataplaneMode, type PlainBypassArgs, planBypass } from "../../provider/index";
import { invalid, type PlainWorkloadOptions } from "../helpers/builders";

const workload = { kind: "Deployment" as const, namespace: "shop", name: "cart" };
const ambient = (rules: PlainWorkloadOptions, extra: Partial<PlainBypassArgs> = {}) =>
    planBypass({ meshes: ["istio"], istio: { dataplaneMode: IstioDataplaneMode.Ambient }, workloads: [{ ...workload, ...rules }], ...extra });

describe("Istio ambient mode (istio.dataplaneMode: ambient)", () => {
    it("takes a fully bypassed pod out with the istio.io/dataplane-mode: none label, and writes no sidecar annotation", () => {
        const w = ambient({ fullBypass: { enabled: true, acknowledged: true } }).workloads[0];
        assert.deepEqual(w.labels, { "istio.io/dataplane-mode": "none" });
        assert.ok(!Object.keys(w.annotations).some((k) => k.startsWith("traffic.sidecar.istio.io/")), JSON.stringify(w.annotations));
    });

    it("reports port and range rules, which ambient does not read, instead of writing them", () => {
        const p = ambient({ inbound: { excludePorts: [9000] }, outbound: { excludeIpRanges: ["203.0.113.0/24"] } });
        assert.deepEqual(p.workloads[0].annotations, {});
        const w = p.warnings.find((x) => /ambient mode has no sidecar/.test(x.message));
        assert.ok(w, JSON.stringify(p.warnings));
        assert.match(w.message, /inbound\.excludePorts, outbound\.excludeIpRanges/);
    });

    it("leaves the sidecar default as it was", () => {
        const p = planBypass({ meshes: ["istio"], workloads: [{ ...workload, fullBypass: { enabled: true, acknowledged: true } }] });
        assert.deepEqual(p.workloads[0].labels, {});
        assert.equal(p.workloads[0].annotations["traffic.sidecar.istio.io/includeInboundPorts"], "");
    });

    it("refuses an unknown mode, naming the field", () => {
        assert.throws(
            () => planBypass({ meshes: ["istio"], istio: { dataplaneMode: invalid<IstioDataplaneMode>("waypoint") } }),
            (e: unknown) =>
                e instanceof BypassValidationError && e.issues.some((i) => i.path === "istio.dataplaneMode" && /sidecar or ambient/.test(i.message)),
        );
    });
});
