// User-id exclusions: each entry the user gives becomes one rule per run of consecutive user ids, with its ports
// sorted, in one canonical order and text, so rules from several scopes merge by text and hash stably.
import type { UidProtocol } from "../args";
import { normalisePorts, toPortRanges } from "./ports";

/**
 * Outbound traffic of one run of user ids skipped, to some ports or all, for TCP, UDP or both: one entry of Kuma's
 * `exclude-outbound-ports-for-uids`, and the shape every mesh's user-id exclusion is judged against.
 */
export interface UidRule {
    /** The first and last user id of the run (the same for one id). */
    readonly first: number;
    readonly last: number;
    /** Destination ports, sorted and unique; empty for every port. */
    readonly ports: readonly number[];
    /** `tcp` or `udp`; absent for both. */
    readonly protocol?: UidProtocol;
    /** Canonical text in Kuma's grammar `[protocol:][ports:]uids`, e.g. `tcp:443,8000-8010:1000-1002`. */
    readonly text: string;
}

/** One `outbound.excludeUids` entry as the schema parsed it. */
export interface ParsedUidExclusion {
    readonly uids: readonly number[];
    readonly ports?: readonly number[];
    readonly protocol?: UidProtocol;
}

/** A run of user ids as Kuma and iptables write it: `1000` or `1000-1002`. */
export function uidRunText(first: number, last: number): string {
    return first === last ? String(first) : `${first}-${last}`;
}

/** Kuma's grammar `[protocol:][ports:]uids`: the protocol and ports are left out when they mean "any". */
function ruleText(first: number, last: number, ports: readonly number[], protocol: UidProtocol | undefined): string {
    const uids = uidRunText(first, last);
    const portText = ports.length > 0 ? toPortRanges(ports).join(",") : "*";
    if (protocol) return `${protocol}:${portText}:${uids}`;
    return ports.length > 0 ? `${portText}:${uids}` : uids;
}

export function uidRule(first: number, last: number, ports: readonly number[], protocol?: UidProtocol): UidRule {
    const text = ruleText(first, last, ports, protocol);
    return protocol ? { first, last, ports, protocol, text } : { first, last, ports, text };
}

/** Canonical order: by user ids, then protocol (both, tcp, udp), then ports. */
export function compareUidRules(a: UidRule, b: UidRule): number {
    return a.first - b.first || a.last - b.last || (a.protocol ?? "").localeCompare(b.protocol ?? "") || a.text.localeCompare(b.text);
}

/** Runs of consecutive user ids covering exactly the given ids. */
export function uidRuns(uids: Iterable<number>): Array<[number, number]> {
    return mergeRuns([...uids].map((u): [number, number] => [u, u]));
}

/** The fewest runs covering exactly the ids of the given (possibly overlapping or adjacent) runs, in order. */
export function mergeRuns(runs: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const [first, last] of [...runs].sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
        const prev = out[out.length - 1];
        if (prev && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
        else out.push([first, last]);
    }
    return out;
}

/**
 * The entries as rules: the user ids of entries with the same protocol and ports are pooled, so each pool becomes one
 * rule per run of consecutive ids; sorted, each text once.
 */
export function normaliseUidExclusions(entries: readonly ParsedUidExclusion[]): UidRule[] {
    const pools = new Map<string, { ports: number[]; protocol?: UidProtocol; uids: number[] }>();
    for (const e of entries) {
        const ports = normalisePorts(e.ports ?? []);
        const key = `${e.protocol ?? ""}|${ports.join(",")}`;
        const pool = pools.get(key);
        if (pool) pool.uids.push(...e.uids);
        else pools.set(key, { ports, protocol: e.protocol, uids: [...e.uids] });
    }
    return [...pools.values()].flatMap((p) => uidRuns(p.uids).map(([first, last]) => uidRule(first, last, p.ports, p.protocol))).sort(compareUidRules);
}
