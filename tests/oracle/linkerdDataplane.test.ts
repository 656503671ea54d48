// Linkerd's data plane, for real: linkerd2-proxy-init (Linkerd's own program that writes a meshed pod's iptables rules,
// built by hand from linkerd/linkerd2-proxy-init, proxy-init/v2.4.9, and found on PATH) runs in a network namespace that
// plays the pod, with the flags Linkerd's injector derives from the annotations we write. The mapping follows
// linkerd/linkerd2 b24cd40: pkg/inject/inject.go copies config.linkerd.io/skip-{inbound,outbound}-ports unchanged into
// the proxy-init values, and charts/partials/templates/_proxy-init.tpl passes them as --inbound-ports-to-ignore (after
// the proxy's own 4190,4191) and --outbound-ports-to-ignore. Listeners stand in for the app, the proxy (4143 inbound,
// 4140 outbound) and outside destinations; connections over IPv4 and IPv6 show which traffic skipped the proxy.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { type PlainBypassArgs, planBypass } from "../../provider/index";
import { findOnPath } from "../helpers/kumaTools";
import { judgeSkip, requireJudge } from "../helpers/oracles";
import { netnsUnavailable, PodNetwork, plannedExclusions } from "../helpers/podNetwork";

const APP_PORTS = [8080, 9090, 7001];
const DEST_PORTS = [80, 443, 5432];
const PROXY = { inbound: 4143, outbound: 4140, uid: 2102, control: "4190,4191" };

type PlainWorkload = NonNullable<PlainBypassArgs["workloads"]>[number];
const app = (rules: Omit<PlainWorkload, "kind" | "namespace" | "name"> = {}): PlainWorkload => ({ kind: "Deployment", namespace: "o", name: "app", ...rules });

const CASES: Array<{ name: string; args: PlainBypassArgs }> = [
    { name: "no rules: everything through the proxy", args: { meshes: ["linkerd"], workloads: [app()] } },
    {
        name: "inbound and outbound ports",
        args: { meshes: ["linkerd"], workloads: [app({ inbound: { excludePorts: [8080] }, outbound: { excludePorts: [5432] } })] },
    },
    {
        name: "runs of ports written as ranges (7000-7003), merged from the namespace",
        args: {
            meshes: ["linkerd"],
            namespaces: [{ name: "o", inbound: { excludePorts: [7000, 7001, 7002, 7003] } }],
            workloads: [app({ outbound: { excludePorts: [443, 80] } })],
        },
    },
    {
        // Linkerd has no outbound address setting (skip-subnets is an inbound source match): nothing is written, and the
        // traffic really goes through the proxy, as the preview warning says.
        name: "an outbound range is not written for Linkerd, and its traffic is proxied",
        args: { meshes: ["linkerd"], workloads: [app({ outbound: { excludeIpRanges: ["198.51.100.0/24"] } })] },
    },
];

/** proxy-init's flags as Linkerd's injector template builds them from the pod's annotations. */
function proxyInitFlags(annotations: Readonly<Record<string, string>>): string[] {
    const inbound = annotations["config.linkerd.io/skip-inbound-ports"];
    const outbound = annotations["config.linkerd.io/skip-outbound-ports"];
    return [
        "--iptables-mode",
        "nft",
        "--incoming-proxy-port",
        String(PROXY.inbound),
        "--outgoing-proxy-port",
        String(PROXY.outbound),
        "--proxy-uid",
        String(PROXY.uid),
        "--inbound-ports-to-ignore",
        inbound ? `${PROXY.control},${inbound}` : PROXY.control,
        ...(outbound ? ["--outbound-ports-to-ignore", outbound] : []),
    ];
}

const tool = findOnPath("linkerd2-proxy-init");
const unavailable =
    netnsUnavailable() ??
    (tool
        ? undefined
        : "linkerd2-proxy-init not found on PATH; Linkerd's tools are in no registry (build it from linkerd/linkerd2-proxy-init and put it on PATH)");

describe("Linkerd's data plane (linkerd2-proxy-init in a network namespace)", { skip: judgeSkip(unavailable) }, () => {
    const networks: PodNetwork[] = [];
    before(() => requireJudge(unavailable));
    after(() => {
        for (const n of networks) n.down();
    });

    CASES.forEach((c, k) => {
        it(c.name, async () => {
            const w = planBypass(c.args).workloads[0];
            const excluded = plannedExclusions(w);
            const net = new PodNetwork(`l${k}`);
            networks.push(net);
            try {
                net.up();
                await net.listen(net.pod, "app", APP_PORTS);
                await net.listen(net.pod, "proxy-inbound", [PROXY.inbound]);
                await net.listen(net.pod, "proxy-outbound", [PROXY.outbound]);
                await net.listen(net.client, "dest", DEST_PORTS);
                execFileSync("ip", ["netns", "exec", net.pod, tool as string, ...proxyInitFlags(w.annotations)], { stdio: "pipe" });
                // What we say happens: every port through the proxy, both families, unless its port is excluded; Linkerd
                // writes no address exclusion, so a declared range changes nothing.
                const diff = net.trafficMismatches(APP_PORTS, DEST_PORTS, {
                    inbound: (_, p) => (excluded.inboundPort(p) ? "app" : "proxy-inbound"),
                    outbound: (_, p) => (excluded.outboundPort(p) ? "dest" : "proxy-outbound"),
                });
                assert.deepEqual(diff, [], `annotations ${JSON.stringify(w.annotations)}`);
            } finally {
                net.down();
            }
        });
    });

    it("a run of ports reaches proxy-init as a range, as Linkerd's own format has it", () => {
        const w = planBypass(CASES[2].args).workloads[0];
        assert.equal(w.annotations["config.linkerd.io/skip-inbound-ports"], "7000-7003");
        assert.deepEqual(proxyInitFlags(w.annotations).slice(-4), ["--inbound-ports-to-ignore", "4190,4191,7000-7003", "--outbound-ports-to-ignore", "80,443"]);
    });
});
