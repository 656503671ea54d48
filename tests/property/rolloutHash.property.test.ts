import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { rolloutHash } from "../../provider/src/plan/rolloutHash";
import { RUNS } from "../helpers/arbitraries";

/** The rollout hash as defined: SHA-256 over `${prefix}\0${key}\0${value}\0` per entry, keys sorted, annotations first. */
function definedHash(annotations: Record<string, string>, labels: Record<string, string>): string {
    const h = createHash("sha256");
    for (const [prefix, map] of [
        ["a", annotations],
        ["l", labels],
    ] as const) {
        for (const k of Object.keys(map).sort()) h.update(`${prefix}\u0000${k}\u0000${map[k]}\u0000`);
    }
    return h.digest("hex").slice(0, 16);
}

describe("rollout hash properties", () => {
    it("hashes exactly the defined bytes, for any keys and values (lone surrogates and empty values too)", () => {
        // Any UTF-16 code unit, so values may hold unpaired surrogates, which UTF-8 encoding replaces.
        const text = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 12 });
        const map = fc.dictionary(text, text, { maxKeys: 4 });
        fc.assert(
            fc.property(map, map, (annotations, labels) => {
                assert.equal(rolloutHash(annotations, labels), definedHash(annotations, labels));
            }),
            { numRuns: RUNS },
        );
    });
});
