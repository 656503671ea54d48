import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BypassValidationError, type PlainBypassArgs, planBypass, type WorkloadKind } from "../../provider/index";
import { bypassArgs, invalid, namespaceRules, type PlainInboundRules, type PlainWorkloadOptions, workload } from "../helpers/builders";
import { FIXED_NOW } from "../helpers/clock";
import { designExample } from "../helpers/examples";

function issuesOf(args: PlainBypassArgs): Array<{ path: string; message: string }> {
    try {
        planBypass(args, { now: FIXED_NOW });
    } catch (e) {
        assert.ok(e instanceof BypassValidationError, `expected BypassValidationError, got ${e}`);
        return e.issues;
    }
    assert.fail("expected the rules to be rejected");
}
const paths = (args: PlainBypassArgs) => issuesOf(args).map((i) => i.path);
const w = (rules: PlainWorkloadOptions) => bypassArgs({ workloads: [workload("Deployment", "team-a", "web", rules)] });

describe("validation", () => {
    it("accepts the design example", () => assert.equal(planBypass(designExample(), { now: FIXED_NOW }).workloads.length, 4));

    it("reports every problem at once, each with its path", () => {
        const issues = issuesOf({
            meshes: ["istio"],
            global: { outbound: { excludeIpRanges: ["10.0.0.0/33"] } },
            namespaces: [{ name: "Payments" }],
            workloads: [
                { kind: "Deployment", namespace: "team-a", name: "web", outbound: { excludeIpRanges: ["192.0.2.0/24", "*"], excludePorts: [0] } },
                // Two deliberate mistakes: a kind the component does not patch, and a misspelt field.
                { kind: invalid<WorkloadKind>("Pod"), namespace: "team-a", name: "x", inbound: invalid<PlainInboundRules>({ excludePort: [80] }) },
            ],
        });
        assert.deepEqual(issues.map((i) => i.path).sort(), [
            "global.outbound.excludeIpRanges[0]",
            "namespaces[0].name",
            "workloads[0].outbound.excludeIpRanges[1]",
            "workloads[0].outbound.excludePorts[0]",
            "workloads[1].inbound.excludePort",
            "workloads[1].kind",
        ]);
        assert.match(issues.find((i) => i.path === "workloads[1].inbound.excludePort")!.message, /did you mean 'excludePorts'/);
        assert.match(issues.find((i) => i.path === "workloads[1].kind")!.message, /Deployment.*StatefulSet.*DaemonSet/);
    });

    it("rejects ports outside 1-65535 and non-integers", () => {
        assert.deepEqual(paths(w({ inbound: { excludePorts: [0, 65536, 80.5, 8080] } })), [
            "workloads[0].inbound.excludePorts[0]",
            "workloads[0].inbound.excludePorts[1]",
            "workloads[0].inbound.excludePorts[2]",
        ]);
    });

    it("rejects a port both included and excluded at one scope", () => {
        const [i] = issuesOf(w({ inbound: { excludePorts: [8080, 9090], includePorts: [8080] } }));
        assert.equal(i.path, "workloads[0].inbound.excludePorts");
        assert.match(i.message, /8080 both included and excluded/);
    });

    it("rejects the same range included and excluded, but allows an exclude inside an include", () => {
        assert.deepEqual(paths(w({ outbound: { excludeIpRanges: ["192.0.2.0/24"], includeIpRanges: ["192.0.2.0/24"] } })), [
            "workloads[0].outbound.excludeIpRanges",
        ]);
        planBypass(w({ outbound: { excludeIpRanges: ["192.0.2.0/25"], includeIpRanges: ["192.0.2.0/24"] } }));
    });

    it("refuses excluding the sidecar's own ports unless acknowledged", () => {
        const [i] = issuesOf(w({ inbound: { excludePorts: [15006] } }));
        assert.match(i.message, /15006 is Istio's inbound capture listener.*acknowledge\.sidecarPorts/);
        planBypass(w({ inbound: { excludePorts: [15006], acknowledge: { sidecarPorts: true } } }));
        // Kuma's admin port matters only when Kuma is selected.
        planBypass(w({ outbound: { excludePorts: [9901] } }));
        assert.equal(issuesOf({ ...w({ outbound: { excludePorts: [9901] } }), meshes: ["kuma"] }).length, 1);
    });

    it("refuses excluding every address unless acknowledged, also when ranges aggregate to it", () => {
        assert.match(issuesOf(w({ outbound: { excludeIpRanges: ["::/0"] } }))[0].message, /every IPv6 address/);
        assert.match(issuesOf(w({ outbound: { excludeIpRanges: ["0.0.0.0/1", "128.0.0.0/1"] } }))[0].message, /every IPv4 address/);
        planBypass(w({ outbound: { excludeIpRanges: ["0.0.0.0/0"], acknowledge: { allAddresses: true } } }));
    });

    it("refuses a full bypass without acknowledgement", () => {
        assert.deepEqual(paths(w({ fullBypass: { enabled: true } })), ["workloads[0].fullBypass.acknowledged"]);
    });

    it("rejects includeAll together with a list", () => {
        assert.deepEqual(paths(w({ inbound: { includePorts: [80], includeAllPorts: true } })), ["workloads[0].inbound.includeAllPorts"]);
    });

    it("rejects duplicates of a workload or namespace", () => {
        const args = bypassArgs({
            namespaces: [namespaceRules("a"), namespaceRules("a")],
            workloads: [workload("Deployment", "a", "x"), workload("Deployment", "a", "x")],
        });
        assert.deepEqual(paths(args), ["namespaces[1].name", "workloads[1]"]);
    });

    it("rejects a bad expiry and reports an expired bypass without applying it", () => {
        assert.deepEqual(paths(w({ fullBypass: { enabled: true, acknowledged: true, expires: "tomorrow" } })), ["workloads[0].fullBypass.expires"]);
        const plan = planBypass(
            { ...w({ fullBypass: { enabled: true, acknowledged: true, expires: "2026-01-01T00:00:00Z" } }), meshes: ["istio", "kmesh"] },
            { now: FIXED_NOW },
        );
        assert.deepEqual(plan.workloads[0].labels, {});
        assert.ok(plan.warnings.some((x) => x.path === "workloads[0].fullBypass.expires" && /expired/.test(x.message)));
    });

    it("rejects Kuma destinations Kuma would refuse", () => {
        const issues = issuesOf(
            w({
                passthrough: {
                    mode: "Matched",
                    destinations: [
                        { type: "Domain", value: "example.com", protocol: "tls" },
                        { type: "Domain", value: "*w.example.com", port: 443, protocol: "tls" },
                        { type: "Domain", value: "example.org", port: 443 },
                        { type: "IP", value: "192.0.2.1/32" },
                        { type: "CIDR", value: "192.0.2.0/24", port: 8080, protocol: "http" },
                        { type: "CIDR", value: "198.51.100.0/24", port: 8080, protocol: "http2" },
                    ],
                },
            }),
        );
        assert.deepEqual(
            issues.map((i) => i.path),
            [
                "workloads[0].passthrough.destinations[0].port",
                "workloads[0].passthrough.destinations[1].value",
                "workloads[0].passthrough.destinations[2].protocol",
                "workloads[0].passthrough.destinations[3].value",
                "workloads[0].passthrough.destinations[5]",
            ],
        );
    });

    it("validates stated Istio install defaults in the Helm format", () => {
        assert.deepEqual(paths({ meshes: ["istio"], istio: { installDefaults: { excludeIPRanges: "10.0.0.0/8, 300.0.0.0/8", excludeInboundPorts: "*" } } }), [
            "istio.installDefaults.excludeIPRanges",
            "istio.installDefaults.excludeInboundPorts",
        ]);
    });

    it("requires at least one mesh", () => assert.deepEqual(paths({ meshes: [] }), ["meshes"]));
});
