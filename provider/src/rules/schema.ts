// Structure of the arguments, checked with zod. Values the meshes care about (CIDR text, port meaning,
// conflicts, guardrails) are checked afterwards in validateRules, where the whole scope is in view.
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
    CloudMetadata,
    DestinationProtocol,
    DestinationType,
    Inherit,
    IstioDataplaneMode,
    Mesh,
    PassthroughMode,
    WorkloadKind,
    type SidecarBypassArgs,
} from "../args";
import { parseCidr } from "./cidr";
import { MAX_GO_DURATION_SECONDS, durationSeconds, toProtoDuration } from "./duration";

const values = <T extends Record<string, string>>(o: T) => Object.values(o) as [T[keyof T], ...T[keyof T][]];

export const port = z
    .number({ error: "expected a port number from 1 to 65535" })
    .int({ error: "a port must be a whole number from 1 to 65535 (port ranges are not accepted by Istio or Kuma)" })
    .min(1, { error: "port 0 is not a port; expected 1 to 65535" })
    .max(65535, { error: "ports go up to 65535" });

const inherit = z.enum(values(Inherit));
const acknowledge = z.strictObject({ sidecarPorts: z.boolean().optional(), allAddresses: z.boolean().optional() });
const portList = z.array(port);
const cidrList = z.array(
    z.string({ error: "expected a CIDR string such as 10.0.0.0/8" }).superRefine((text, ctx) => {
        const r = parseCidr(text);
        if (!r.ok) ctx.addIssue({ code: "custom", message: r.message });
    }),
);

const inbound = z.strictObject({
    excludePorts: portList.optional(),
    includePorts: portList.optional(),
    includeAllPorts: z.boolean().optional(),
    inherit: inherit.optional(),
    inheritFields: z.strictObject({ excludePorts: inherit.optional(), includePorts: inherit.optional() }).optional(),
    acknowledge: acknowledge.optional(),
});

const outbound = z.strictObject({
    excludePorts: portList.optional(),
    includePorts: portList.optional(),
    excludeIpRanges: cidrList.optional(),
    excludeCloudMetadata: z.array(z.enum(values(CloudMetadata), { error: `expected one of ${Object.values(CloudMetadata).join(", ")}` })).optional(),
    includeIpRanges: cidrList.optional(),
    includeAllIpRanges: z.boolean().optional(),
    inherit: inherit.optional(),
    inheritFields: z
        .strictObject({
            excludePorts: inherit.optional(),
            includePorts: inherit.optional(),
            excludeIpRanges: inherit.optional(),
            includeIpRanges: inherit.optional(),
        })
        .optional(),
    acknowledge: acknowledge.optional(),
});

const fullBypass = z
    .strictObject({
        enabled: z.boolean({ error: "expected enabled: true or false" }),
        acknowledged: z.boolean().optional(),
        reason: z.string().optional(),
        expires: z.string().optional(),
    })
    .superRefine((fb, ctx) => {
        if (fb.enabled && fb.acknowledged !== true) {
            ctx.addIssue({
                code: "custom",
                path: ["acknowledged"],
                message: "a full bypass takes every pod of the workload out of the mesh (no mTLS, no policy, plaintext to peers); set acknowledged: true",
            });
        }
    });

const destination = z.strictObject({
    type: z.enum(values(DestinationType)),
    value: z.string().min(1, { error: "expected a domain, IP or CIDR" }),
    port: port.optional(),
    protocol: z.enum(values(DestinationProtocol)).optional(),
});

const passthrough = z.strictObject({
    mode: z.enum(values(PassthroughMode)),
    destinations: z.array(destination).optional(),
});

const scopeShape = {
    inbound: inbound.optional(),
    outbound: outbound.optional(),
    fullBypass: fullBypass.optional(),
    passthrough: passthrough.optional(),
};

// Kubernetes name rules: namespaces are DNS labels, workloads DNS subdomains.
const dnsLabel = z
    .string()
    .max(63, { error: "a namespace name has at most 63 characters" })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
        error: "a namespace name is lower-case letters, digits and '-', starting and ending with a letter or digit",
    });
const dnsSubdomain = z
    .string()
    .max(253, { error: "a workload name has at most 253 characters" })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
        error: "a workload name is lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
    });

export const globalRulesSchema = z.strictObject(scopeShape);
export const namespaceRulesSchema = z.strictObject({ name: dnsLabel, ...scopeShape });
export const workloadRulesSchema = z.strictObject({
    kind: z.enum(values(WorkloadKind)),
    namespace: dnsLabel,
    name: dnsSubdomain,
    declaredInProgram: z.boolean().optional(),
    ...scopeShape,
});

const duration = z
    .string()
    .regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, { error: "expected a duration such as 10s, 500ms or 1h" })
    .refine((d) => durationSeconds(d) <= MAX_GO_DURATION_SECONDS, {
        error: "at most 2562047h (kuma-cp reads it as a Go duration, which cannot be longer)",
    });
// Envoy refuses a zero connect timeout; kuma-cp accepts the policy and then fails to build the proxy's config.
const connectTimeout = duration.refine((d) => toProtoDuration(d) !== "0s", {
    error: "must be at least 1ms (Envoy refuses a zero connect timeout), e.g. 10s",
});
// Envoy's circuit-breaker thresholds are uint32.
const count = z
    .number()
    .int({ error: "expected a whole number" })
    .min(0, { error: "must not be negative" })
    .max(4294967295, { error: "at most 4294967295 (Envoy's thresholds are 32-bit)" });

export const istioInstallDefaultsSchema = z.strictObject({
    includeIPRanges: z.string().optional(),
    excludeIPRanges: z.string().optional(),
    includeInboundPorts: z.string().optional(),
    excludeInboundPorts: z.string().optional(),
    includeOutboundPorts: z.string().optional(),
    excludeOutboundPorts: z.string().optional(),
    statusPort: z.number().int().min(0).max(65535).optional(),
});

const istioOptions = z.strictObject({
    dataplaneMode: z.enum(values(IstioDataplaneMode), { error: "expected sidecar or ambient" }).optional(),
    installDefaults: istioInstallDefaultsSchema.optional(),
    readInstallDefaults: z.strictObject({ namespace: dnsLabel.optional(), name: dnsSubdomain.optional() }).optional(),
});

const kumaOptions = z.strictObject({
    version: z
        .string({ error: "expected a Kuma version such as 2.14 or 3.0" })
        .regex(/^([2-9]|[1-9]\d+)\.\d+(\.\d+)?$/, { error: "expected a Kuma version 2.x or later, such as 2.14 or 3.0" })
        .optional(),
    mesh: dnsSubdomain.optional(),
    systemNamespace: dnsLabel.optional(),
    passthrough: z.boolean().optional(),
    passthroughCluster: z
        .strictObject({
            maxConnections: count.optional(),
            maxPendingRequests: count.optional(),
            maxRequests: count.optional(),
            maxRetries: count.optional(),
            connectTimeout: connectTimeout.optional(),
            tcpIdleTimeout: duration.optional(),
        })
        .optional(),
});

const rolloutOptions = z.strictObject({
    wait: z.boolean({ error: "expected true or false" }).optional(),
    timeoutSeconds: z
        .number({ error: "expected a number of seconds from 1 to 86400" })
        .int({ error: "expected a whole number of seconds from 1 to 86400" })
        .min(1, { error: "expected at least 1 second; to not wait at all, set rollout.wait to false" })
        .max(86400, { error: "expected at most 86400 seconds (a day)" })
        .optional(),
});

/** The whole arguments. Used for the compile-time check below and by `argsShapeSchema`. */
export const argsSchema = z.strictObject({
    meshes: z.array(z.enum(values(Mesh))).min(1, { error: "name at least one mesh, e.g. [\"istio\"]" }),
    global: globalRulesSchema.optional(),
    namespaces: z.array(namespaceRulesSchema).optional(),
    workloads: z.array(workloadRulesSchema).optional(),
    istio: istioOptions.optional(),
    kuma: kumaOptions.optional(),
    rolloutHash: z.boolean().optional(),
    rollout: rolloutOptions.optional(),
    takeOwnership: z.boolean({ error: "expected true or false" }).optional(),
});

/** The arguments with each scope left unparsed, so every scope's problems are reported independently. */
export const argsShapeSchema = argsSchema.extend({
    global: z.unknown().optional(),
    namespaces: z.array(z.unknown(), { error: "expected a list of namespace rules" }).optional(),
    workloads: z.array(z.unknown(), { error: "expected a list of workload rules" }).optional(),
});

/** The arguments with every Input resolved: what `planBypass` takes. */
export type PlainBypassArgs = pulumi.Unwrap<SidecarBypassArgs>;
export type ParsedArgs = z.output<typeof argsSchema>;
export type ParsedScope = z.output<typeof globalRulesSchema>;
export type ParsedNamespace = z.output<typeof namespaceRulesSchema>;
export type ParsedWorkload = z.output<typeof workloadRulesSchema>;

// Compile-time link between the hand-written interfaces and the schema: each must accept the other.
type Assert<T extends true> = T;
export type SchemaAcceptsInterfaces = Assert<PlainBypassArgs extends z.input<typeof argsSchema> ? true : false>;
export type InterfacesAcceptSchema = Assert<ParsedArgs extends PlainBypassArgs ? true : false>;

const KNOWN_KEYS = [
    ...Object.keys(argsSchema.shape),
    ...Object.keys(inbound.shape),
    ...Object.keys(outbound.shape),
    "enabled",
    "acknowledged",
    "reason",
    "expires",
    ...Object.keys(destination.shape),
    ...Object.keys(passthrough.shape),
    ...Object.keys(workloadRulesSchema.shape),
    ...Object.keys(istioInstallDefaultsSchema.shape),
    ...Object.keys(kumaOptions.shape),
    ...Object.keys(rolloutOptions.shape),
    "sidecarPorts",
    "allAddresses",
];

/** The known field closest to a misspelt one, if it is close enough to be a likely typo. */
export function suggestKey(key: string): string | undefined {
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(key.length / 4)) + 1;
    for (const k of new Set(KNOWN_KEYS)) {
        const d = editDistance(key.toLowerCase(), k.toLowerCase());
        if (d < bestDistance) {
            best = k;
            bestDistance = d;
        }
    }
    return best;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}
