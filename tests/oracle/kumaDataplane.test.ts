// Kuma's data plane, for real: `kumactl install transparent-proxy` (Kuma's own iptables code) runs in a network
// namespace that plays the pod, with the flags Kuma derives from the annotations we write, and connections show
// which traffic skipped the proxy. The flags follow Kuma v2.14.3 pkg/transparentproxy/kubernetes/kubernetes.go
// (NewPodRedirectFromAnnotations, AsKumactlCommandLine): each traffic.kuma.io/exclude-* annotation becomes the
// flag of the same name, `--name=value`, left out when empty.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { type PlainBypassArgs, planBypass } from "../../provider/index";
import { type PlainWorkloadOptions, workload } from "../helpers/builders";
import { findOnPath, kumactlSkipReason } from "../helpers/kumaTools";
import { netnsUnavailable, PodNetwork, plannedExclusions } from "../helpers/podNetwork";
import { CORPUS } from "./corpus";

const APP_PORTS = [8080, 9090];
const DEST_PORTS = [80, 5432];
const one = (rules: PlainWorkloadOptions): PlainBypassArgs["workloads"] => [workload("Deployment", "o", "app", rules)];

const CASES: Array<{ name: string; args: PlainBypassArgs }> = [
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
];

// The corpus's rule sets as Kuma rules: what Kuma cannot express (include lists, full bypass) is not written, so
// those traffic classes stay captured, which the model below says too.
const CORPUS_CASES = CORPUS.map((c) => ({ name: `corpus: ${c.name}`, args: { ...c.args, meshes: ["kuma" as const] } }));

/** The flags Kuma's injector passes for these annotations (AsKumactlCommandLine). */
export function kumactlFlags(annotations: Record<string, string>): string[] {
    return ["exclude-outbound-ports", "exclude-outbound-ips", "exclude-inbound-ports"].flatMap((name) => {
        const value = annotations[`traffic.kuma.io/${name}`];
        return value ? [`--${name}=${value}`] : [];
    });
}

const unavailable = netnsUnavailable() ?? kumactlSkipReason();

describe("Kuma's data plane (kumactl install transparent-proxy in a network namespace)", {
    skip: unavailable && `SKIPPED, not silently: ${unavailable}`,
}, () => {
    const networks: PodNetwork[] = [];
    after(() => {
        for (const n of networks) n.down();
    });

    [...CASES, ...CORPUS_CASES].forEach((c, k) => {
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
                // The proxy runs as `nobody` here, so the test's own traffic (root) is what gets redirected.
                const flags = ["install", "transparent-proxy", "--kuma-dp-user", "nobody", "--ip-family-mode", "dualstack", ...kumactlFlags(w.annotations)];
                // An empty config of its own, so kumactl neither reads nor writes ~/.kumactl.
                const config = join(mkdtempSync(join(tmpdir(), "sb-kumactl-")), "config");
                writeFileSync(config, "");
                execFileSync("ip", ["netns", "exec", net.pod, findOnPath("kumactl")!, "--config-file", config, ...flags], {
                    stdio: ["ignore", "pipe", "pipe"],
                    timeout: 60_000,
                });
                rmSync(dirname(config), { recursive: true, force: true });
                const diff = net.trafficMismatches(APP_PORTS, DEST_PORTS, {
                    inbound: (_, p) => (excluded.inboundPort(p) ? "app" : "proxy-inbound"),
                    outbound: (a, p) => (excluded.outboundPort(p) || excluded.outboundAddress(a) ? "dest" : "proxy-outbound"),
                });
                assert.deepEqual(diff, [], `kumactl ${flags.join(" ")}`);
            } finally {
                net.down();
            }
        });
    });
});
