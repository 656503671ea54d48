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
    return aggregateSorted([...cidrs].sort(compareCidrs));
}

/** The union of lists that are each already sorted (e.g. aggregated): a linear merge, no re-sort. */
export function aggregateSortedRuns(runs: ReadonlyArray<readonly Cidr[]>): Cidr[] {
    const nonEmpty = runs.filter((r) => r.length > 0);
    if (nonEmpty.length === 0) return [];
    if (nonEmpty.length === 1) return aggregateSorted(nonEmpty[0]);
    let merged: readonly Cidr[] = nonEmpty[0];
    for (const run of nonEmpty.slice(1)) {
        const out: Cidr[] = new Array(merged.length + run.length);
        let i = 0, j = 0, k = 0;
        while (i < merged.length && j < run.length) out[k++] = compareCidrs(merged[i], run[j]) <= 0 ? merged[i++] : run[j++];
        while (i < merged.length) out[k++] = merged[i++];
        while (j < run.length) out[k++] = run[j++];
        merged = out;
    }
    return aggregateSorted(merged);
}

/** The sweep over a sorted list. */
function aggregateSorted(sorted: readonly Cidr[]): Cidr[] {
    if (sorted.length <= 1) return [...sorted];
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
