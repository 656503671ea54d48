// The fixed corpus of rule sets the oracle tests push through Istio's own code: every rule field and the
// edge cases, each with why it is here. Disagreements found are kept here as cases.
import type { PlainBypassArgs } from "../../provider/index";
import { type PlainWorkloadOptions, workload } from "../helpers/builders";

export interface OracleCase {
    name: string;
    args: PlainBypassArgs;
}

const one = (rules: PlainWorkloadOptions) => [workload("Deployment", "corpus", "app", rules)];

export const CORPUS: OracleCase[] = [
    { name: "no rules: mesh defaults", args: { meshes: ["istio"], workloads: one({}) } },
    { name: "inbound excludes under the default *", args: { meshes: ["istio"], workloads: one({ inbound: { excludePorts: [8081, 9090, 22] } }) } },
    {
        name: "inbound include list (excludes then ignored by iptables)",
        args: { meshes: ["istio"], workloads: one({ inbound: { includePorts: [8080, 8443] } }) },
    },
    { name: "inbound includeAll with excludes", args: { meshes: ["istio"], workloads: one({ inbound: { includeAllPorts: true, excludePorts: [9100] } }) } },
    { name: "inbound capture off (empty include)", args: { meshes: ["istio"], workloads: one({ inbound: { includePorts: [] } }) } },
    {
        name: "status port already excluded (acknowledged)",
        args: { meshes: ["istio"], workloads: one({ inbound: { excludePorts: [15020, 7000], acknowledge: { sidecarPorts: true } } }) },
    },
    { name: "outbound port excludes", args: { meshes: ["istio"], workloads: one({ outbound: { excludePorts: [5432, 6379, 53] } }) } },
    {
        name: "outbound include ports with no IP capture",
        args: { meshes: ["istio"], workloads: one({ outbound: { includePorts: [443, 80], includeIpRanges: [] } }) },
    },
    {
        name: "IPv4 and IPv6 excludes: bare addresses, host bits, adjacency",
        args: {
            meshes: ["istio"],
            workloads: one({
                outbound: { excludeIpRanges: ["169.254.169.254", "192.0.2.1/24", "198.51.100.0/25", "198.51.100.128/25", "2001:db8::1", "2001:DB8:1::/48"] },
            }),
        },
    },
    {
        name: "include list of ranges",
        args: { meshes: ["istio"], workloads: one({ outbound: { includeIpRanges: ["10.0.0.0/8", "203.0.113.0/24", "2001:db8::/32"] } }) },
    },
    {
        name: "include everything, exclude a carve-out",
        args: { meshes: ["istio"], workloads: one({ outbound: { includeAllIpRanges: true, excludeIpRanges: ["203.0.113.0/26"] } }) },
    },
    {
        name: "explicit empty excludes (clear the install default)",
        args: { meshes: ["istio"], workloads: one({ outbound: { excludeIpRanges: [], excludePorts: [] }, inbound: { excludePorts: [] } }) },
    },
    { name: "full bypass", args: { meshes: ["istio", "kmesh"], workloads: one({ fullBypass: { enabled: true, acknowledged: true } }) } },
    {
        name: "every address excluded, acknowledged",
        args: { meshes: ["istio"], workloads: one({ outbound: { excludeIpRanges: ["0.0.0.0/0", "::/0"], acknowledge: { allAddresses: true } } }) },
    },
    {
        name: "three scopes with merge chains",
        args: {
            meshes: ["istio", "kuma"],
            global: { outbound: { excludeIpRanges: ["169.254.169.254/32"], excludePorts: [25] } },
            namespaces: [{ name: "corpus", outbound: { excludeIpRanges: ["192.0.2.0/25"], inherit: "merge" }, inbound: { excludePorts: [7001, 7002] } }],
            workloads: [
                { kind: "Deployment", namespace: "corpus", name: "a", outbound: { excludeIpRanges: ["192.0.2.128/25"], inherit: "merge" } },
                { kind: "StatefulSet", namespace: "corpus", name: "b", inbound: { excludePorts: [9000], inherit: "merge" } },
                { kind: "DaemonSet", namespace: "corpus", name: "c" },
            ],
        },
    },
    {
        name: "many ranges aggregated",
        args: { meshes: ["istio"], workloads: one({ outbound: { excludeIpRanges: Array.from({ length: 300 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`) } }) },
    },
    {
        name: "interfaces excluded and rerouted (istio-init -c and -k)",
        args: { meshes: ["istio"], workloads: one({ interfaces: { exclude: ["net1", "bond0.100"], rerouteVirtual: ["vnet0", "a23456789012345"] } }) },
    },
    {
        name: "interfaces merged across scopes, the primary interface acknowledged",
        args: {
            meshes: ["istio"],
            global: { interfaces: { exclude: ["net1"] } },
            workloads: one({ interfaces: { exclude: ["eth0"], inherit: "merge", acknowledge: { primaryInterface: true } } }),
        },
    },
    {
        name: "user ids (written for Kuma, reported for Istio)",
        args: {
            meshes: ["istio"],
            workloads: one({ outbound: { excludeUids: [{ uids: [1337, 1338] }, { uids: [2000], ports: [53, 8000, 8001], protocol: "udp" }] } }),
        },
    },
    {
        name: "ports at the edges",
        args: { meshes: ["istio"], workloads: one({ inbound: { excludePorts: [1, 65535] }, outbound: { excludePorts: [1, 65535] } }) },
    },
];
