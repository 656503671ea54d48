// Kuma's own options (`args.kuma`): their schema, and the settings they give with their defaults.
import { z } from "zod";
import { dnsLabel, dnsSubdomain } from "../../rules/kubeNames";
import type { OptionsContext } from "../../rules/meshTraits";
import type { Assert, PlainBypassArgs } from "../../rules/schema";
import { goDuration, protoDuration } from "./duration";

export interface PassthroughCluster {
    readonly maxConnections: number;
    readonly maxPendingRequests: number;
    readonly maxRequests: number;
    readonly maxRetries: number;
    /** Protobuf JSON durations (seconds), e.g. `10s`. */
    readonly connectTimeout: string;
    readonly tcpIdleTimeout: string;
}

export interface KumaSettings {
    /** The major version the mesh runs: 2 patches the Mesh for passthrough, 3 and later use a MeshPassthrough. */
    readonly major: number;
    readonly mesh: string;
    readonly systemNamespace: string;
    readonly passthrough?: boolean;
    readonly passthroughCluster?: PassthroughCluster;
}

// Envoy refuses a zero connect timeout; kuma-cp accepts the policy and then fails to build the proxy's config.
const connectTimeout = goDuration.refine((seconds) => protoDuration(seconds) !== "0s", {
    error: "must be at least 1ms (Envoy refuses a zero connect timeout), e.g. 10s",
});
// Envoy's circuit-breaker thresholds are uint32.
const count = z
    .number()
    .int({ error: "expected a whole number" })
    .min(0, { error: "must not be negative" })
    .max(4294967295, { error: "at most 4294967295 (Envoy's thresholds are 32-bit)" });

export const optionsSchema = z.strictObject({
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
            tcpIdleTimeout: goDuration.optional(),
        })
        .optional(),
});

// The hand-written interface and the schema accept the same options.
type KumaArgs = NonNullable<PlainBypassArgs["kuma"]>;
export type KumaSchemaAcceptsInterface = Assert<KumaArgs extends z.input<typeof optionsSchema> ? true : false>;
export type KumaInterfaceAcceptsSchema = Assert<z.input<typeof optionsSchema> extends KumaArgs ? true : false>;

/** Kuma's passthrough-cluster defaults (Kuma docs: ProxyTemplate / MeshProxyPatch). */
const PASSTHROUGH_CLUSTER_DEFAULTS = {
    maxConnections: 1024,
    maxPendingRequests: 1024,
    maxRequests: 1024,
    maxRetries: 3,
    /** Seconds: 10s and 1h. */
    connectTimeout: 10,
    tcpIdleTimeout: 3600,
};

export function readSettings(k: z.output<typeof optionsSchema> | undefined, ctx: OptionsContext): KumaSettings {
    if ((k?.passthrough !== undefined || k?.passthroughCluster) && !ctx.selected) {
        ctx.issues.warn("kuma", "Kuma options are set but Kuma is not in meshes; no Kuma objects are emitted");
    }
    const cluster = k?.passthroughCluster;
    const d = PASSTHROUGH_CLUSTER_DEFAULTS;
    return {
        major: Number((k?.version ?? "2.14").split(".")[0]),
        mesh: k?.mesh ?? "default",
        systemNamespace: k?.systemNamespace ?? "kuma-system",
        ...(k?.passthrough !== undefined ? { passthrough: k.passthrough } : {}),
        ...(cluster
            ? {
                  passthroughCluster: {
                      maxConnections: cluster.maxConnections ?? d.maxConnections,
                      maxPendingRequests: cluster.maxPendingRequests ?? d.maxPendingRequests,
                      maxRequests: cluster.maxRequests ?? d.maxRequests,
                      maxRetries: cluster.maxRetries ?? d.maxRetries,
                      connectTimeout: protoDuration(cluster.connectTimeout ?? d.connectTimeout),
                      tcpIdleTimeout: protoDuration(cluster.tcpIdleTimeout ?? d.tcpIdleTimeout),
                  },
              }
            : {}),
    };
}
