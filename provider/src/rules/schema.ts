// Structure of the arguments, checked with zod, which also turns each CIDR text into its parsed value (so it is
// parsed once). What needs a whole scope in view (conflicts, guardrails) is checked afterwards, in normaliseScope;
// each mesh's own options are its adapter's schema.
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CloudMetadata, DestinationProtocol, DestinationType, Inherit, type Mesh, PassthroughMode, type SidecarBypassArgs, WorkloadKind } from "../args";
import { type Cidr, parseCidr } from "./cidr";
import { dnsLabel, dnsSubdomain } from "./kubeNames";
import type { MeshTraits } from "./meshTraits";

/** The values of an `as const` enum object, as zod's enum wants them. */
export const values = <T extends Record<string, string>>(o: T) => Object.values(o) as [T[keyof T], ...T[keyof T][]];

export const port = z
    .number({ error: "expected a port number from 1 to 65535" })
    .int({ error: "a port must be a whole number from 1 to 65535 (port ranges are not accepted by Istio or Kuma)" })
    .min(1, { error: "port 0 is not a port; expected 1 to 65535" })
    .max(65535, { error: "ports go up to 65535" });

const inherit = z.enum(values(Inherit));
const acknowledge = z.strictObject({ sidecarPorts: z.boolean().optional(), allAddresses: z.boolean().optional() });
const portList = z.array(port);
/** A CIDR entry as parsed: the canonical range, and a note when host bits were cleared. */
export interface ParsedCidr {
    readonly cidr: Cidr;
    readonly note?: string;
}

const cidrText = z.string({ error: "expected a CIDR string such as 10.0.0.0/8" }).transform((text, ctx): ParsedCidr => {
    const r = parseCidr(text);
    if (r.ok) return r.note ? { cidr: r.cidr, note: r.note } : { cidr: r.cidr };
    ctx.issues.push({ code: "custom", message: r.message, input: text });
    return z.NEVER;
});
const cidrList = z.array(cidrText);

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
        expires: z.iso
            .datetime({ offset: true, error: (issue) => `'${String(issue.input)}' is not an RFC 3339 time; expected e.g. 2026-12-01T18:00:00Z` })
            .optional(),
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

export const globalRulesSchema = z.strictObject(scopeShape);
export const namespaceRulesSchema = z.strictObject({ name: dnsLabel, ...scopeShape });
export const workloadRulesSchema = z.strictObject({
    kind: z.enum(values(WorkloadKind)),
    namespace: dnsLabel,
    name: dnsSubdomain,
    declaredInProgram: z.boolean().optional(),
    ...scopeShape,
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

/** The arguments other than the meshes' own options, fully typed: what the interfaces are checked against. */
const coreArgsSchema = z.strictObject({
    meshes: z.array(z.string()),
    global: globalRulesSchema.optional(),
    namespaces: z.array(namespaceRulesSchema).optional(),
    workloads: z.array(workloadRulesSchema).optional(),
    rolloutHash: z.boolean().optional(),
    rollout: rolloutOptions.optional(),
    takeOwnership: z.boolean({ error: "expected true or false" }).optional(),
});

/**
 * The top of the arguments, with each scope and each mesh's options left unparsed, so every scope's problems
 * are reported on their own; the mesh names and option keys come from the meshes given.
 */
export function argsShapeSchema(meshes: Readonly<Record<string, MeshTraits>>) {
    const ids = Object.keys(meshes);
    const withOptions = ids.filter((id) => meshes[id].options !== undefined);
    return coreArgsSchema.extend({
        meshes: z.array(z.enum(ids as [string, ...string[]])).min(1, { error: `name at least one mesh, e.g. ["${ids[0]}"]` }),
        global: z.unknown().optional(),
        namespaces: z.array(z.unknown(), { error: "expected a list of namespace rules" }).optional(),
        workloads: z.array(z.unknown(), { error: "expected a list of workload rules" }).optional(),
        ...Object.fromEntries(withOptions.map((id) => [id, z.unknown().optional()])),
    });
}

/** Every schema of the arguments, for walking them (key suggestions). */
export function argsSchemas(meshes: Readonly<Record<string, MeshTraits>>): z.ZodType[] {
    return [coreArgsSchema, ...Object.values(meshes).flatMap((m) => (m.options ? [m.options.schema] : []))];
}

/** The arguments with every Input resolved: what `planBypass` takes. */
export type PlainBypassArgs = pulumi.Unwrap<SidecarBypassArgs>;
export type ParsedScope = z.output<typeof globalRulesSchema>;

// Compile-time link between the hand-written interfaces and the schema: each accepts what the other does.
// (The meshes' options are linked the same way in their adapters.)
export type Assert<T extends true> = T;
type CoreArgs = Omit<PlainBypassArgs, Mesh>;
export type SchemaAcceptsInterfaces = Assert<CoreArgs extends z.input<typeof coreArgsSchema> ? true : false>;
export type InterfacesAcceptSchema = Assert<z.input<typeof coreArgsSchema> extends Omit<CoreArgs, "meshes"> ? true : false>;
