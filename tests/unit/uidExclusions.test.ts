// outbound.excludeUids: one rule per run of user ids, in Kuma's grammar; written whole for Kuma (split where iptables'
// multiport would overflow), for Consul only where it excludes exactly what was declared, reported everywhere else.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BypassValidationError, type Mesh, type PlainBypassArgs, planBypass, type UidProtocol } from "../../provider/index";
import { bypassArgs, invalid, namespaceRules, type PlainUidExclusion, type PlainWorkloadOptions, workload } from "../helpers/builders";
import { FIXED_NOW } from "../helpers/clock";

const KUMA = "traffic.kuma.io/exclude-outbound-ports-for-uids";
const CONSUL = "consul.hashicorp.com/transparent-proxy-exclude-uids";

const one = (meshes: Mesh[], rules: PlainWorkloadOptions, extra: Partial<PlainBypassArgs> = {}) =>
    planBypass(bypassArgs({ meshes, workloads: [workload("Deployment", "shop", "cart", rules)], ...extra }), { now: FIXED_NOW });
const uids = (meshes: Mesh[], excludeUids: PlainUidExclusion[]) => one(meshes, { outbound: { excludeUids } });

function issuesOf(excludeUids: PlainUidExclusion[]): Array<{ path: string; message: string }> {
    try {
        uids(["kuma"], excludeUids);
    } catch (e) {
        assert.ok(e instanceof BypassValidationError, String(e));
        return e.issues;
    }
    assert.fail("expected the rules to be refused");
}

describe("excludeUids: validation", () => {
    it("refuses user ids outside 0-4294967294, fractions, empty lists and unknown protocols, each at its path", () => {
        const issues = issuesOf([
            { uids: [-1, 4294967295, 1.5, 1000] },
            { uids: [] },
            { uids: [1000], ports: [] },
            { uids: [1000], ports: [0] },
            { uids: [1000], protocol: invalid<UidProtocol>("sctp") },
        ]);
        assert.deepEqual(
            issues.map((i) => i.path),
            [
                "workloads[0].outbound.excludeUids[0].uids[0]",
                "workloads[0].outbound.excludeUids[0].uids[1]",
                "workloads[0].outbound.excludeUids[0].uids[2]",
                "workloads[0].outbound.excludeUids[1].uids",
                "workloads[0].outbound.excludeUids[2].ports",
                "workloads[0].outbound.excludeUids[3].ports[0]",
                "workloads[0].outbound.excludeUids[4].protocol",
            ],
        );
        assert.match(issues[1].message, /4294967295 is \(uid_t\)-1/);
        assert.match(issues[4].message, /leave ports out to exclude every port/);
        assert.match(issues[6].message, /expected tcp or udp/);
    });

    it("refuses user id 0 (root) unless acknowledged", () => {
        const [i] = issuesOf([{ uids: [0, 1] }]);
        assert.equal(i.path, "workloads[0].outbound.excludeUids");
        assert.match(i.message, /user id 0 is root.*acknowledge\.rootUser: true/);
        const p = one(["kuma"], { outbound: { excludeUids: [{ uids: [0] }], acknowledge: { rootUser: true } } });
        assert.equal(p.workloads[0].annotations[KUMA], "0");
    });
});

describe("excludeUids: normalisation and resolution", () => {
    it("writes one Kuma entry per run of consecutive user ids, ports as ranges, in one canonical order", () => {
        const a = uids(
            ["kuma"],
            [
                { uids: [2000, 1001, 1000, 1002, 1002], ports: [8080, 443, 8081, 8082], protocol: "tcp" },
                { uids: [1000] },
                { uids: [1500], ports: [53], protocol: "udp" },
                { uids: [1000] },
            ],
        ).workloads[0].annotations;
        assert.equal(a[KUMA], "1000;tcp:443,8080-8082:1000-1002;udp:53:1500;tcp:443,8080-8082:2000");
    });

    it("unions rules across merging scopes by their text, remembering the scopes; joined with ';' in the record", () => {
        const args = bypassArgs({
            meshes: ["kuma"],
            global: { outbound: { excludeUids: [{ uids: [1000] }] } },
            namespaces: [namespaceRules("shop", { outbound: { excludeUids: [{ uids: [1000] }, { uids: [1337], protocol: "tcp" }], inherit: "merge" } })],
            workloads: [workload("Deployment", "shop", "cart")],
        });
        const p = planBypass(args, { now: FIXED_NOW });
        assert.deepEqual(p.workloads[0].effective.fields["outbound.excludeUids"]?.sources, [
            { values: ["1000"], scopes: ["global", "namespace/shop"] },
            { values: ["tcp:*:1337"], scopes: ["namespace/shop"] },
        ]);
        assert.equal(p.workloads[0].annotations[KUMA], "1000;tcp:*:1337");
        assert.match(p.namespaces[0].configMapData.namespace, /outbound\.excludeUids: tcp:\*:1337\n/);
    });
});

describe("excludeUids: what each mesh gets", () => {
    it("Kuma: splits a rule whose ports would overflow iptables' 15-slot multiport match (a range takes two)", () => {
        const ports = [...Array.from({ length: 16 }, (_, i) => 7001 + 2 * i), 9000, 9001, 9002];
        const a = uids(["kuma"], [{ uids: [1000], ports, protocol: "tcp" }]).workloads[0].annotations[KUMA];
        const entries = a!.split(";");
        assert.equal(entries.length, 2);
        assert.equal(entries[0], `tcp:${ports.slice(0, 15).join(",")}:1000`);
        assert.equal(entries[1], "tcp:7031,9000-9002:1000");
        for (const e of entries) {
            const slots = e
                .split(":")[1]
                .split(",")
                .reduce((n, p) => n + (p.includes("-") ? 2 : 1), 0);
            assert.ok(slots <= 15, `${e}: ${slots} slots`);
        }
    });

    it("Kuma: user ids over 65535 (16-bit in kuma-init) are reported, not written", () => {
        const p = uids(["kuma"], [{ uids: [1000, 1000650000] }]);
        assert.equal(p.workloads[0].annotations[KUMA], "1000");
        assert.ok(p.warnings.some((w) => /Kuma reads user ids as 16-bit numbers.*1000650000 is not written for Kuma/.test(w.message)));
        const none = uids(["kuma"], [{ uids: [1000650000] }]);
        assert.equal(none.workloads[0].annotations[KUMA], undefined);
        assert.ok(!none.warnings.some((w) => /an empty outbound\.excludeUids/.test(w.message)), "not mistaken for an empty list");
    });

    it("Consul: every-port rules for TCP or both protocols, as user ids and ranges; narrowed rules are reported, never widened", () => {
        const p = uids(
            ["consul"],
            [
                { uids: [1000, 1001, 1002] },
                { uids: [1337], protocol: "tcp" },
                { uids: [1000] },
                { uids: [4000], ports: [443] },
                { uids: [5000], protocol: "udp" },
                { uids: [1000650000] },
            ],
        );
        assert.equal(p.workloads[0].annotations[CONSUL], "1000-1002,1337,1000650000");
        const w = p.warnings.find((x) => /Consul excludes a user id for every outbound TCP port or not at all/.test(x.message));
        assert.ok(w, JSON.stringify(p.warnings));
        assert.match(w.message, /443:4000; udp:\*:5000 \(narrowed to some ports or to UDP\)/);
    });

    it("Consul: nothing written when every rule is narrowed", () => {
        assert.equal(uids(["consul"], [{ uids: [4000], ports: [443] }]).workloads[0].annotations[CONSUL], undefined);
    });

    it("Istio, Linkerd (and ambient) cannot express it and say why; Kmesh alone says it bypasses whole pods", () => {
        const rules = [{ uids: [1000] }];
        const istio = uids(["istio"], rules);
        assert.ok(!Object.keys(istio.workloads[0].annotations).some((k) => /uid/i.test(k)));
        assert.ok(istio.warnings.some((w) => /Istio has no per-pod setting to exclude traffic by user id/.test(w.message)));
        assert.ok(uids(["linkerd"], rules).warnings.some((w) => /Linkerd cannot exclude traffic by user id/.test(w.message)));
        const ambient = one(["istio"], { outbound: { excludeUids: rules } }, { istio: { dataplaneMode: "ambient" } });
        assert.ok(ambient.warnings.some((w) => /ambient mode has no sidecar.*outbound\.excludeUids/.test(w.message)));
        assert.ok(uids(["kmesh"], rules).warnings.some((w) => /Kmesh bypasses whole pods only/.test(w.message)));
    });

    it("changes the rollout hash only of the workloads whose rules changed", () => {
        const args = (extra: PlainUidExclusion[]) =>
            bypassArgs({
                meshes: ["kuma", "consul"],
                workloads: [
                    workload("Deployment", "shop", "cart", { outbound: { excludeUids: [{ uids: [1000] }, ...extra] } }),
                    workload("Deployment", "shop", "orders", { outbound: { excludeUids: [{ uids: [1000] }] } }),
                ],
            });
        const [a, b] = [planBypass(args([])), planBypass(args([{ uids: [2000] }]))];
        assert.notEqual(a.workloads[0].hash, b.workloads[0].hash);
        assert.equal(a.workloads[1].hash, b.workloads[1].hash);
    });
});
