// Consul's data plane, for real: Consul's own redirect code (github.com/hashicorp/consul/sdk/iptables, run by
// tools/consul's consul-redirect the way consul-k8s builds its config) installs its rules for the annotations
// we write, in a network namespace that plays the pod. Listeners stand in for the app, Envoy (20000 inbound,
// 15001 outbound) and outside destinations; connections show which traffic skipped Envoy, made as root and as the
// users a case excludes (an init container or agent would run as one).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type PlainBypassArgs, planBypass, type UidRule } from "../../provider/index";
import { goSkipReason, judgeSkip, requireJudge } from "../helpers/oracles";
import { netnsUnavailable, PodNetwork, plannedExclusions } from "../helpers/podNetwork";
import { REPO } from "../helpers/snapshot";

const APP_PORTS = [8080, 9090];
const DEST_PORTS = [80, 5432];

/** What we tell users Consul can express (meshes/consul.ts): a user id for every outbound TCP port. */
const consulWrites = (r: UidRule) => r.ports.length === 0 && r.protocol !== "udp";

type PlainWorkload = NonNullable<PlainBypassArgs["workloads"]>[number];
/** The one workload every case plans: a Deployment o/app, with the case's rules. */
const app = (rules: Omit<PlainWorkload, "kind" | "namespace" | "name"> = {}): PlainWorkload => ({ kind: "Deployment", namespace: "o", name: "app", ...rules });

const CASES: Array<{ name: string; args: PlainBypassArgs; asUids?: number[] }> = [
    { name: "no rules: everything through Envoy", args: { meshes: ["consul"], workloads: [app()] } },
    {
        name: "inbound and outbound ports, an IPv4 range",
        args: {
            meshes: ["consul"],
            workloads: [
                app({
                    inbound: { excludePorts: [8080] },
                    outbound: { excludePorts: [5432], excludeIpRanges: ["198.51.100.0/24"] },
                }),
            ],
        },
    },
    {
        name: "IPv4 and IPv6 ranges (only the IPv4 ones can be written for Consul)",
        args: {
            meshes: ["consul"],
            workloads: [app({ outbound: { excludeIpRanges: ["198.51.100.10", "2001:db8:1::/48"] } })],
        },
    },
    {
        name: "merged scopes",
        args: {
            meshes: ["consul"],
            global: { outbound: { excludeIpRanges: ["203.0.113.0/24"] } },
            namespaces: [{ name: "o", inbound: { excludePorts: [9090] } }],
            workloads: [app({ outbound: { excludeIpRanges: ["198.51.100.0/25"], inherit: "merge" } })],
        },
    },
    {
        name: "user ids: 1000-1002 and 1337 skip Envoy on every port; 2000, narrowed to one port, is not written",
        args: {
            meshes: ["consul"],
            workloads: [
                app({
                    outbound: { excludeUids: [{ uids: [1000, 1001, 1002] }, { uids: [1337], protocol: "tcp" }, { uids: [2000], ports: [5432] }] },
                }),
            ],
        },
        asUids: [1001, 1337, 2000, 1003],
    },
];

function consulRedirect(): string {
    const out = execFileSync("bash", [join(REPO, "tools", "build-consul.sh")], {
        stdio: ["ignore", "pipe", "inherit"],
        encoding: "utf8",
        timeout: 30 * 60_000,
    });
    return join(out.trim().split("\n").pop()!, "bin", "consul-redirect");
}

const unavailable = netnsUnavailable() ?? goSkipReason("Consul's sdk/iptables (tools/build-consul.sh)");

describe("Consul's data plane (consul sdk/iptables in a network namespace)", { skip: judgeSkip(unavailable) }, () => {
    const networks: PodNetwork[] = [];
    before(() => requireJudge(unavailable));
    after(() => {
        for (const n of networks) n.down();
    });

    CASES.forEach((c, k) => {
        it(c.name, async () => {
            const tool = consulRedirect();
            const w = planBypass(c.args).workloads[0];
            const excluded = plannedExclusions(w);
            const family = (a: string) => (a.includes(":") ? 6 : 4);
            // What we say happens under Consul's default single-stack redirect: IPv4 TCP goes through Envoy unless
            // excluded; IPv6 is not redirected at all. The IPv6 range is declared but cannot be written (a warning).
            const inboundToEnvoy = (a: string, p: number) => family(a) === 4 && !excluded.inboundPort(p);
            const outboundToEnvoy = (a: string, p: number, uid?: number) =>
                family(a) === 4 &&
                !excluded.outboundPort(p) &&
                !excluded.outboundAddress(a) &&
                !(uid !== undefined && excluded.outboundTcpFrom(uid, p, consulWrites));

            const net = new PodNetwork(`c${k}`);
            networks.push(net);
            try {
                net.up();
                await net.listen(net.pod, "app", APP_PORTS);
                await net.listen(net.pod, "envoy-inbound", [20000]);
                await net.listen(net.pod, "envoy-outbound", [15001]);
                await net.listen(net.client, "dest", DEST_PORTS);
                execFileSync("ip", ["netns", "exec", net.pod, tool], {
                    input: JSON.stringify({ annotations: w.annotations, dualStack: false }),
                    stdio: ["pipe", "pipe", "pipe"],
                });

                const diff = [undefined, ...(c.asUids ?? [])].flatMap((uid) =>
                    net.trafficMismatches(
                        APP_PORTS,
                        DEST_PORTS,
                        {
                            inbound: (a, p) => (inboundToEnvoy(a, p) ? "envoy-inbound" : "app"),
                            outbound: (a, p) => (outboundToEnvoy(a, p, uid) ? "envoy-outbound" : "dest"),
                        },
                        { uid },
                    ),
                );
                assert.deepEqual(diff, [], `annotations ${JSON.stringify(w.annotations)}`);
            } finally {
                net.down();
            }
        });
    });

    it("Consul's own code turns our user ids into one owner rule each, ahead of the redirect, and nothing for what it cannot express", () => {
        const w = planBypass(CASES[CASES.length - 1].args).workloads[0];
        const out = execFileSync(consulRedirect(), [], {
            input: JSON.stringify({ annotations: w.annotations, dualStack: false, dryRun: true }),
            encoding: "utf8",
        });
        const rules = (JSON.parse(out) as { iptables: string[] }).iptables;
        const owner = (uid: string) => `iptables -t nat -I CONSUL_PROXY_OUTPUT -m owner --uid-owner ${uid} -j RETURN`;
        // The init containers' own user (5996) comes first from consul-k8s; ours follow, inserted (-I) ahead of the redirect.
        assert.deepEqual(
            rules.filter((r) => r.includes("--uid-owner") && r.includes("-I ")),
            [owner("5996"), owner("1000-1002"), owner("1337")],
        );
        assert.ok(rules.includes("iptables -t nat -A OUTPUT -p tcp -j CONSUL_PROXY_OUTPUT"), "only TCP reaches the chain the user rules are in");
        assert.ok(!rules.some((r) => /--uid-owner 2000( |$)/.test(r)), "the narrowed rule is not written");
    });

    it("an IPv6 range in the annotation would fail the pod's redirect setup, which is why it is never written", () => {
        const tool = consulRedirect();
        const net = new PodNetwork("c6");
        networks.push(net);
        try {
            net.up();
            const annotations = { "consul.hashicorp.com/transparent-proxy-exclude-outbound-cidrs": "198.51.100.0/24,2001:db8:1::/48" };
            assert.throws(
                () =>
                    execFileSync("ip", ["netns", "exec", net.pod, tool], {
                        input: JSON.stringify({ annotations, dualStack: false }),
                        stdio: ["pipe", "pipe", "pipe"],
                    }),
                (e: Error & { stderr?: Buffer }) => /2001:db8:1::\/48/.test(String(e.stderr)),
            );
            const ours = planBypass({
                meshes: ["consul"],
                workloads: [app({ outbound: { excludeIpRanges: ["198.51.100.0/24", "2001:db8:1::/48"] } })],
            });
            assert.equal(ours.workloads[0].annotations["consul.hashicorp.com/transparent-proxy-exclude-outbound-cidrs"], "198.51.100.0/24");
            assert.ok(ours.warnings.some((x) => /IPv6 ranges are not written for Consul/.test(x.message)));
        } finally {
            net.down();
        }
    });
});
