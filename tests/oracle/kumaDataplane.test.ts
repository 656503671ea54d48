// Kuma's data plane, for real: `kumactl install transparent-proxy` (Kuma's own iptables code) runs in a network
// namespace that plays the pod, with the flags Kuma derives from the annotations we write, and connections show
// which traffic skipped the proxy, made as root and as the users a case excludes. The flags follow Kuma v2.14.3
// pkg/transparentproxy/kubernetes/kubernetes.go (NewPodRedirectFromAnnotations, AsKumactlCommandLine): each
// traffic.kuma.io/exclude-* annotation becomes the flag of the same name, `--name=value`, left out when empty;
// exclude-outbound-ports-for-uids is split on `;`, one flag per entry.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type PlainBypassArgs, planBypass, type UidRule } from "../../provider/index";
import { type PlainWorkloadOptions, workload } from "../helpers/builders";
import { findOnPath, kumactlSkipReason } from "../helpers/kumaTools";
import { judgeSkip, requireJudge } from "../helpers/oracles";
import { ADDR, netnsUnavailable, PodNetwork, plannedExclusions } from "../helpers/podNetwork";
import { CORPUS } from "./corpus";

const APP_PORTS = [8080, 9090];
const DEST_PORTS = [80, 5432];
const one = (rules: PlainWorkloadOptions): PlainBypassArgs["workloads"] => [workload("Deployment", "o", "app", rules)];

/** What we tell users Kuma can express (meshes/kuma.ts): user ids up to 65535. */
const kumaWrites = (r: UidRule) => r.last <= 65535;
/** Twenty ports, 80 and 5432 among them: one rule over iptables' 15-slot multiport limit, so written as two entries. */
const TWENTY_PORTS = [80, 5432, ...Array.from({ length: 18 }, (_, i) => 6000 + 2 * i)];

const CASES: Array<{ name: string; args: PlainBypassArgs; asUids?: number[] }> = [
    { name: "no rules: everything through the proxy", args: { meshes: ["kuma"], workloads: one({}) } },
    {
        name: "inbound and outbound ports, IPv4 and IPv6 ranges",
        args: {
            meshes: ["kuma"],
            workloads: one({ inbound: { excludePorts: [8080] }, outbound: { excludePorts: [5432], excludeIpRanges: ["198.51.100.0/24", "2001:db8:1::/48"] } }),
        },
    },
    {
        name: "merged scopes",
        args: {
            meshes: ["kuma"],
            global: { outbound: { excludeIpRanges: ["203.0.113.0/24"] } },
            namespaces: [{ name: "o", inbound: { excludePorts: [9090] } }],
            workloads: one({ outbound: { excludeIpRanges: ["2001:db8:2::/48"], inherit: "merge" } }),
        },
    },
    {
        name: "inbound source ranges: the client's IPv4 address skips the proxy on every port, its IPv6 address only on an excluded port",
        args: {
            meshes: ["kuma"],
            namespaces: [{ name: "o", inbound: { excludeIpRanges: ["192.0.2.1"] } }],
            workloads: one({ inbound: { excludePorts: [9090], excludeIpRanges: ["2001:db8:9::/48"], inherit: "merge" } }),
        },
    },
    {
        name: "user ids: every port, one TCP port, UDP only (TCP still proxied)",
        args: {
            meshes: ["kuma"],
            workloads: one({
                outbound: { excludeUids: [{ uids: [1000] }, { uids: [1001], ports: [5432], protocol: "tcp" }, { uids: [1002], protocol: "udp" }] },
            }),
        },
        asUids: [1000, 1001, 1002, 1003],
    },
    {
        name: "user ids: twenty ports, split into entries iptables' multiport accepts",
        args: { meshes: ["kuma"], workloads: one({ outbound: { excludeUids: [{ uids: [1500], ports: TWENTY_PORTS, protocol: "tcp" }] } }) },
        asUids: [1500],
    },
    {
        name: "user ids: one over 16 bits is not written, the rest is",
        args: { meshes: ["kuma"], workloads: one({ outbound: { excludeUids: [{ uids: [1000, 70000] }] } }) },
        asUids: [1000, 70000],
    },
];

// The corpus's rule sets as Kuma rules: what Kuma cannot express (include lists, full bypass) is not written, so
// those traffic classes stay captured, which the model below says too.
const CORPUS_CASES = CORPUS.map((c) => ({ name: `corpus: ${c.name}`, args: { ...c.args, meshes: ["kuma" as const] } }));

/** The flags Kuma's injector passes for these annotations (AsKumactlCommandLine). */
export function kumactlFlags(annotations: Record<string, string>): string[] {
    return ["exclude-outbound-ports", "exclude-outbound-ips", "exclude-outbound-ports-for-uids", "exclude-inbound-ports", "exclude-inbound-ips"].flatMap(
        (name) => {
            const value = annotations[`traffic.kuma.io/${name}`];
            if (!value) return [];
            return name === "exclude-outbound-ports-for-uids" ? value.split(";").map((entry) => `--${name}=${entry}`) : [`--${name}=${value}`];
        },
    );
}

/** Runs `kumactl install transparent-proxy` in the pod's namespace with these flags, as kuma-init would. */
function installTransparentProxy(net: PodNetwork, annotationFlags: string[]): string[] {
    // The proxy runs as `nobody` here, so the test's own traffic (root) is what gets redirected.
    const flags = ["install", "transparent-proxy", "--kuma-dp-user", "nobody", "--ip-family-mode", "dualstack", ...annotationFlags];
    // An empty config of its own, so kumactl neither reads nor writes ~/.kumactl.
    const config = join(mkdtempSync(join(tmpdir(), "sb-kumactl-")), "config");
    writeFileSync(config, "");
    try {
        execFileSync("ip", ["netns", "exec", net.pod, findOnPath("kumactl")!, "--config-file", config, ...flags], {
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 60_000,
        });
    } finally {
        rmSync(dirname(config), { recursive: true, force: true });
    }
    return flags;
}

const unavailable = netnsUnavailable() ?? kumactlSkipReason(2);

describe("Kuma's data plane (kumactl install transparent-proxy in a network namespace)", {
    skip: judgeSkip(unavailable),
}, () => {
    const networks: PodNetwork[] = [];
    before(() => requireJudge(unavailable));
    after(() => {
        for (const n of networks) n.down();
    });

    [...CASES, ...CORPUS_CASES].forEach((c: { name: string; args: PlainBypassArgs; asUids?: number[] }, k) => {
        it(c.name, async () => {
            const w = planBypass(c.args).workloads[0];
            const excluded = plannedExclusions(w);
            const net = new PodNetwork(`k${k}`);
            networks.push(net);
            try {
                net.up();
                await net.listen(net.pod, "app", APP_PORTS);
                await net.listen(net.pod, "proxy-inbound", [15006]);
                await net.listen(net.pod, "proxy-outbound", [15001]);
                await net.listen(net.client, "dest", DEST_PORTS);
                const flags = installTransparentProxy(net, kumactlFlags(w.annotations));
                const skips = (a: string, p: number, uid?: number) =>
                    excluded.outboundPort(p) || excluded.outboundAddress(a) || (uid !== undefined && excluded.outboundTcpFrom(uid, p, kumaWrites));
                const diff = [undefined, ...(c.asUids ?? [])].flatMap((uid) =>
                    net.trafficMismatches(
                        APP_PORTS,
                        DEST_PORTS,
                        {
                            inbound: (a, p) =>
                                excluded.inboundPort(p) || excluded.inboundFrom(a === ADDR.podV4 ? ADDR.clientV4 : ADDR.clientV6) ? "app" : "proxy-inbound",
                            outbound: (a, p) => (skips(a, p, uid) ? "dest" : "proxy-outbound"),
                        },
                        { uid },
                    ),
                );
                assert.deepEqual(diff, [], `kumactl ${flags.join(" ")}`);
            } finally {
                net.down();
            }
        });
    });
    it("what the splitting and the 16-bit limit avoid: kuma-init fails on a 16-port entry and on a user id over 65535", () => {
        for (const [entry, why] of [
            [`tcp:${Array.from({ length: 16 }, (_, i) => 6000 + 2 * i).join(",")}:1500`, /too many ports/],
            ["70000", /invalid UID range|invalid uint16/],
        ] as const) {
            const net = new PodNetwork(`kx${networks.length}`);
            networks.push(net);
            try {
                net.up();
                assert.throws(
                    () => installTransparentProxy(net, [`--exclude-outbound-ports-for-uids=${entry}`]),
                    (e: Error & { stderr?: Buffer }) => why.test(`${e.stderr}`),
                    entry,
                );
            } finally {
                net.down();
            }
        }
        const ours = planBypass({
            meshes: ["kuma"],
            workloads: one({ outbound: { excludeUids: [{ uids: [1500], ports: TWENTY_PORTS, protocol: "tcp" }, { uids: [70000] }] } }),
        });
        const written = ours.workloads[0].annotations["traffic.kuma.io/exclude-outbound-ports-for-uids"];
        assert.equal(written?.split(";").length, 2, written);
        assert.ok(!written?.includes("70000"), written);
    });
});
