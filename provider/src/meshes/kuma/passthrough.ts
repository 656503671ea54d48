// `passthrough`, the rule a scope sets for Kuma alone (its scope extension): which destinations outside the mesh the
// scope's proxies may reach, rendered as MeshPassthrough policies. Checked against the rules of Kuma's own validator
// (3.x, the stricter one), alone and merged along each chain of scopes, so nothing is emitted that Kuma would refuse.
import { z } from "zod";
import { DestinationProtocol, DestinationType, type Passthrough, PassthroughMode } from "../../args";
import { parseCidr } from "../../rules/cidr";
import type { IssueCollector } from "../../rules/issues";
import { extensionOf, type OptionsContext, scopeExtension } from "../../rules/meshTraits";
import { type Assert, port, values } from "../../rules/schema";
import type { NormalisedRules, NormalisedScope } from "../../rules/types";
import type { KumaSettings } from "./options";

export interface NormalisedDestination {
    readonly type: DestinationType;
    readonly value: string;
    readonly port?: number;
    readonly protocol: DestinationProtocol;
}

export interface NormalisedPassthrough {
    readonly mode: PassthroughMode;
    readonly destinations: readonly NormalisedDestination[];
}

const destination = z.strictObject({
    type: z.enum(values(DestinationType)),
    value: z.string().min(1, { error: "expected a domain, IP or CIDR" }),
    port: port.optional(),
    protocol: z.enum(values(DestinationProtocol)).optional(),
});

const passthroughSchema = z.strictObject({
    mode: z.enum(values(PassthroughMode)),
    destinations: z.array(destination).optional(),
});

// The hand-written interface and the schema accept the same rules.
export type PassthroughSchemaAcceptsInterface = Assert<Passthrough extends z.input<typeof passthroughSchema> ? true : false>;
export type PassthroughInterfaceAcceptsSchema = Assert<z.input<typeof passthroughSchema> extends Passthrough ? true : false>;

const L7 = new Set(["http", "http2", "grpc"]);

/**
 * The matches Kuma refuses for sharing a port, in Kuma's own order-dependent way
 * (kuma v2.14.3 pkg/plugins/policies/meshpassthrough/api/v1alpha1/validator.go, validateDefault): walking the
 * list, an HTTP-family match on a port that an earlier match gave another protocol is refused; any other match
 * becomes the port's protocol. So tcp then http is refused, http then tcp is not. Returns, for each refused
 * match, its index and the index of the earlier match it clashes with.
 */
export function kumaRefusedMatches(matches: ReadonlyArray<{ port?: number; protocol: string }>): Array<[number, number]> {
    const byPort = new Map<number, { protocol: string; index: number }>();
    const refused: Array<[number, number]> = [];
    matches.forEach((m, i) => {
        if (m.port === undefined) return;
        const earlier = byPort.get(m.port);
        if (earlier && earlier.protocol !== m.protocol && L7.has(m.protocol)) refused.push([i, earlier.index]);
        else byPort.set(m.port, { protocol: m.protocol, index: i });
    });
    return refused;
}

const DNS_NAME = /^(?=.{1,253}$)([a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9])?)*\.?$/;

/** Why Kuma refuses a match that shares a port, for every message that reports one. */
export const samePortRule =
    "Kuma refuses an http, http2 or grpc match on a port that an earlier match gives another protocol (put the HTTP-family match first, or use one protocol per port)";

function validatePassthrough(raw: z.output<typeof passthroughSchema>, path: string, issues: IssueCollector): NormalisedPassthrough {
    const destinations: NormalisedDestination[] = [];
    const seen = new Map<string, number>();
    (raw.destinations ?? []).forEach((d, i) => {
        const at = `${path}.destinations[${i}]`;
        const protocol = d.protocol ?? "tcp";
        let value = d.value.trim();
        if (d.type === "Domain") {
            const wildcard = value.startsWith("*.");
            if (/^\*[^.]/.test(value)) issues.error(`${at}.value`, `'${value}': partial wildcards are not supported; use '*.example.com'`);
            else if (!value.includes("/") && parseCidr(value).ok) {
                // Kuma's DNS check (govalidator.IsDNSName) refuses what parses as an IP address, and only that:
                // 300.1.1.1 is no address, so Kuma takes it as a name (found by the Kuma differential).
                issues.error(`${at}.value`, `'${value}' is an IP address, which Kuma refuses as a domain; use type IP`);
            } else if (!DNS_NAME.test(wildcard ? value.slice(2) : value)) issues.error(`${at}.value`, `'${value}' is not a domain name`);
            if (protocol === "tcp") issues.error(`${at}.protocol`, "Kuma matches domains by TLS SNI or HTTP host: use tls, http, http2 or grpc, not tcp");
            if (!wildcard && d.port === undefined) issues.error(`${at}.port`, "a domain needs a port (the sidecar resolves the domain to pin the destination)");
            if (wildcard && d.port === undefined && L7.has(protocol)) issues.error(`${at}.port`, "a wildcard domain on an HTTP or gRPC protocol needs a port");
            value = value.toLowerCase();
        } else {
            const r = parseCidr(value);
            if (!r.ok) issues.error(`${at}.value`, r.message);
            else if (d.type === "IP") {
                if (value.includes("/")) issues.error(`${at}.value`, `'${value}' is a range; use type CIDR, or give the address alone`);
                else value = r.cidr.text.slice(0, r.cidr.text.indexOf("/"));
            } else {
                if (r.note) issues.warn(`${at}.value`, r.note);
                value = r.cidr.text;
            }
        }
        const key = `${d.port ?? "*"}/${protocol}/${value}`;
        const dup = seen.get(key);
        if (dup !== undefined) issues.error(at, `same destination as destinations[${dup}] (value, port and protocol)`);
        seen.set(key, i);
        destinations.push({ type: d.type, value, port: d.port, protocol });
    });
    for (const [i, j] of kumaRefusedMatches(destinations)) {
        issues.error(
            `${path}.destinations[${i}]`,
            `port ${destinations[i].port} already carries ${destinations[j].protocol} (destinations[${j}]); ${samePortRule}`,
        );
    }
    if (raw.mode !== "Matched" && destinations.length > 0) {
        issues.warn(`${path}.destinations`, `with mode ${raw.mode} Kuma ignores the destinations; use mode Matched to allow only them`);
    }
    return { mode: raw.mode, destinations };
}

/** A scope's `passthrough`, Kuma's scope extension. */
export const passthroughExtension = scopeExtension("passthrough", passthroughSchema, validatePassthrough);

/** What a scope sets under `passthrough`, normalised. */
export function passthroughOf(scope: NormalisedScope): NormalisedPassthrough | undefined {
    return extensionOf(passthroughExtension, scope);
}

/** What Kuma would refuse about the rule set as a whole, and passthrough rules that no mesh reads. */
export function checkRules(rules: NormalisedRules, kuma: KumaSettings, ctx: OptionsContext): void {
    const scopes = [rules.global, ...rules.namespaces.values(), ...rules.workloads];
    if (!ctx.selected) {
        if (scopes.some((s) => passthroughOf(s))) {
            ctx.issues.warn("meshes", "passthrough rules are rendered only for Kuma (MeshPassthrough), which is not in meshes; they have no effect");
        }
        return;
    }
    if (kuma.major >= 3 && kuma.passthrough !== undefined && passthroughOf(rules.global)) {
        ctx.issues.error(
            "kuma.passthrough",
            "on Kuma 3 this is a mesh-wide MeshPassthrough, and so is global.passthrough; say it once, with global.passthrough.mode (All or None)",
        );
    }
    // Only a chain with matched destinations in two of its scopes can clash across scopes (clashes within a scope are
    // that scope's), so only those are walked: the scopes without matched destinations are left out first.
    const matched = (...chain: Array<NormalisedScope | undefined>) => chain.filter((s): s is NormalisedScope => (s && passthroughOf(s))?.mode === "Matched");
    const chains = [
        ...[...rules.namespaces.values()].map((ns) => matched(rules.global, ns)),
        ...rules.workloads.map((w) => (passthroughOf(w)?.mode === "Matched" ? matched(rules.global, rules.namespaces.get(w.namespace), w) : [])),
    ];
    checkMergedPassthrough(
        chains.filter((c) => c.length > 1),
        ctx.issues,
    );
}

/**
 * Kuma appends the `appendMatch` lists of every MeshPassthrough that selects a proxy, least specific first, and
 * validates the merged list, so destinations that are valid in each scope alone can be refused together. Checks
 * each chain of scopes that reaches the same proxies; clashes within one scope are reported by that scope.
 */
function checkMergedPassthrough(chains: ReadonlyArray<readonly NormalisedScope[]>, issues: IssueCollector): void {
    const reported = new Set<string>();
    for (const chain of chains) {
        const entries = chain.flatMap((scope) => {
            const p = passthroughOf(scope);
            return p?.mode === "Matched"
                ? p.destinations.map((d, i) => ({ d, scope: scope.ref.label, at: `${scope.ref.path}.passthrough.destinations[${i}]` }))
                : [];
        });
        for (const [i, j] of kumaRefusedMatches(entries.map((e) => e.d))) {
            const [late, early] = [entries[i], entries[j]];
            if (late.scope === early.scope || reported.has(`${late.at}|${early.at}`)) continue;
            reported.add(`${late.at}|${early.at}`);
            issues.error(
                late.at,
                `port ${late.d.port} is ${early.d.protocol} at ${early.at} and ${late.d.protocol} here, for the same proxies: Kuma merges ` +
                    `the MeshPassthrough policies that select a proxy (${early.scope} before ${late.scope}), and ${samePortRule}`,
            );
        }
    }
}
