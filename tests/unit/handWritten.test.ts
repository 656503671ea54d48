// Hand-written bypass keys judged as the component would judge the same rules declared: each mesh reads its own keys
// back, and validation and planning say what is refused (naming the key), what has no effect, and what the
// component would write instead. What the policy pack reports comes from here.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { judgeHandWritten } from "../../provider/index";

const web = { kind: "Deployment" as const, namespace: "shop", name: "web" };
const judge = (annotations: Record<string, string>, labels: Record<string, string> = {}) => judgeHandWritten(web, { annotations, labels });

describe("hand-written bypass keys", () => {
    it("says nothing of a pod template without bypass keys, or one the component wrote (it carries the rollout hash)", () => {
        assert.deepEqual(judge({ "prometheus.io/scrape": "true" }), []);
        assert.deepEqual(judge({ "traffic.sidecar.istio.io/excludeOutboundIPRanges": "0.0.0.0/0", "sidecar-bypass.io/rollout-hash": "0123456789abcdef" }), []);
    });

    it("refuses what a guardrail forbids, naming the annotation: Istio's own port, every address", () => {
        const [v] = judge({ "traffic.sidecar.istio.io/excludeOutboundIPRanges": "0.0.0.0/0", "traffic.sidecar.istio.io/excludeInboundPorts": "15020,8080" });
        assert.equal(v.mesh, "istio");
        assert.deepEqual(v.rules, { inbound: { excludePorts: [15020, 8080] }, outbound: { excludeIpRanges: ["0.0.0.0/0"] } });
        assert.equal(v.refused.length, 2);
        assert.match(v.refused[0], /^traffic\.sidecar\.istio\.io\/excludeInboundPorts: port 15020 is Istio's merged metrics \/ status/);
        assert.match(v.refused[1], /^traffic\.sidecar\.istio\.io\/excludeOutboundIPRanges: 0\.0\.0\.0\/0 excludes every IPv4 address/);
        assert.equal(v.wouldWrite, undefined);
    });

    it("reports what has no effect (Istio ignores excludes under an include list) and what the component would write", () => {
        const [v] = judge({ "traffic.sidecar.istio.io/includeInboundPorts": "8080", "traffic.sidecar.istio.io/excludeInboundPorts": "9090" });
        assert.deepEqual(v.refused, []);
        assert.match(v.noEffect.join("\n"), /Istio ignores inbound excludePorts \(9090\) while includeInboundPorts is a list \(8080\)/);
        const [n] = judge({ "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.1/8" });
        assert.match(n.noEffect.join("\n"), /host bits set; using 10\.0\.0\.0\/8/);
        assert.deepEqual(n.wouldWrite, { "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.0/8" });
    });

    it("reads each mesh's own grammar: Kuma's user-id entries, Linkerd's port ranges, Consul's user ids, a value the mesh would refuse", () => {
        const [kuma] = judge({ "traffic.kuma.io/exclude-outbound-ports-for-uids": "tcp:443,8000-8001:1000-1001;0" });
        assert.deepEqual(kuma.rules, { outbound: { excludeUids: [{ uids: [1000, 1001], ports: [443, 8000, 8001], protocol: "tcp" }, { uids: [0] }] } });
        assert.deepEqual(kuma.refused.length, 1);
        assert.match(kuma.refused[0], /^traffic\.kuma\.io\/exclude-outbound-ports-for-uids: user id 0 is root/);
        const [linkerd] = judge({ "config.linkerd.io/skip-inbound-ports": "7000-7002,abc" });
        assert.deepEqual(linkerd.rules, { inbound: { excludePorts: [7000, 7001, 7002, "abc"] } });
        assert.match(linkerd.refused.join("\n"), /^config\.linkerd\.io\/skip-inbound-ports: expected a port number/);
        const [consul] = judge({ "consul.hashicorp.com/transparent-proxy-exclude-uids": "1000-1001,5" });
        assert.deepEqual(consul.wouldWrite, { "consul.hashicorp.com/transparent-proxy-exclude-uids": "5,1000-1001" });
    });

    it("reads a whole-pod bypass as a full bypass (Kmesh's label, Istio ambient's opt-out)", () => {
        const [kmesh] = judge({}, { "kmesh.net/bypass": "enabled" });
        assert.equal(kmesh.fullBypass, true);
        const [ambient] = judge({}, { "istio.io/dataplane-mode": "none" });
        assert.equal(ambient.mesh, "istio");
        assert.equal(ambient.fullBypass, true);
        assert.deepEqual(judge({}, { "istio.io/dataplane-mode": "ambient" }), []);
    });

    it("judges every mesh whose keys are there, each on its own", () => {
        const both = judge({ "traffic.sidecar.istio.io/excludeInboundPorts": "8080", "traffic.kuma.io/exclude-inbound-ports": "8080" });
        assert.deepEqual(
            both.map((v) => v.mesh),
            ["istio", "kuma"],
        );
    });
});
