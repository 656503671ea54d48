// fast-check generators for rule sets. Valid ones stay clear of the guardrails (or acknowledge them) so
// properties about valid input see mostly valid input.
import fc from "fast-check";
import { IPv4, IPv6 } from "ip-num";
import type { PlainBypassArgs } from "../../provider/index";
import { MESHES } from "../../provider/index";

const RESERVED = new Set(Object.values(MESHES).flatMap((m) => [...m.sidecarPorts.keys()]));

export const RUNS = Number(process.env.FC_NUM_RUNS ?? 2000);

export const port = fc.integer({ min: 1, max: 65535 }).filter((p) => !RESERVED.has(p));
export const ports = fc.array(port, { maxLength: 6 });

export const ipv4Cidr = fc
    .tuple(fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }), fc.integer({ min: 1, max: 32 }), fc.boolean())
    .map(([v, p, bare]) => (bare ? new IPv4(v).toString() : `${new IPv4(v).toString()}/${p}`));
export const ipv6Cidr = fc
    .tuple(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.integer({ min: 1, max: 128 }))
    .map(([v, p]) => `${new IPv6(v).toString()}/${p}`);
export const cidr = fc.oneof({ weight: 3, arbitrary: ipv4Cidr }, { weight: 1, arbitrary: ipv6Cidr });
export const cidrs = fc.array(cidr, { maxLength: 5 });

const inherit = fc.constantFrom("override" as const, "merge" as const);
const ack = { sidecarPorts: false, allAddresses: true, rootUser: true };

/** User ids around the edges that matter: root, common service users, Kuma's 16-bit limit, OpenShift's ranges. */
export const uid = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 998, max: 1003 }), fc.constantFrom(1337, 5996, 65535, 65536, 1000650000));
export const uidExclusion = fc.record(
    {
        uids: fc.array(uid, { minLength: 1, maxLength: 4 }),
        ports: fc.array(port, { minLength: 1, maxLength: 20 }),
        protocol: fc.constantFrom("tcp" as const, "udp" as const),
    },
    { requiredKeys: ["uids"] },
);
/** Secondary interfaces to exclude, and virtual ones to reroute: apart, so a scope rarely names one in both. */
export const interfaces = fc.record(
    {
        exclude: fc.uniqueArray(fc.constantFrom("net1", "net2", "eth1", "bond0.100"), { maxLength: 3 }),
        rerouteVirtual: fc.uniqueArray(fc.constantFrom("vnet0", "tap-vm", "docker0"), { maxLength: 2 }),
        inherit,
    },
    { requiredKeys: [] },
);

export const inbound = fc
    .record({ excludePorts: ports, includePorts: ports, includeAllPorts: fc.constant(true), excludeIpRanges: cidrs, inherit }, { requiredKeys: [] })
    .map((d) => (d.includeAllPorts && d.includePorts ? { ...d, includeAllPorts: undefined } : d))
    .map((d) => ({ ...d, acknowledge: ack }));

export const outbound = fc
    .record(
        {
            excludePorts: ports,
            includePorts: ports,
            excludeIpRanges: cidrs,
            includeIpRanges: cidrs,
            includeAllIpRanges: fc.constant(true),
            excludeUids: fc.array(uidExclusion, { maxLength: 3 }),
            inherit,
        },
        { requiredKeys: [] },
    )
    .map((d) => (d.includeAllIpRanges && d.includeIpRanges ? { ...d, includeAllIpRanges: undefined } : d))
    .map((d) => ({ ...d, acknowledge: ack }));

const fullBypass = fc.record({ enabled: fc.boolean(), acknowledged: fc.constant(true) });

export const scope = fc.record({ inbound, outbound, interfaces, fullBypass }, { requiredKeys: [] });

const NAMESPACES = ["team-a", "team-b", "team-c"];
const NAMES = ["web", "api", "db", "cache"];
const KINDS = ["Deployment", "StatefulSet", "DaemonSet"] as const;

export const workload = fc
    .record({ kind: fc.constantFrom(...KINDS), namespace: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...NAMES), rules: scope })
    .map(({ rules, ...id }) => ({ ...id, ...rules }));

/** Every mesh of the registry, so a new adapter is in the generated rule sets without a test edit. */
export const ALL_MESHES = Object.keys(MESHES) as (keyof typeof MESHES)[];
export const meshes = fc.subarray(ALL_MESHES, { minLength: 1 });

export const validArgs: fc.Arbitrary<PlainBypassArgs> = fc
    .record({
        meshes,
        global: scope,
        namespaces: fc.uniqueArray(fc.record({ name: fc.constantFrom(...NAMESPACES), rules: scope }), { selector: (n) => n.name, maxLength: 3 }),
        workloads: fc.uniqueArray(workload, { selector: (w) => `${w.kind}/${w.namespace}/${w.name}`, minLength: 1, maxLength: 6 }),
    })
    .map((a) => ({ ...a, meshes: [...a.meshes], namespaces: a.namespaces.map(({ rules, name }) => ({ name, ...rules })) }));
