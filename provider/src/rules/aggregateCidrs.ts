// The smallest exact CIDR cover of a set of ranges. ip-num parses and validates; its Pool.aggregate returns
// address ranges rather than CIDRs and took about 2 s for 5,000 /24s, so the merge is a sort-and-sweep here.
import { type Cidr, type IpFamily, compareCidrs, familyBits, lastAddress, makeCidr } from "./cidr";

/** Splits the inclusive address range [start, end] into the fewest aligned CIDR blocks. */
export function rangeToCidrs(family: IpFamily, start: bigint, end: bigint): Cidr[] {
    const bits = familyBits(family);
    const out: Cidr[] = [];
    let cur = start;
    while (cur <= end) {
        // The largest block that starts at `cur` (alignment) and does not pass `end`.
        let size = cur === 0n ? bits : trailingZeros(cur, bits);
        while (size > 0 && cur + (1n << BigInt(size)) - 1n > end) size--;
        out.push(makeCidr(family, cur, bits - size));
        cur += 1n << BigInt(size);
    }
    return out;
}

function trailingZeros(v: bigint, max: number): number {
    let n = 0;
    while (n < max && ((v >> BigInt(n)) & 1n) === 0n) n++;
    return n;
}

/** Overlapping and adjacent ranges merged, sorted IPv4 first, then by address. */
export function aggregateCidrs(cidrs: readonly Cidr[]): Cidr[] {
    if (cidrs.length <= 1) return [...cidrs];
    const sorted = [...cidrs].sort(compareCidrs);
    const out: Cidr[] = [];
    let family = sorted[0].family;
    let start = sorted[0].first;
    let end = lastAddress(sorted[0]);
    let pending: Cidr[] = [sorted[0]];
    const flush = () => {
        // A run that is a single input needs no re-splitting.
        if (pending.length === 1) out.push(pending[0]);
        else out.push(...rangeToCidrs(family, start, end));
    };
    for (let i = 1; i < sorted.length; i++) {
        const c = sorted[i];
        const cEnd = lastAddress(c);
        if (c.family === family && c.first <= end + 1n) {
            if (cEnd > end) end = cEnd;
            pending.push(c);
            continue;
        }
        flush();
        family = c.family;
        start = c.first;
        end = cEnd;
        pending = [c];
    }
    flush();
    return out;
}

/** Whether `outer` contains every address of `inner`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    return outer.family === inner.family && outer.first <= inner.first && lastAddress(inner) <= lastAddress(outer);
}
