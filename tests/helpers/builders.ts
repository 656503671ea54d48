// Typed builders for the arguments tests hand to planBypass, BypassPlanner and SidecarBypass. They take and return
// the package's own argument types, so the compiler checks every rule object a test writes (a misspelt field or a
// wrong literal fails the build instead of reaching validation by accident).
import type * as pulumi from "@pulumi/pulumi";
import type {
    InboundRules,
    InterfaceRules,
    NamespaceRules,
    OutboundRules,
    PlainBypassArgs,
    ScopeRules,
    UidExclusion,
    WorkloadKind,
    WorkloadRules,
} from "../../provider/index";

/** An argument type with every Input resolved, as planBypass takes it (what PlainBypassArgs is to SidecarBypassArgs). */
export type Plain<T> = pulumi.Unwrap<T>;
/** Rules every scope may set (inbound, outbound, fullBypass, passthrough), plain. */
export type PlainScopeRules = Plain<ScopeRules>;
/** Inbound rules, plain. */
export type PlainInboundRules = Plain<InboundRules>;
/** Outbound rules, plain. */
export type PlainOutboundRules = Plain<OutboundRules>;
/** Interface rules, plain. */
export type PlainInterfaceRules = Plain<InterfaceRules>;
/** One `outbound.excludeUids` entry, plain. */
export type PlainUidExclusion = Plain<UidExclusion>;
/** One entry of `namespaces`, plain. */
export type PlainNamespaceRules = Plain<NamespaceRules>;
/** One entry of `workloads`, plain. */
export type PlainWorkloadRules = Plain<WorkloadRules>;
/** What a workload entry sets besides its identity: its rules and `declaredInProgram`. */
export type PlainWorkloadOptions = Omit<PlainWorkloadRules, "kind" | "namespace" | "name">;

/** Arguments for planBypass: `meshes` is Istio alone unless `args` sets it. */
export function bypassArgs(args: Partial<PlainBypassArgs> = {}): PlainBypassArgs {
    return { meshes: ["istio"], ...args };
}

/** One entry of `workloads`: the workload's identity and its own rules. */
export function workload(kind: WorkloadKind, namespace: string, name: string, rules: PlainWorkloadOptions = {}): PlainWorkloadRules {
    return { kind, namespace, name, ...rules };
}

/** One entry of `namespaces`: the namespace's name and its rules. */
export function namespaceRules(name: string, rules: PlainScopeRules = {}): PlainNamespaceRules {
    return { name, ...rules };
}

/**
 * The one escape hatch from the argument types: feeds a deliberately wrong value (an unknown enum member, a misspelt
 * field, arbitrary generated data) to validation, to check that it is refused and how. Use it only at the wrong
 * value itself, so everything around it stays checked.
 */
export function invalid<T>(value: unknown): T {
    return value as T;
}
