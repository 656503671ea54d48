// Two network namespaces on a veth pair: one plays the pod, the other its clients and the outside
// destinations. Only documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).
// Every process started is tracked by PID and killed, and both namespaces are deleted, in `down()`.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { type Cidr, parseCidr, type UidRule, type WorkloadPlan } from "../../provider/index";

export const ADDR = {
    podV4: "192.0.2.2",
    podV6: "2001:db8::2",
    /** Where the pod's inbound connections come from (the client's address on the pod's subnet). */
    clientV4: "192.0.2.1",
    clientV6: "2001:db8::1",
    /** Destinations outside the pod: A ranges are the ones the cases exclude, B the ones they do not. */
    destA4: "198.51.100.10",
    destB4: "203.0.113.10",
    destA6: "2001:db8:1::10",
    destB6: "2001:db8:2::10",
};

const PEER = join(__dirname, "netPeer.js");

function sh(args: string[]): string {
    return execFileSync(args[0], args.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
}

/**
 * Why this machine cannot run the network tests, or undefined when it can. It installs what the tests need
 * (Debian's iptables and iproute2) before it decides, so a fresh machine where root can make namespaces runs
 * them; only a kernel or sandbox that refuses namespaces is a reason to skip.
 */
export function netnsUnavailable(): string | undefined {
    if (process.getuid?.() !== 0) return "not running as root, so no network namespaces can be created";
    try {
        execFileSync("bash", [join(__dirname, "..", "..", "..", "tools", "ensure-iptables.sh")], {
            stdio: ["ignore", "inherit", "inherit"],
            timeout: 10 * 60_000,
        });
    } catch (e) {
        return `could not install iptables, nftables and iproute2 (tools/ensure-iptables.sh): ${(e as Error).message.split("\n")[0]}`;
    }
    const probe = `sbprobe${process.pid}`;
    try {
        sh(["ip", "netns", "add", probe]);
        sh(["ip", "netns", "exec", probe, "iptables", "-t", "nat", "-S"]);
    } catch (e) {
        return `cannot create a network namespace with working iptables here: ${(e as Error).message.split("\n")[0]}`;
    } finally {
        try {
            sh(["ip", "netns", "del", probe]);
        } catch {
            // it was never created
        }
    }
    return undefined;
}

/**
 * A second interface of the pod, `net1` (as a Multus attachment or a VM's bridge would be), linked to a peer namespace
 * of its own. Its IPv4 subnet is the upper half of 203.0.113.0/24, which the pod otherwise reaches through eth0 only
 * for 203.0.113.10 (the lower half), so both paths stay apart.
 */
export const NET1 = {
    name: "net1",
    podV4: "203.0.113.129",
    peerV4: "203.0.113.130",
    podV6: "2001:db8:ff::2",
    peerV6: "2001:db8:ff::1",
};

export class PodNetwork {
    readonly pod: string;
    readonly client: string;
    /** The peer namespace behind the pod's net1, once `attachNet1` made it. */
    readonly peer: string;
    private readonly children: ChildProcess[] = [];

    constructor(id: string) {
        this.pod = `sb${process.pid}-${id}-pod`;
        this.client = `sb${process.pid}-${id}-cli`;
        this.peer = `sb${process.pid}-${id}-net1`;
    }

    /** Gives the pod a second interface, net1, to the peer namespace (see NET1). */
    attachNet1(): void {
        const { pod, peer } = this;
        sh(["ip", "netns", "add", peer]);
        sh(["ip", "-n", pod, "link", "add", NET1.name, "type", "veth", "peer", "name", "eth0", "netns", peer]);
        for (const [ns, dev, cidrs] of [
            [pod, NET1.name, [`${NET1.podV4}/25`, `${NET1.podV6}/64`]],
            [peer, "eth0", [`${NET1.peerV4}/25`, `${NET1.peerV6}/64`]],
        ] as const) {
            for (const c of cidrs) sh(["ip", "-n", ns, "addr", "add", c, "dev", dev, ...(c.includes(":") ? ["nodad"] : [])]);
            sh(["ip", "-n", ns, "link", "set", "lo", "up"]);
            sh(["ip", "-n", ns, "link", "set", dev, "up"]);
        }
    }

    up(): void {
        const { pod, client } = this;
        sh(["ip", "netns", "add", pod]);
        sh(["ip", "netns", "add", client]);
        sh(["ip", "-n", pod, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", client]);
        for (const [ns, cidrs] of [
            [pod, ["192.0.2.2/24", "2001:db8::2/64"]],
            [client, ["192.0.2.1/24", "198.51.100.10/24", "203.0.113.10/24", "2001:db8::1/64", "2001:db8:1::10/64", "2001:db8:2::10/64"]],
        ] as const) {
            for (const c of cidrs) sh(["ip", "-n", ns, "addr", "add", c, "dev", "eth0", ...(c.includes(":") ? ["nodad"] : [])]);
            sh(["ip", "-n", ns, "link", "set", "lo", "up"]);
            sh(["ip", "-n", ns, "link", "set", "eth0", "up"]);
        }
        sh(["ip", "-n", pod, "route", "add", "default", "via", "192.0.2.1"]);
        sh(["ip", "-n", pod, "-6", "route", "add", "default", "via", "2001:db8::1"]);
    }

    /** Starts a listener in `ns` and waits until every port is bound. */
    async listen(ns: string, tag: string, ports: number[]): Promise<void> {
        const child = spawn("ip", ["netns", "exec", ns, process.execPath, PEER, "listen", tag, ...ports.map(String)], { stdio: ["ignore", "pipe", "pipe"] });
        this.children.push(child);
        await new Promise<void>((resolve, reject) => {
            let bound = 0;
            let err = "";
            const timer = setTimeout(() => reject(new Error(`listener ${tag} in ${ns} did not start: ${err}`)), 10_000);
            child.stdout!.on("data", (d: Buffer) => {
                bound += d
                    .toString()
                    .split("\n")
                    .filter((l) => l.startsWith("listening")).length;
                if (bound >= ports.length) {
                    clearTimeout(timer);
                    resolve();
                }
            });
            child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
            child.on("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`listener ${tag} in ${ns} exited (${code}): ${err}`));
            });
        });
    }

    /**
     * Connects from `ns` to each target in turn, as `uid` when given (root otherwise); returns who answered ("app",
     * "sidecar-inbound", ...) or "error ...".
     */
    connect(ns: string, targets: Array<[string, number]>, uid?: number): string[] {
        const out = sh(["ip", "netns", "exec", ns, process.execPath, PEER, "connect", JSON.stringify(targets), ...(uid === undefined ? [] : [String(uid)])]);
        return JSON.parse(out) as string[];
    }

    /**
     * Connects from the client to each app port on the pod's IPv4 and IPv6 addresses, and from the pod to each
     * destination port on the outside addresses (A ranges, then B, each family), and compares who answered with
     * what the caller says should: returns one line per connection that went elsewhere.
     */
    trafficMismatches(
        appPorts: number[],
        destPorts: number[],
        want: { inbound: (address: string, port: number) => string; outbound: (address: string, port: number) => string },
        /** The user the pod's outbound connections run as (root when unset), as an init container's or agent's would. */
        options: { uid?: number } = {},
    ): string[] {
        const inbound: Array<[string, number]> = [ADDR.podV4, ADDR.podV6].flatMap((a) => appPorts.map((p) => [a, p] as [string, number]));
        const outbound: Array<[string, number]> = [ADDR.destA4, ADDR.destB4, ADDR.destA6, ADDR.destB6].flatMap((a) =>
            destPorts.map((p) => [a, p] as [string, number]),
        );
        const got = [...this.connect(this.client, inbound), ...this.connect(this.pod, outbound, options.uid)].map((answer) => answer.split(" ")[0]);
        const expected = [...inbound.map(([a, p]) => want.inbound(a, p)), ...outbound.map(([a, p]) => want.outbound(a, p))];
        const as = options.uid === undefined ? "" : ` as uid ${options.uid}`;
        const rows = [...inbound.map((t) => `in  ${t[0]}:${t[1]}`), ...outbound.map((t) => `out ${t[0]}:${t[1]}${as}`)];
        return rows.flatMap((r, i) => (got[i] === expected[i] ? [] : [`${r}: reached ${got[i]}, plan says ${expected[i]}`]));
    }

    /** Runs a command inside `ns`. */
    exec(ns: string, command: string[]): string {
        return sh(["ip", "netns", "exec", ns, ...command]);
    }

    down(): void {
        for (const c of this.children) {
            if (c.exitCode === null && c.pid) {
                try {
                    process.kill(c.pid, "SIGKILL");
                } catch {
                    // already gone
                }
            }
        }
        for (const ns of [this.pod, this.client, this.peer]) {
            try {
                sh(["ip", "netns", "del", ns]);
            } catch {
                // not created
            }
        }
    }
}

/** What a workload's effective rules exclude from its proxy, as the data-plane tests ask it. */
export interface PlannedExclusions {
    inboundPort(port: number): boolean;
    /** Inbound connections from this source address skip the proxy (`inbound.excludeIpRanges`). */
    inboundFrom(address: string): boolean;
    outboundPort(port: number): boolean;
    outboundAddress(address: string): boolean;
    /** The user-id rules that a mesh writes (`written` says which: each mesh states its own limits) cover this TCP connection. */
    outboundTcpFrom(uid: number, port: number, written: (rule: UidRule) => boolean): boolean;
}

export function plannedExclusions(w: WorkloadPlan): PlannedExclusions {
    const fields = w.effective.fields;
    const inPorts = new Set(fields["inbound.excludePorts"]?.ports ?? []);
    const outPorts = new Set(fields["outbound.excludePorts"]?.ports ?? []);
    const parsed = (texts: readonly string[] = []) =>
        texts.flatMap((text) => {
            const r = parseCidr(text);
            return r.ok ? [r.cidr] : [];
        });
    const inside = (ranges: readonly Cidr[], a: string) => {
        const p = parseCidr(a);
        return p.ok && ranges.some((r) => r.family === p.cidr.family && r.first <= p.cidr.first && p.cidr.last <= r.last);
    };
    const sources = parsed(fields["inbound.excludeIpRanges"]?.cidrs);
    const ranges = parsed(fields["outbound.excludeIpRanges"]?.cidrs);
    const uids = fields["outbound.excludeUids"]?.uids ?? [];
    return {
        outboundTcpFrom: (uid, port, written) =>
            uids.some((r) => written(r) && r.first <= uid && uid <= r.last && r.protocol !== "udp" && (r.ports.length === 0 || r.ports.includes(port))),
        inboundPort: (p) => inPorts.has(p),
        inboundFrom: (a) => inside(sources, a),
        outboundPort: (p) => outPorts.has(p),
        outboundAddress: (a) => inside(ranges, a),
    };
}
