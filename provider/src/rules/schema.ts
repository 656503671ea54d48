// Structure of the arguments, checked with zod, which also turns each CIDR text into its parsed value (so it is
// parsed once). What needs a whole scope in view (conflicts, guardrails) is checked afterwards, in normaliseScope;
// each mesh's own options are its adapter's schema.
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AdmissionMode, CloudMetadata, Inherit, type Mesh, type SidecarBypassArgs, UidProtocol, WorkloadKind } from "../args";
import { type Cidr, parseCidr } from "./cidr";
import { dnsLabel, dnsSubdomain } from "./kubeNames";
import type { MeshTraits } from "./meshTraits";

/** The values of an `as const` enum object, as zod's enum wants them. */
export const values = <T extends Record<string, string>>(o: T) => Object.values(o) as [T[keyof T], ...T[keyof T][]];

export const port = z
    .number({ error: "expected a port number from 1 to 65535" })
    .int({ error: "a port must be a whole number from 1 to 65535 (list each port: not every mesh accepts a range)" })
    .min(1, { error: "port 0 is not a port; expected 1 to 65535" })
    .max(65535, { error: "ports go up to 65535" });

const inherit = z.enum(values(Inherit));
const acknowledge = z.strictObject({ sidecarPorts: z.boolean().optional(), allAddresses: z.boolean().optional(), rootUser: z.boolean().optional() });
const portList = z.array(port);

/**
 * A network interface name as Istio accepts it: trimmed, at most 15 characters, a letter first, then letters,
 * digits, `_`, `.` or `-` (istio/istio pkg/util/net/ip.go ValidateInterfaceNames, which the injector runs on
 * excludeInterfaces and reroute-virtual-interfaces; checked at istio.io/istio v0.0.0-20260827124520-eed52ebb66ad).
 */
export const INTERFACE_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]*$/;
export const INTERFACE_NAME_MAX = 15;

export const interfaceName = z.string({ error: "expected a network interface name such as net1" }).transform((raw, ctx) => {
    const name = raw.trim();
    if (name.length <= INTERFACE_NAME_MAX && INTERFACE_NAME.test(name)) return name;
    ctx.issues.push({
        code: "custom",
        input: raw,
        message:
            `'${raw}' is not a network interface name the meshes accept: at most ${INTERFACE_NAME_MAX} characters, a letter first, ` +
            "then letters, digits, '_', '.' or '-', one name per entry (e.g. net1)",
    });
    return z.NEVER;
});

/** A Linux user id; 4294967295 is (uid_t)-1, which names no user. */
export const uid = z
    .number({ error: "expected a user id from 0 to 4294967294" })
    .int({ error: "a user id is a whole number from 0 to 4294967294" })
    .min(0, { error: "user ids start at 0" })
    .max(4294967294, { error: "user ids go up to 4294967294 (4294967295 is (uid_t)-1, no user)" });

const uidExclusion = z.strictObject({
    uids: z.array(uid, { error: "expected a list of user ids" }).min(1, { error: "name at least one user id" }),
    ports: portList.min(1, { error: "give at least one port, or leave ports out to exclude every port" }).optional(),
    protocol: z.enum(values(UidProtocol), { error: `expected ${Object.values(UidProtocol).join(" or ")} (leave it out for both)` }).optional(),
});
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
    excludeIpRanges: cidrList.optional(),
    inherit: inherit.optional(),
    inheritFields: z.strictObject({ excludePorts: inherit.optional(), includePorts: inherit.optional(), excludeIpRanges: inherit.optional() }).optional(),
    acknowledge: acknowledge.optional(),
});

const outbound = z.strictObject({
    excludePorts: portList.optional(),
    includePorts: portList.optional(),
    excludeIpRanges: cidrList.optional(),
    excludeCloudMetadata: z.array(z.enum(values(CloudMetadata), { error: `expected one of ${Object.values(CloudMetadata).join(", ")}` })).optional(),
    includeIpRanges: cidrList.optional(),
    includeAllIpRanges: z.boolean().optional(),
    excludeUids: z.array(uidExclusion, { error: "expected a list of user-id exclusions such as { uids: [1000] }" }).optional(),
    inherit: inherit.optional(),
    inheritFields: z
        .strictObject({
            excludePorts: inherit.optional(),
            includePorts: inherit.optional(),
            excludeIpRanges: inherit.optional(),
            includeIpRanges: inherit.optional(),
            excludeUids: inherit.optional(),
        })
        .optional(),
    acknowledge: acknowledge.optional(),
});

const interfaces = z.strictObject({
    exclude: z.array(interfaceName).optional(),
    rerouteVirtual: z.array(interfaceName).optional(),
    inherit: inherit.optional(),
    inheritFields: z.strictObject({ exclude: inherit.optional(), rerouteVirtual: inherit.optional() }).optional(),
    acknowledge: z.strictObject({ primaryInterface: z.boolean().optional() }).optional(),
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

const scopeShape = {
    inbound: inbound.optional(),
    outbound: outbound.optional(),
    interfaces: interfaces.optional(),
    fullBypass: fullBypass.optional(),
};

const globalRules = z.strictObject(scopeShape);
const namespaceRules = z.strictObject({ name: dnsLabel, ...scopeShape });
const workloadRules = z.strictObject({
    kind: z.enum(values(WorkloadKind)),
    namespace: dnsLabel,
    name: dnsSubdomain,
    declaredInProgram: z.boolean().optional(),
    replaceOnDeletePods: z.boolean({ error: "expected true or false" }).optional(),
    ...scopeShape,
});

/** What a scope parsed under the keys of the meshes' scope extensions (each extension's schema types its own). */
type ParsedExtensions = { readonly [extensionKey: string]: unknown };

/** The schemas of each level's scope, with the keys the meshes' scope extensions add. */
export interface ScopeSchemas {
    readonly global: z.ZodType<ParsedScope>;
    readonly namespace: z.ZodType<z.output<typeof namespaceRules> & ParsedExtensions>;
    readonly workload: z.ZodType<z.output<typeof workloadRules> & ParsedExtensions>;
}

const scopeSchemasMade = new WeakMap<Readonly<Record<string, MeshTraits>>, ScopeSchemas>();

export function scopeSchemas(meshes: Readonly<Record<string, MeshTraits>>): ScopeSchemas {
    let made = scopeSchemasMade.get(meshes);
    if (!made) {
        const keys: Record<string, z.ZodType> = {};
        for (const m of Object.values(meshes)) if (m.scopeExtension) keys[m.scopeExtension.key] = m.scopeExtension.schema.optional();
        // The keys are the meshes', so zod types their values loosely; each extension's normalise reads its own.
        const extend = <S extends z.ZodObject>(s: S) => s.extend(keys) as unknown as z.ZodType<z.output<S> & ParsedExtensions>;
        made = { global: extend(globalRules), namespace: extend(namespaceRules), workload: extend(workloadRules) };
        scopeSchemasMade.set(meshes, made);
    }
    return made;
}

const rolloutOptions = z.strictObject({
    wait: z.boolean({ error: "expected true or false" }).optional(),
    timeoutSeconds: z
        .number({ error: "expected a number of seconds from 1 to 86400" })
        .int({ error: "expected a whole number of seconds from 1 to 86400" })
        .min(1, { error: "expected at least 1 second; to not wait at all, set rollout.wait to false" })
        .max(86400, { error: "expected at most 86400 seconds (a day)" })
        .optional(),
    replaceOnDeletePods: z.boolean({ error: "expected true or false" }).optional(),
});

const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
    error: "a label key is an optional DNS-subdomain prefix and '/', then a name of at most 63 letters, digits, '-', '_' or '.'",
});
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, {
    error: "a label value is at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
});

const admissionOptions = z.strictObject({
    mode: z.enum(values(AdmissionMode), { error: `expected ${Object.values(AdmissionMode).join(", ")}` }).optional(),
    globalNamespaces: z.array(dnsLabel).optional(),
    globalNamespaceLabels: z.record(labelKey, labelValue).optional(),
});

/** The arguments other than the meshes' own options, fully typed: what the interfaces are checked against. */
const coreArgsSchema = z.strictObject({
    meshes: z.array(z.string()),
    global: globalRules.optional(),
    namespaces: z.array(namespaceRules).optional(),
    workloads: z.array(workloadRules).optional(),
    rolloutHash: z.boolean().optional(),
    rollout: rolloutOptions.optional(),
    takeOwnership: z.boolean({ error: "expected true or false" }).optional(),
    admission: admissionOptions.optional(),
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
    const { global, namespace, workload } = scopeSchemas(meshes);
    return [coreArgsSchema, global, namespace, workload, ...Object.values(meshes).flatMap((m) => (m.options ? [m.options.schema] : []))];
}

/** The arguments with every Input resolved: what `planBypass` takes. */
export type PlainBypassArgs = pulumi.Unwrap<SidecarBypassArgs>;
/** A scope as parsed: the rules every mesh reads, and what the meshes' extensions parsed under their keys. */
export type ParsedScope = z.output<typeof globalRules> & ParsedExtensions;

// Compile-time link between the hand-written interfaces and the schema: each accepts what the other does.
// (The meshes' options are linked the same way in their adapters.)
export type Assert<T extends true> = T;
type CoreArgs = Omit<PlainBypassArgs, Mesh>;
export type SchemaAcceptsInterfaces = Assert<CoreArgs extends z.input<typeof coreArgsSchema> ? true : false>;
export type InterfacesAcceptSchema = Assert<z.input<typeof coreArgsSchema> extends Omit<CoreArgs, "meshes"> ? true : false>;
