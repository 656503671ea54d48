// Passthrough destinations (rendered as Kuma MeshPassthrough). Checked against the rules of Kuma's own
// validator (3.x, the stricter one), so nothing is emitted that Kuma would refuse on apply.
import { parseCidr } from "./cidr";
import type { IssueCollector } from "./issues";
import type { ParsedScope } from "./schema";
import type { NormalisedDestination, NormalisedPassthrough } from "./types";

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

export function validatePassthrough(raw: NonNullable<ParsedScope["passthrough"]>, path: string, issues: IssueCollector): NormalisedPassthrough {
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
