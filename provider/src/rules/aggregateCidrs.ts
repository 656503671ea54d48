// The smallest exact CIDR cover of a set of ranges. ip-num parses and validates; its Pool.aggregate returns
// address ranges rather than CIDRs and took about 2 s for 5,000 /24s, so the merge is a sort-and-sweep here.
import { type Cidr, compareCidrs, familyBits, type IpFamily, lastAddress, makeCidr } from "./cidr";

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

/** A sorted cover, each range tagged with the OR of the tags of the inputs it contains. */
export interface TaggedCover {
    readonly cidrs: readonly Cidr[];
    readonly tags: readonly number[];
}

/** Overlapping and adjacent ranges merged, sorted IPv4 first, then by address. */
export function aggregateCidrs(cidrs: readonly Cidr[]): Cidr[] {
    if (cidrs.length <= 1) return [...cidrs];
    return sweep([...cidrs].sort(compareCidrs), undefined).cidrs;
}

/**
 * The union of runs that are each sorted already (e.g. aggregated): a linear merge, no re-sort. Run i
 * tags its ranges with bit i, so the result says which runs each range came from.
 */
export function aggregateRuns(runs: ReadonlyArray<readonly Cidr[]>): TaggedCover {
    let merged: [Cidr[], number[]] = [[], []];
    runs.forEach((run, r) => {
        if (run.length > 0) merged = mergeRun({ cidrs: merged[0], tags: merged[1] }, run, 1 << r);
    });
    return sweep(...merged);
}

/**
 * A cover (sorted and aggregated, as aggregateRuns returns it) with one more sorted, aggregated run merged in, its
 * ranges tagged `bit`: the same cover and tags as aggregateRuns gives for all the runs at once, with one merge.
 */
export function addRun(cover: TaggedCover, run: readonly Cidr[], bit: number): TaggedCover {
    return run.length === 0 ? cover : sweep(...mergeRun(cover, run, bit));
}

/**
 * Where each range of a sorted, aggregated run goes in a cover (the index it goes before), when every one stands apart
 * (neither overlaps nor touches a neighbour): then the cover with the run spliced in at those places is already
 * aggregated, and the cover's ranges keep their tags. Undefined otherwise. The common case of a workload's few
 * ranges added to its namespace's many.
 */
export function apartInsertions(sorted: readonly Cidr[], run: readonly Cidr[]): number[] | undefined {
    const at: number[] = [];
    for (const c of run) {
        let lo = 0;
        let hi = sorted.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (compareCidrs(sorted[mid], c) <= 0) lo = mid + 1;
            else hi = mid;
        }
        at.push(lo);
    }
    for (let k = 0; k < run.length; k++) {
        const before = k > 0 && at[k - 1] === at[k] ? run[k - 1] : sorted[at[k] - 1];
        const after = k + 1 < run.length && at[k + 1] === at[k] ? run[k + 1] : sorted[at[k]];
        if ((before && !apart(before, run[k])) || (after && !apart(run[k], after))) return undefined;
    }
    return at;
}

/** `a` sorts before `b` and a gap separates them (the sweep would not join them). */
function apart(a: Cidr, b: Cidr): boolean {
    return a.family !== b.family || a.next < b.first;
}

/** A tagged sorted list and a sorted run merged into one sorted list, the run's ranges tagged `bit`. */
function mergeRun(cover: TaggedCover, run: readonly Cidr[], bit: number): [Cidr[], number[]] {
    const { cidrs, tags } = cover;
    const outC: Cidr[] = new Array(cidrs.length + run.length);
    const outT: number[] = new Array(outC.length);
    let i = 0;
    let j = 0;
    for (let k = 0; k < outC.length; k++) {
        // Take from the merged list while it sorts first (or the run is used up), else from the run.
        if (j >= run.length || (i < cidrs.length && compareCidrs(cidrs[i], run[j]) <= 0)) {
            outC[k] = cidrs[i];
            outT[k] = tags[i++];
        } else {
            outC[k] = run[j++];
            outT[k] = bit;
        }
    }
    return [outC, outT];
}

/** The sweep over a sorted list: each group of touching ranges becomes its fewest aligned blocks. */
function sweep(sorted: readonly Cidr[], tags: readonly number[] | undefined): { cidrs: Cidr[]; tags: number[] } {
    const out: Cidr[] = [];
    const outTags: number[] = [];
    let i = 0;
    while (i < sorted.length) {
        const head = sorted[i];
        let next = head.next;
        let j = i + 1;
        while (j < sorted.length && sorted[j].family === head.family && sorted[j].first <= next) {
            if (sorted[j].next > next) next = sorted[j].next;
            j++;
        }
        if (next === head.next) {
            // The head (the widest range at the group's start) contains the whole group.
            let tag = 0;
            if (tags) for (let k = i; k < j; k++) tag |= tags[k];
            out.push(head);
            outTags.push(tag);
        } else {
            for (const piece of rangeToCidrs(head.family, head.first, next - 1n)) {
                // Every input lies inside exactly one of the aligned pieces.
                let tag = 0;
                if (tags) for (let k = i; k < j; k++) if (cidrContains(piece, sorted[k])) tag |= tags[k];
                out.push(piece);
                outTags.push(tag);
            }
        }
        i = j;
    }
    return { cidrs: out, tags: outTags };
}

/** Whether `outer` contains every address of `inner`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    return outer.family === inner.family && outer.first <= inner.first && lastAddress(inner) <= lastAddress(outer);
}
