import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { IPv4, IPv4CidrRange, IPv6, IPv6CidrRange } from "ip-num";
import { addRun, aggregateCidrs, aggregateRuns, apartInsertions, cidrContains } from "../../provider/src/rules/aggregateCidrs";
import { type Cidr, lastAddress, parseCidr } from "../../provider/src/rules/cidr";
import { cidr, RUNS } from "../helpers/arbitraries";

const parse = (s: string): Cidr => {
    const r = parseCidr(s);
    assert.ok(r.ok);
    return r.cidr;
};

const ipnum = (c: Cidr) => (c.family === 4 ? IPv4CidrRange.fromCidr(c.text) : IPv6CidrRange.fromCidr(c.text));
const address = (family: 4 | 6, v: bigint) => (family === 4 ? new IPv4(v) : new IPv6(v));

/**
 * Membership oracle: every boundary of the union is a boundary of some input, so checking the addresses
 * at and next to each input's ends with ip-num's own `contains` proves the cover exact. (ip-num 1.6.2's
 * Pool.aggregate cannot serve: it leaves nested ranges with a shared start unmerged.)
 */
function assertSameAddresses(inputs: Cidr[], cover: Cidr[]): void {
    const ranges = inputs.map((c) => ({ family: c.family, r: ipnum(c) }));
    for (const c of inputs) {
        const max = (1n << BigInt(c.family === 4 ? 32 : 128)) - 1n;
        for (const probe of [c.first - 1n, c.first, lastAddress(c), lastAddress(c) + 1n]) {
            if (probe < 0n || probe > max) continue;
            const a = address(c.family, probe);
            const inInput = ranges.some(({ family, r }) => family === c.family && (r as IPv4CidrRange).contains(a as IPv4));
            const inCover = cover.some((o) => o.family === c.family && o.first <= probe && probe <= lastAddress(o));
            assert.equal(inCover, inInput, `${a.toString()} (IPv${c.family}): input ${inInput}, cover ${inCover}`);
        }
    }
}

describe("aggregateCidrs properties", () => {
    it("covers exactly the addresses of its inputs (ip-num membership oracle)", () => {
        fc.assert(
            fc.property(fc.array(cidr, { maxLength: 12 }), (texts) => {
                const cs = texts.map(parse);
                assertSameAddresses(cs, aggregateCidrs(cs));
            }),
            { numRuns: RUNS },
        );
    });

    it("is sorted, disjoint, canonical and has no two blocks that merge into one", () => {
        fc.assert(
            fc.property(fc.array(cidr, { maxLength: 12 }), (texts) => {
                const out = aggregateCidrs(texts.map(parse));
                for (let i = 0; i < out.length; i++) {
                    assert.equal(parse(out[i].text).text, out[i].text, "canonical");
                    if (i === 0 || out[i].family !== out[i - 1].family) continue;
                    const [a, b] = [out[i - 1], out[i]];
                    assert.ok(lastAddress(a) < b.first, `${a.text} and ${b.text} overlap or are unsorted`);
                    const siblings =
                        a.prefix === b.prefix &&
                        a.prefix > 0 &&
                        lastAddress(a) + 1n === b.first &&
                        (a.first >> BigInt((a.family === 4 ? 32 : 128) - a.prefix + 1)) << 1n === a.first >> BigInt((a.family === 4 ? 32 : 128) - a.prefix);
                    assert.ok(!siblings, `${a.text} and ${b.text} should be one block`);
                }
            }),
            { numRuns: RUNS },
        );
    });

    it("is independent of input order and idempotent", () => {
        fc.assert(
            fc.property(fc.array(cidr, { maxLength: 12 }), (texts) => {
                const cs = texts.map(parse);
                const once = aggregateCidrs(cs).map((c) => c.text);
                assert.deepEqual(
                    aggregateCidrs([...cs].reverse()).map((c) => c.text),
                    once,
                );
                assert.deepEqual(
                    aggregateCidrs(aggregateCidrs(cs)).map((c) => c.text),
                    once,
                );
            }),
            { numRuns: RUNS },
        );
    });

    it("merging already-aggregated runs equals aggregating everything at once, and tags each range with its runs", () => {
        fc.assert(
            fc.property(fc.array(fc.array(cidr, { maxLength: 8 }), { maxLength: 3 }), (lists) => {
                const runs = lists.map((l) => aggregateCidrs(l.map(parse)));
                const merged = aggregateRuns(runs);
                assert.deepEqual(
                    merged.cidrs.map((c) => c.text),
                    aggregateCidrs(lists.flat().map(parse)).map((c) => c.text),
                );
                // Each range is tagged with exactly the runs that have a range inside it.
                merged.cidrs.forEach((out, i) => {
                    const expected = runs.reduce((t, run, r) => (run.some((c) => cidrContains(out, c)) ? t | (1 << r) : t), 0);
                    assert.equal(merged.tags[i], expected, `tags of ${out.text}`);
                });
            }),
            { numRuns: RUNS },
        );
    });

    it("adding a run to a merged cover (or splicing it in, where it stands apart) equals merging every run at once", () => {
        // Ranges in a small space, so they often overlap or touch (the sweep) as well as stand apart (the splice).
        const near = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 22, max: 32 })).map(([n, p]) => `10.0.${n >> 2}.${(n & 3) * 64}/${p}`);
        const texts = fc.oneof(near, cidr);
        fc.assert(
            fc.property(fc.array(fc.array(texts, { maxLength: 6 }), { minLength: 1, maxLength: 3 }), (lists) => {
                const runs = lists.map((l) => aggregateCidrs(l.map(parse)));
                const last = runs.length - 1;
                const before = aggregateRuns(runs.slice(0, last));
                const added = addRun(before, runs[last], 1 << last);
                const all = aggregateRuns(runs);
                assert.deepEqual(
                    added.cidrs.map((c) => c.text),
                    all.cidrs.map((c) => c.text),
                );
                assert.deepEqual(added.tags, all.tags);
                // Where the run's ranges stand apart, splicing them in at those places gives the same cover, tags kept.
                const at = apartInsertions(before.cidrs, runs[last]);
                if (at) {
                    const texts = before.cidrs.map((c) => c.text);
                    const tags = [...before.tags];
                    for (let k = at.length - 1; k >= 0; k--) {
                        texts.splice(at[k], 0, runs[last][k].text);
                        tags.splice(at[k], 0, 1 << last);
                    }
                    assert.deepEqual(
                        texts,
                        all.cidrs.map((c) => c.text),
                    );
                    assert.deepEqual(tags, all.tags);
                }
            }),
            { numRuns: RUNS },
        );
    });
});

describe("parseCidr properties", () => {
    it("reads an IPv4 address as ip-num does: the same number, the same canonical text", () => {
        fc.assert(
            fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (text, prefix) => {
                const r = parseCidr(`${text}/${prefix}`);
                assert.ok(r.ok, r.message);
                const range = IPv4CidrRange.fromCidr(`${text}/${prefix}`);
                assert.equal(r.cidr.first, range.getFirst().getValue());
                assert.equal(r.cidr.last, range.getLast().getValue());
                assert.equal(r.cidr.text, `${range.getFirst().toString()}/${prefix}`);
                assert.equal(r.note === undefined, new IPv4(text).getValue() === range.getFirst().getValue());
            }),
            { numRuns: RUNS },
        );
    });
});
