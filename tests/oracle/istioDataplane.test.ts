// Istio's data plane, for real: pilot-agent istio-iptables runs with the arguments the plan predicts, in a
// network namespace that plays the pod. Small listeners stand in for the app, the sidecar (15001 outbound,
// 15006 inbound) and outside destinations; connections show which traffic skipped the sidecar. The pod also has a
// second interface, net1 (a Multus attachment, a VM's bridge), to a peer of its own, for the interface rules.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BypassPlanner, parseCidr } from "../../provider/index";
import { bypassArgs, type PlainScopeRules, type PlainWorkloadOptions, workload } from "../helpers/builders";
import { type IstioInitArgs, istioInitArgs } from "../helpers/istioInitArgs";
import { type IstioTools, istioTools, kubeInject } from "../helpers/istioTools";
import { goSkipReason, judgeSkip, requireJudge } from "../helpers/oracles";
import { ADDR, NET1, netnsUnavailable, PodNetwork } from "../helpers/podNetwork";

const APP_PORTS = [8080, 9090];
const DEST_PORTS = [80, 5432];

/** The cases: rules for one workload, covering * mode, include-list mode, IPv4 and IPv6, full bypass. */
const CASES: Array<{ name: string; rules: PlainWorkloadOptions; global?: PlainScopeRules }> = [
    { name: "mesh defaults: everything captured", rules: {} },
    {
        name: "* mode: inbound and outbound excludes, IPv4 and IPv6",
        rules: { inbound: { excludePorts: [8080] }, outbound: { excludeIpRanges: ["198.51.100.0/24", "2001:db8:1::/48"], excludePorts: [5432] } },
    },
    { name: "include-list mode", rules: { inbound: { includePorts: [9090] }, outbound: { includeIpRanges: ["203.0.113.0/24", "2001:db8:2::/48"] } } },
    { name: "outbound capture by port only", rules: { outbound: { includeIpRanges: [], includePorts: [5432] } } },
    { name: "include everything but a carve-out", rules: { outbound: { includeAllIpRanges: true, excludeIpRanges: ["198.51.100.10/32"] } } },
    {
        name: "merged scopes",
        global: { outbound: { excludeIpRanges: ["198.51.100.0/24"] } },
        rules: { outbound: { excludeIpRanges: ["2001:db8:1::/48"], inherit: "merge" } },
    },
    { name: "full bypass", rules: { fullBypass: { enabled: true, acknowledged: true } } },
    { name: "net1 excluded: its traffic skips the sidecar both ways", rules: { interfaces: { exclude: [NET1.name] } } },
    { name: "net1 rerouted: what arrives on it goes to the outbound listener", rules: { interfaces: { rerouteVirtual: [NET1.name] } } },
    {
        name: "net1 rerouted with outbound capture off: what arrives on it is not captured at all",
        rules: { interfaces: { rerouteVirtual: [NET1.name] }, outbound: { includeIpRanges: [] } },
    },
    {
        name: "net1 excluded (global) and rerouted (workload): inbound is rerouted, outbound skips",
        global: { interfaces: { exclude: [NET1.name] } },
        rules: { interfaces: { rerouteVirtual: [NET1.name] } },
    },
];

const list = (s: string | undefined) => (s ?? "").split(",").filter((x) => x !== "");
const inRanges = (ranges: string, address: string) => {
    const a = parseCidr(address);
    return (
        a.ok &&
        list(ranges).some((r) => {
            const c = parseCidr(r);
            return c.ok && c.cidr.family === a.cidr.family && c.cidr.first <= a.cidr.first && a.cidr.last <= c.cidr.last;
        })
    );
};

/** What we tell users Istio does with istio-init's arguments (mesh-semantics §1.4): is it captured? */
export function inboundCaptured(a: IstioInitArgs, port: number): boolean {
    if (a.b === "") return false;
    if (a.b === "*") return !list(a.d).includes(String(port));
    return list(a.b).includes(String(port));
}
export function outboundCaptured(a: IstioInitArgs, address: string, port: number): boolean {
    if (list(a.o).includes(String(port))) return false; // excluded ports come first
    if (inRanges(a.x, address)) return false; // excluded ranges beat every include
    if (list(a.q).includes(String(port))) return true; // included ports, whatever the address
    return a.i === "*" || inRanges(a.i, address);
}

/**
 * What reaches the pod through net1 (run.go): a rerouted interface's traffic goes to the outbound listener where the
 * include ranges cover its destination (-k's PREROUTING rules are inserted first), and is otherwise returned; an
 * excluded interface's (-c) is returned; otherwise it is inbound traffic like any other.
 */
export function net1Inbound(a: IstioInitArgs, address: string, port: number): string {
    if (list(a.k).includes(NET1.name)) return a.i === "*" || inRanges(a.i, address) ? "sidecar-outbound" : "app";
    if (list(a.c).includes(NET1.name)) return "app";
    return inboundCaptured(a, port) ? "sidecar-inbound" : "app";
}
/** What leaves the pod through net1: an excluded interface's traffic skips capture (`OUTPUT -o IF -j RETURN`). */
export function net1Outbound(a: IstioInitArgs, address: string, port: number): string {
    if (list(a.c).includes(NET1.name)) return "dest";
    return outboundCaptured(a, address, port) ? "sidecar-outbound" : "dest";
}

const unavailable = netnsUnavailable() ?? goSkipReason();

// Both of istio-init's backends: iptables, and native nftables (Istio 1.28+, values.global.nativeNftables).
for (const backend of ["iptables", "nftables"] as const)
    describe(`Istio's data plane (istio-iptables in a network namespace, ${backend})`, { skip: judgeSkip(unavailable) }, () => {
        let tools: IstioTools;
        const networks: PodNetwork[] = [];
        before(() => {
            requireJudge(unavailable);
            tools = istioTools();
        });
        after(() => {
            for (const n of networks) n.down();
        });

        CASES.forEach((c, k) => {
            it(c.name, async () => {
                const planner = new BypassPlanner(
                    bypassArgs({
                        meshes: ["istio"],
                        ...(c.global ? { global: c.global } : {}),
                        workloads: [workload("Deployment", "oracle", "app", c.rules)],
                    }),
                );
                const args = istioInitArgs(planner.plan().workloads[0].annotations, planner.rules.settings.istio);
                const net = new PodNetwork(`${backend === "nftables" ? "n" : ""}${k}`);
                networks.push(net);
                try {
                    net.up();
                    await net.listen(net.pod, "app", APP_PORTS);
                    await net.listen(net.pod, "sidecar-outbound", [15001]);
                    await net.listen(net.pod, "sidecar-inbound", [15006]);
                    await net.listen(net.client, "dest", DEST_PORTS);
                    net.attachNet1();
                    await net.listen(net.peer, "dest", DEST_PORTS);
                    const flags = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", args.i, "-x", args.x, "-b", args.b, "-d", args.d];
                    for (const flag of ["q", "o", "c", "k"] as const) {
                        const v = args[flag];
                        if (v !== undefined) flags.push(`-${flag}`, v);
                    }
                    if (backend === "nftables") flags.push("--native-nftables");
                    net.exec(net.pod, [tools.pilotAgent, "istio-iptables", ...flags, "--dual-stack"]);
                    // The backend asked for is the one that holds the capture rules.
                    const nft = net.exec(net.pod, ["nft", "list", "ruleset"]);
                    const iptables = net.exec(net.pod, ["iptables-save"]);
                    assert.equal(/istio/i.test(nft) && !/ISTIO/.test(iptables), backend === "nftables", `${backend}: the rules are in the other backend`);

                    const diff = net.trafficMismatches(APP_PORTS, DEST_PORTS, {
                        inbound: (_, p) => (inboundCaptured(args, p) ? "sidecar-inbound" : "app"),
                        outbound: (a, p) => (outboundCaptured(args, a, p) ? "sidecar-outbound" : "dest"),
                    });
                    // Through net1: from its peer to the app, and from the pod to the peer, over IPv4 and IPv6.
                    const inbound = [NET1.podV4, NET1.podV6].flatMap((a) => APP_PORTS.map((p): [string, number] => [a, p]));
                    const outbound = [NET1.peerV4, NET1.peerV6].flatMap((a) => DEST_PORTS.map((p): [string, number] => [a, p]));
                    const got = [...net.connect(net.peer, inbound), ...net.connect(net.pod, outbound)].map((answer) => answer.split(" ")[0]);
                    const want = [...inbound.map(([a, p]) => net1Inbound(args, a, p)), ...outbound.map(([a, p]) => net1Outbound(args, a, p))];
                    [...inbound.map((t) => `net1 in  ${t[0]}:${t[1]}`), ...outbound.map((t) => `net1 out ${t[0]}:${t[1]}`)].forEach((row, i) => {
                        if (got[i] !== want[i]) diff.push(`${row}: reached ${got[i]}, plan says ${want[i]}`);
                    });
                    // A connection error never matches an expected listener, so it shows up here too.
                    assert.deepEqual(diff, [], `istio-init args ${JSON.stringify(args)}`);
                } finally {
                    net.down();
                }
            });
        });
    });

/**
 * The order Istio's injector gives the init containers decides whether an application's init container gets the
 * network: in the classic form istio-init runs last (its traffic leaves before any capture); with the proxy as a native
 * sidecar the order is istio-init, the proxy, then the application's (its traffic goes through the running proxy, unless
 * excluded). Judged with the injector's own output (istioctl kube-inject) replayed on real traffic: each init container
 * in the injected order, istio-init with the very arguments the injector gave it.
 */
describe("Istio's init order on real traffic: an application's init container, classic and native sidecar", { skip: judgeSkip(unavailable) }, () => {
    let tools: IstioTools;
    before(() => {
        requireJudge(unavailable);
        tools = istioTools();
    });

    const cases = [
        { native: false, rules: {}, reaches: "dest", why: "it runs before istio-init: nothing is captured yet" },
        { native: true, rules: {}, reaches: "sidecar-outbound", why: "it runs after the proxy: its traffic is captured and proxied" },
        { native: true, rules: { outbound: { excludePorts: [443] } }, reaches: "dest", why: "its port is excluded" },
    ];
    cases.forEach((c, k) => {
        it(`${c.native ? "native sidecar" : "classic sidecar"}${c.rules.outbound ? ", port 443 excluded" : ""}: the init container's call to 443 reaches ${c.reaches} (${c.why})`, async () => {
            const planner = new BypassPlanner(bypassArgs({ meshes: ["istio"], workloads: [workload("Deployment", "oracle", "app", c.rules)] }));
            const w = planner.plan().workloads[0];
            const doc = {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "app", namespace: "oracle" },
                spec: {
                    selector: { matchLabels: { app: "app" } },
                    template: {
                        metadata: { labels: { app: "app", ...w.labels }, annotations: w.annotations },
                        spec: {
                            initContainers: [{ name: "app-init", image: "registry.example/init:1" }],
                            containers: [{ name: "app", image: "registry.example/app:1" }],
                        },
                    },
                },
            };
            const [injected] = kubeInject(tools, [doc], { nativeSidecar: c.native });
            const inits = (injected as { spec: { template: { spec: { initContainers: Array<{ name: string; args?: string[] }> } } } }).spec.template.spec
                .initContainers;
            const order = inits.map((i) => i.name);
            assert.deepEqual(order, c.native ? ["istio-init", "istio-proxy", "app-init"] : ["app-init", "istio-init"]);

            const net = new PodNetwork(`o${k}`);
            try {
                net.up();
                await net.listen(net.pod, "sidecar-outbound", [15001]);
                await net.listen(net.client, "dest", [443]);
                let reached = "";
                for (const init of inits) {
                    if (init.name === "istio-init") {
                        const args = (init.args ?? []).filter((a) => a !== "istio-iptables");
                        net.exec(net.pod, [tools.pilotAgent, "istio-iptables", ...args]);
                    }
                    // The application's init container, as its user: who answers its call to an outside 443?
                    if (init.name === "app-init") reached = net.connect(net.pod, [[ADDR.destA4, 443]], 1000)[0].split(" ")[0];
                }
                assert.equal(reached, c.reaches);
            } finally {
                net.down();
            }
        });
    });
});
