import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Mesh, type PlainBypassArgs, parseIstioInjectorValues, planBypass } from "../../provider/index";
import { bypassArgs, type PlainWorkloadOptions, workload } from "../helpers/builders";
import { FIXED_NOW } from "../helpers/clock";
import { designExample } from "../helpers/examples";
import { matchSnapshot } from "../helpers/snapshot";

const one = (meshes: Mesh[], rules: PlainWorkloadOptions, extra: Partial<PlainBypassArgs> = {}) =>
    planBypass(bypassArgs({ meshes, workloads: [workload("Deployment", "team-a", "web", rules)], ...extra }), { now: FIXED_NOW });

describe("renderIstio", () => {
    it("writes comma-joined canonical lists without spaces", () => {
        const p = one(["istio"], {
            inbound: { excludePorts: [8081, 8080, 8080] },
            outbound: { excludeIpRanges: ["198.51.100.9", "192.0.2.0/24", "2001:db8::/32"] },
        });
        assert.equal(p.workloads[0].annotations["traffic.sidecar.istio.io/excludeInboundPorts"], "8080,8081");
        assert.equal(p.workloads[0].annotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"], "192.0.2.0/24,198.51.100.9/32,2001:db8::/32");
    });
    it("writes * only for includeAll", () => {
        const a = one(["istio"], { inbound: { includeAllPorts: true }, outbound: { includeAllIpRanges: true } }).workloads[0].annotations;
        assert.equal(a["traffic.sidecar.istio.io/includeInboundPorts"], "*");
        assert.equal(a["traffic.sidecar.istio.io/includeOutboundIPRanges"], "*");
    });
    it("writes an explicit empty list as an empty annotation (Istio: capture nothing)", () => {
        assert.equal(one(["istio"], { outbound: { includeIpRanges: [] } }).workloads[0].annotations["traffic.sidecar.istio.io/includeOutboundIPRanges"], "");
    });
    it("merges with stated install defaults so the list stays complete", () => {
        const p = one(
            ["istio"],
            { outbound: { excludeIpRanges: ["192.0.2.0/24"], inherit: "merge" } },
            { istio: { installDefaults: { excludeIPRanges: "10.0.0.0/8" } } },
        );
        assert.equal(p.workloads[0].annotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"], "10.0.0.0/8,192.0.2.0/24");
    });
    it("a full bypass turns capture off in both directions", () => {
        const a = one(["istio"], { fullBypass: { enabled: true, acknowledged: true }, inbound: { excludePorts: [80] } }).workloads[0].annotations;
        assert.equal(a["traffic.sidecar.istio.io/includeInboundPorts"], "");
        assert.equal(a["traffic.sidecar.istio.io/includeOutboundIPRanges"], "");
        assert.equal(a["traffic.sidecar.istio.io/includeOutboundPorts"], "");
    });
    it("reports inbound excludes that an include list makes ineffective", () => {
        const p = one(["istio"], { inbound: { excludePorts: [80], includePorts: [8080] } });
        assert.ok(p.warnings.some((w) => /ignores inbound excludePorts/.test(w.message)));
    });
    it("reads install defaults from the injector ConfigMap's values", () => {
        const v = parseIstioInjectorValues(
            JSON.stringify({ global: { proxy: { excludeIPRanges: "10.0.0.0/8", includeInboundPorts: "*", statusPort: 15020 } } }),
        );
        assert.deepEqual(v, {
            includeIPRanges: undefined,
            excludeIPRanges: "10.0.0.0/8",
            includeInboundPorts: "*",
            excludeInboundPorts: undefined,
            includeOutboundPorts: undefined,
            excludeOutboundPorts: undefined,
            statusPort: 15020,
        });
        assert.throws(() => parseIstioInjectorValues("{"), /not JSON/);
    });
});

describe("renderKuma, renderKmesh, renderLinkerd, renderConsul", () => {
    const rules = { inbound: { excludePorts: [8080, 8081, 8082, 9000] }, outbound: { excludePorts: [5432], excludeIpRanges: ["192.0.2.0/24"] } };
    it("writes each mesh's own keys", () => {
        const a = one(["kuma", "linkerd", "consul"], rules).workloads[0].annotations;
        assert.equal(a["traffic.kuma.io/exclude-inbound-ports"], "8080,8081,8082,9000");
        assert.equal(a["traffic.kuma.io/exclude-outbound-ips"], "192.0.2.0/24");
        assert.equal(a["config.linkerd.io/skip-inbound-ports"], "8080-8082,9000");
        assert.equal(a["consul.hashicorp.com/transparent-proxy-exclude-outbound-ports"], "5432");
        assert.equal(a["consul.hashicorp.com/transparent-proxy-exclude-outbound-cidrs"], "192.0.2.0/24");
    });
    it("never writes Linkerd's skip-subnets for an outbound rule (it skips inbound traffic from those sources) and says why", () => {
        const p = one(["linkerd"], rules);
        const a = p.workloads[0].annotations;
        assert.equal(a["config.linkerd.io/skip-subnets"], undefined);
        assert.ok(!Object.keys(a).some((k) => /subnet/.test(k)), JSON.stringify(a));
        assert.equal(a["config.linkerd.io/skip-outbound-ports"], "5432");
        const w = p.warnings.find((x) => /Linkerd cannot exclude outbound destinations by address/.test(x.message));
        assert.ok(w, JSON.stringify(p.warnings));
        assert.match(w.message, /outbound\.excludePorts instead/);
    });
    it("labels a full-bypass workload for Kmesh", () => {
        assert.deepEqual(one(["kmesh"], { fullBypass: { enabled: true, acknowledged: true } }).workloads[0].labels, { "kmesh.net/bypass": "enabled" });
    });
    it("says what Kuma cannot express instead of emitting it", () => {
        const p = one(["kuma"], { outbound: { includePorts: [80] } });
        assert.deepEqual(p.workloads[0].annotations, {});
        assert.ok(p.warnings.some((w) => /Kuma has no per-pod outbound.includePorts/.test(w.message)));
    });
    it("renders the design example (snapshot)", () => {
        const p = planBypass(designExample(), { now: FIXED_NOW, name: "platform" });
        matchSnapshot("design-example-plan", {
            workloads: p.workloads.map((w) => ({ id: w.id, annotations: w.annotations, labels: w.labels })),
            namespaces: p.namespaces,
            kuma: p.objects.kuma,
            warnings: p.warnings,
        });
    });
});
