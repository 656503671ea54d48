// interfaces.exclude and interfaces.rerouteVirtual: validated as Istio validates interface names, resolved like any
// field, written as Istio's two annotations (sidecar), only the reroute one in ambient mode, and reported for every
// mesh that cannot express them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BypassValidationError, type Mesh, type PlainBypassArgs, planBypass } from "../../provider/index";
import { bypassArgs, namespaceRules, type PlainInterfaceRules, type PlainWorkloadOptions, workload } from "../helpers/builders";
import { FIXED_NOW } from "../helpers/clock";

const EXCLUDE = "traffic.sidecar.istio.io/excludeInterfaces";
const REROUTE = "istio.io/reroute-virtual-interfaces";

const one = (meshes: Mesh[], rules: PlainWorkloadOptions, extra: Partial<PlainBypassArgs> = {}) =>
    planBypass(bypassArgs({ meshes, workloads: [workload("Deployment", "vm", "guest", rules)], ...extra }), { now: FIXED_NOW });

function issuesOf(interfaces: PlainInterfaceRules): Array<{ path: string; message: string }> {
    try {
        one(["istio"], { interfaces });
    } catch (e) {
        assert.ok(e instanceof BypassValidationError, String(e));
        return e.issues;
    }
    assert.fail("expected the rules to be refused");
}

describe("interfaces: validation", () => {
    it("accepts names as Istio does (a letter first; letters, digits, _ . -; at most 15), trimmed, sorted and de-duplicated", () => {
        const a = one(["istio"], { interfaces: { exclude: ["net2", " net1 ", "net1", "bond0.100", "a23456789012345"] } }).workloads[0].annotations;
        assert.equal(a[EXCLUDE], "a23456789012345,bond0.100,net1,net2");
    });

    it("refuses every name Istio would refuse, each at its path, saying what is accepted", () => {
        const bad = ["0eth", "_eth0", "1234567890123456", "eth0 -d 10.0.0.50", "net1,net2", "eth0;echo", "veth@if123", "eth0:1", ""];
        const issues = issuesOf({ exclude: bad });
        assert.deepEqual(
            issues.map((i) => i.path),
            bad.map((_, i) => `workloads[0].interfaces.exclude[${i}]`),
        );
        assert.match(issues[0].message, /at most 15 characters, a letter first, then letters, digits, '_', '\.' or '-'/);
    });

    it("refuses one name both excluded and rerouted at a scope", () => {
        const [i] = issuesOf({ exclude: ["net1", "vnet0"], rerouteVirtual: ["vnet0"] });
        assert.equal(i.path, "workloads[0].interfaces.exclude");
        assert.match(i.message, /vnet0 both excluded and rerouted/);
    });

    it("refuses eth0, the pod's primary interface, unless acknowledged", () => {
        for (const field of ["exclude", "rerouteVirtual"] as const) {
            const [i] = issuesOf({ [field]: ["eth0"] });
            assert.equal(i.path, `workloads[0].interfaces.${field}`);
            assert.match(i.message, /primary interface.*acknowledge\.primaryInterface: true/);
        }
        const a = one(["istio"], { interfaces: { exclude: ["eth0"], acknowledge: { primaryInterface: true } } }).workloads[0].annotations;
        assert.equal(a[EXCLUDE], "eth0");
    });

    it("refuses unknown fields with a suggestion", () => {
        const issues = issuesOf({ exclude: ["net1"], ...({ rerouteVirtuals: ["vnet0"] } as PlainInterfaceRules) });
        assert.match(issues.find((i) => i.path === "workloads[0].interfaces.rerouteVirtuals")!.message, /did you mean 'rerouteVirtual'/);
    });
});

describe("interfaces: resolution", () => {
    it("overrides per field, or merges, remembering the scopes", () => {
        const args = bypassArgs({
            meshes: ["istio"],
            global: { interfaces: { exclude: ["net1"] } },
            namespaces: [namespaceRules("vm", { interfaces: { exclude: ["net2"], inherit: "merge" } })],
            workloads: [
                workload("Deployment", "vm", "guest", { interfaces: { rerouteVirtual: ["vnet0"] } }),
                workload("Deployment", "vm", "other", { interfaces: { exclude: ["net3"] } }),
            ],
        });
        const [guest, other] = planBypass(args, { now: FIXED_NOW }).workloads;
        assert.deepEqual(guest.effective.fields["interfaces.exclude"]?.sources, [
            { values: ["net1"], scopes: ["global"] },
            { values: ["net2"], scopes: ["namespace/vm"] },
        ]);
        assert.equal(guest.annotations[EXCLUDE], "net1,net2");
        assert.equal(guest.annotations[REROUTE], "vnet0");
        assert.equal(other.annotations[EXCLUDE], "net3", "override drops what the scopes above excluded");
        assert.equal(other.annotations[REROUTE], undefined);
    });

    it("writes nothing for an empty list (Istio has no install default to clear)", () => {
        const p = planBypass(
            bypassArgs({
                meshes: ["istio"],
                global: { interfaces: { exclude: ["net1"] } },
                workloads: [workload("Deployment", "vm", "guest", { interfaces: { exclude: [] } })],
            }),
            { now: FIXED_NOW },
        );
        assert.equal(p.workloads[0].annotations[EXCLUDE], undefined);
    });

    it("says so when scopes leave one interface both excluded and rerouted", () => {
        const p = planBypass(
            bypassArgs({
                meshes: ["istio"],
                global: { interfaces: { exclude: ["vnet0"] } },
                workloads: [workload("Deployment", "vm", "guest", { interfaces: { rerouteVirtual: ["vnet0"] } })],
            }),
            { now: FIXED_NOW },
        );
        assert.equal(p.workloads[0].annotations[EXCLUDE], "vnet0");
        assert.equal(p.workloads[0].annotations[REROUTE], "vnet0");
        assert.ok(p.warnings.some((w) => /vnet0 both as an excluded and as a rerouted interface/.test(w.message)));
    });
});

describe("interfaces: what each mesh gets", () => {
    const rules: PlainWorkloadOptions = { interfaces: { exclude: ["net1"], rerouteVirtual: ["vnet0"] } };

    it("Istio sidecar: both annotations, and istio-init's -c and -k", () => {
        const a = one(["istio"], rules).workloads[0].annotations;
        assert.equal(a[EXCLUDE], "net1");
        assert.equal(a[REROUTE], "vnet0");
        assert.equal(a["traffic.sidecar.istio.io/kubevirtInterfaces"], undefined, "the deprecated annotation is never written");
    });

    it("Istio ambient: only the reroute annotation, which ambient's node agent reads; the exclude is reported", () => {
        const p = one(["istio"], rules, { istio: { dataplaneMode: "ambient" } });
        assert.deepEqual(p.workloads[0].annotations, { [REROUTE]: "vnet0", "sidecar-bypass.io/rollout-hash": p.workloads[0].hash });
        const w = p.warnings.find((x) => /ambient mode has no sidecar/.test(x.message));
        assert.ok(w);
        assert.match(w.message, /: interfaces\.exclude are not applied/);
    });

    it("Istio ambient with a full bypass: the pod leaves the mesh, nothing to reroute", () => {
        const p = one(["istio"], { ...rules, fullBypass: { enabled: true, acknowledged: true } }, { istio: { dataplaneMode: "ambient" } });
        assert.equal(p.workloads[0].annotations[REROUTE], undefined);
        assert.deepEqual(p.workloads[0].labels, { "istio.io/dataplane-mode": "none" });
    });

    it("Kuma, Linkerd and Consul cannot express either and say why; nothing is written for them", () => {
        const p = one(["kuma", "linkerd", "consul"], rules);
        assert.deepEqual(p.workloads[0].annotations, {});
        for (const [mesh, why] of [
            ["Kuma", /Kuma has no per-pod interface exclusion/],
            ["Kuma", /--vnet \(interface:CIDR\) is a kumactl flag/],
            ["Linkerd", /Linkerd's proxy-init has no interface setting; interfaces\.exclude/],
            ["Linkerd", /Linkerd's proxy-init has no interface setting; interfaces\.rerouteVirtual/],
            ["Consul", /Consul's redirect rules have no interface setting.*interfaces\.exclude/],
            ["Consul", /Consul's redirect rules have no interface setting.*interfaces\.rerouteVirtual/],
        ] as const) {
            assert.ok(
                p.warnings.some((w) => why.test(w.message)),
                `${mesh}: ${why}`,
            );
        }
    });

    it("Kmesh, alone, says it bypasses whole pods only", () => {
        assert.ok(one(["kmesh"], rules).warnings.some((w) => /Kmesh bypasses whole pods only/.test(w.message)));
    });
});
