// Each kind's union against a model written from its definition (the set union, ranges aggregated; a value's tags
// the OR of the lists it came from), and the texts and joined text of a list against making them value by value,
// whichever way the list was made (the union of ranges copies texts in pieces when the new ranges stand apart).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { aggregateCidrs, cidrContains } from "../../provider/src/rules/aggregateCidrs";
import { type Cidr, parseCidr } from "../../provider/src/rules/cidr";
import { normaliseUidExclusions } from "../../provider/src/rules/uidRules";
import { type FieldValues, joinValues, unionValues, VALUE_KINDS, valuesOf, valueTexts } from "../../provider/src/rules/valueKinds";
import { cidr, port, RUNS, uidExclusion } from "../helpers/arbitraries";

const parse = (s: string): Cidr => {
    const r = parseCidr(s);
    assert.ok(r.ok);
    return r.cidr;
};

const name = fc.constantFrom("eth0", "eth1", "net1", "tun0", "veth9", "wg0");
/** Two lists of one kind, each canonical. */
const pair: fc.Arbitrary<[FieldValues, FieldValues]> = fc.oneof(
    fc.tuple(fc.array(port, { maxLength: 8 }), fc.array(port, { maxLength: 8 })).map(([a, b]): [FieldValues, FieldValues] => [
        valuesOf(
            "ports",
            [...new Set(a)].sort((x, y) => x - y),
        ),
        valuesOf(
            "ports",
            [...new Set(b)].sort((x, y) => x - y),
        ),
    ]),
    // Many ranges then a few: the shape of a namespace's list and a workload's, where the ranges often stand apart.
    fc
        .tuple(fc.array(cidr, { maxLength: 40 }), fc.array(cidr, { maxLength: 3 }))
        .map(([a, b]): [FieldValues, FieldValues] => [valuesOf("cidrs", aggregateCidrs(a.map(parse))), valuesOf("cidrs", aggregateCidrs(b.map(parse)))]),
    fc
        .tuple(fc.array(name, { maxLength: 4 }), fc.array(name, { maxLength: 4 }))
        .map(([a, b]): [FieldValues, FieldValues] => [valuesOf("names", [...new Set(a)].sort()), valuesOf("names", [...new Set(b)].sort())]),
    fc
        .tuple(fc.array(uidExclusion, { maxLength: 3 }), fc.array(uidExclusion, { maxLength: 3 }))
        .map(([a, b]): [FieldValues, FieldValues] => [valuesOf("uids", normaliseUidExclusions(a)), valuesOf("uids", normaliseUidExclusions(b))]),
);

/** The model: the union as a set (ranges aggregated), each value tagged with the lists that have a value inside it. */
function model(a: FieldValues, b: FieldValues): { texts: string[]; tags: number[] } {
    if (a.kind === "cidrs" && b.kind === "cidrs") {
        const union = aggregateCidrs([...a.list, ...b.list]);
        const tag = (c: Cidr) => (a.list.some((x) => cidrContains(c, x)) ? 1 : 0) | (b.list.some((x) => cidrContains(c, x)) ? 2 : 0);
        return { texts: union.map((c) => c.text), tags: union.map(tag) };
    }
    const ta = valueTexts(a);
    const tb = valueTexts(b);
    const texts =
        a.kind === "ports" && b.kind === "ports"
            ? [...new Set([...a.list, ...b.list])].sort((x, y) => x - y).map(String)
            : a.kind === "names"
              ? [...new Set([...ta, ...tb])].sort()
              : [...new Set([...ta, ...tb])];
    return { texts, tags: texts.map((t) => (ta.includes(t) ? 1 : 0) | (tb.includes(t) ? 2 : 0)) };
}

describe("value kinds", () => {
    it("union is the set union, each value tagged with the lists it came from; texts and joined text match making them again", () => {
        fc.assert(
            fc.property(pair, ([a, b]) => {
                const merged = unionValues(
                    a,
                    a.list.map(() => 1),
                    b,
                    2,
                );
                assert.equal(merged.values.kind, a.kind);
                const texts = valueTexts(merged.values);
                const want = model(a, b);
                // User-id rules keep their own canonical order (compareUidRules); the model checks which there are.
                if (a.kind === "uids") assert.deepEqual([...texts].sort(), [...want.texts].sort());
                else assert.deepEqual(texts, want.texts);
                assert.deepEqual(texts.map((t, i) => `${t}:${merged.tags[i]}`).sort(), want.texts.map((t, i) => `${t}:${want.tags[i]}`).sort());
                const strategy = VALUE_KINDS[merged.values.kind];
                assert.deepEqual(
                    texts,
                    merged.values.list.map((v) => strategy.text(v as never)),
                );
                assert.equal(joinValues(merged.values), texts.join(strategy.separator));
                // Canonical: the union of the union with either list adds nothing.
                const again = unionValues(merged.values, merged.tags, a, 4);
                assert.deepEqual(valueTexts(again.values), texts);
            }),
            { numRuns: RUNS },
        );
    });

    it("a list made by putting ranges into a list made the same way joins like one made from scratch", () => {
        fc.assert(
            fc.property(fc.array(cidr, { maxLength: 30 }), fc.array(fc.array(cidr, { maxLength: 2 }), { maxLength: 3 }), (base, steps) => {
                let values: FieldValues = valuesOf("cidrs", aggregateCidrs(base.map(parse)));
                let tags = values.list.map(() => 1);
                joinValues(values);
                steps.forEach((step, k) => {
                    const merged = unionValues(values, tags, valuesOf("cidrs", aggregateCidrs(step.map(parse))), 2 << k);
                    values = merged.values;
                    tags = [...merged.tags];
                    const fresh = values.list.map((v) => (v as Cidr).text);
                    assert.deepEqual(valueTexts(values), fresh);
                    assert.equal(joinValues(values), fresh.join(","));
                });
            }),
            { numRuns: RUNS },
        );
    });
});
