// Passthrough destinations (rendered as Kuma MeshPassthrough). Checked against the rules of Kuma's own
// validator (3.x, the stricter one), so nothing is emitted that Kuma would refuse on apply.
import { parseCidr } from "./cidr";
import type { IssueCollector } from "./issues";
import type { ParsedScope } from "./schema";
import type { Passthrough, PassthroughDestination } from "./types";

const L7 = new Set(["http", "http2", "grpc"]);
const DNS_NAME = /^(?=.{1,253}$)([a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9])?)*\.?$/;

export function validatePassthrough(
    raw: NonNullable<ParsedScope["passthrough"]>,
    path: string,
    issues: IssueCollector,
): Passthrough {
    const destinations: PassthroughDestination[] = [];
    const seen = new Map<string, number>();
    const l7ByPort = new Map<number, Set<string>>();
    (raw.destinations ?? []).forEach((d, i) => {
        const at = `${path}.destinations[${i}]`;
        const protocol = d.protocol ?? "tcp";
        let value = d.value.trim();
        if (d.type === "Domain") {
            const wildcard = value.startsWith("*.");
            if (/^\*[^.]/.test(value)) issues.error(`${at}.value`, `'${value}': partial wildcards are not supported; use '*.example.com'`);
            else if (!DNS_NAME.test(wildcard ? value.slice(2) : value)) issues.error(`${at}.value`, `'${value}' is not a domain name`);
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
        if (L7.has(protocol) && d.port !== undefined) {
            const set = l7ByPort.get(d.port) ?? new Set<string>();
            set.add(protocol);
            l7ByPort.set(d.port, set);
            if (set.size > 1) issues.error(at, `port ${d.port} already carries ${[...set].filter((p) => p !== protocol).join(", ")}; Kuma allows one HTTP-family protocol per port`);
        }
        destinations.push({ type: d.type, value, port: d.port, protocol });
    });
    if (raw.mode !== "Matched" && destinations.length > 0) {
        issues.warn(`${path}.destinations`, `with mode ${raw.mode} Kuma ignores the destinations; use mode Matched to allow only them`);
    }
    return { mode: raw.mode, destinations };
}
