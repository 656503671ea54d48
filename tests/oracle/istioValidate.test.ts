// Differential test against Istio's own annotation validators (the ones the injection webhook runs):
// our validation accepts exactly what Istio accepts after our normalisation, and nothing we emit is
// refused by Istio.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { BypassValidationError, ISTIO_ANNOTATIONS, parseCidr, planBypass } from "../../provider/index";
import { interfaceName, port as portSchema } from "../../provider/src/rules/schema";
import { validArgs } from "../helpers/arbitraries";
import { type IstioTools, istioAccepts, istioTools } from "../helpers/istioTools";
import { goSkipReason, judgeSkip, requireJudge } from "../helpers/oracles";

const RUNS = Number(process.env.ORACLE_CASES ?? 300) * 10;
const SEED = Number(process.env.ORACLE_SEED ?? Date.now() % 2 ** 31);
const EXCLUDE_RANGES = ISTIO_ANNOTATIONS["outbound.excludeIpRanges"];
const EXCLUDE_PORTS = ISTIO_ANNOTATIONS["inbound.excludePorts"];
const INTERFACE_ANNOTATIONS = [ISTIO_ANNOTATIONS["interfaces.exclude"], ISTIO_ANNOTATIONS["interfaces.rerouteVirtual"]];

/** Strings that look like interface names, valid or nearly so: edge lengths, edge characters, injection attempts. */
const interfaceText = fc
    .oneof(
        fc.stringMatching(/^[a-zA-Z0-9_.\-@:/;$|` ]{0,18}$/),
        fc.tuple(fc.constantFrom("eth", "net", "veth", "br-", "bond", "vnet", "tap", "_x", "0x", "-x", ".x"), fc.nat(99999)).map(([a, b]) => `${a}${b}`),
        fc.constantFrom("a23456789012345", "a234567890123456", " net1", "net1 ", "eth0 -d 10.0.0.50", "veth@if123", "eth0.100", "lo", "é1"),
    )
    .filter((s) => !s.includes(","));

/** Strings that look like addresses and ranges, valid or nearly so, plus noise. */
const rangeText = fc
    .oneof(
        fc
            .tuple(
                fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom("00", "01", "010", "")), { minLength: 3, maxLength: 5 }),
                fc.option(fc.oneof(fc.integer({ min: 0, max: 40 }).map(String), fc.constantFrom("08", "", "-1", "+8")), { nil: undefined }),
            )
            .map(([octets, prefix]) => octets.join(".") + (prefix === undefined ? "" : `/${prefix}`)),
        fc
            .tuple(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.option(fc.integer({ min: 0, max: 140 }), { nil: undefined }), fc.boolean())
            .map(([v, prefix, upper]) => {
                const text = v
                    .toString(16)
                    .padStart(32, "0")
                    .replace(/(.{4})(?!$)/g, "$1:")
                    .replace(/\b0+(?=[0-9a-f])/g, "");
                const shown = upper ? text.toUpperCase() : text;
                return prefix === undefined ? shown : `${shown}/${prefix}`;
            }),
        fc.constantFrom(
            "::",
            "::/0",
            "::1",
            "::ffff:192.0.2.1",
            "::ffff:192.0.2.1/128",
            "2001:db8::1%eth0",
            "2001:db8:::1",
            "1.2.3.4/32 ",
            " 1.2.3.4",
            "1.2.3.4/",
            "/24",
        ),
        fc.string({ maxLength: 12 }),
    )
    .filter((s) => !s.includes(",") && s.trim() !== "*");

/** What our normalisation turns an entry into, for Istio to judge: trimmed, a bare address given its host prefix. */
function normalised(raw: string): string {
    const t = raw.trim();
    return t.includes("/") ? t : `${t}/${t.includes(":") ? 128 : 32}`;
}

const unavailable = goSkipReason();

describe("Istio's annotation validators (differential)", { skip: judgeSkip(unavailable) }, () => {
    let tools: IstioTools;
    before(() => {
        requireJudge(unavailable);
        tools = istioTools();
    });

    it(`agrees with Istio on ${RUNS} generated range entries (seed ${SEED})`, () => {
        const raws = fc.sample(rangeText, { numRuns: RUNS, seed: SEED });
        const ours = raws.map((r) => parseCidr(r));
        const onNormalised = istioAccepts(
            tools,
            raws.map((r) => ({ [EXCLUDE_RANGES]: normalised(r) })),
        );
        const onEmitted = istioAccepts(
            tools,
            ours.map((o) => ({ [EXCLUDE_RANGES]: o.ok ? o.cidr.text : "" })),
        );
        const disagreements: string[] = [];
        raws.forEach((raw, i) => {
            const o = ours[i];
            if (o.ok && !onEmitted[i].ok) disagreements.push(`we would emit '${o.cidr.text}' for '${raw}', which Istio refuses: ${onEmitted[i].errors}`);
            if (o.ok !== onNormalised[i].ok) {
                disagreements.push(
                    `'${raw}': we ${o.ok ? "accept" : `refuse (${o.message})`}, Istio ${onNormalised[i].ok ? "accepts" : "refuses"} '${normalised(raw)}'`,
                );
            }
        });
        assert.equal(disagreements.length, 0, `${disagreements.length} disagreement(s):\n${[...new Set(disagreements)].slice(0, 15).join("\n")}`);
    });

    it("agrees with Istio on ports, except port 0, which Istio accepts and we refuse on purpose", () => {
        const candidates = [...Array.from({ length: 70 }, (_, i) => i - 2), 1023, 1024, 8080, 15020, 65534, 65535, 65536, 99999, 1.5];
        const verdicts = istioAccepts(
            tools,
            candidates.map((p) => ({ [EXCLUDE_PORTS]: String(p) })),
        );
        candidates.forEach((p, i) => {
            const ours = portSchema.safeParse(p).success;
            if (p === 0) assert.deepEqual([ours, verdicts[i].ok], [false, true], "port 0");
            else assert.equal(ours, verdicts[i].ok, `port ${p}: we ${ours ? "accept" : "refuse"}, Istio ${verdicts[i].ok ? "accepts" : "refuses"}`);
        });
    });

    it(`agrees with Istio on ${RUNS} generated interface names, for both interface annotations (seed ${SEED})`, () => {
        const raws = fc.sample(interfaceText, { numRuns: RUNS, seed: SEED });
        const ours = raws.map((r) => interfaceName.safeParse(r).success);
        const disagreements: string[] = [];
        for (const key of INTERFACE_ANNOTATIONS) {
            const verdicts = istioAccepts(
                tools,
                raws.map((r) => ({ [key]: r })),
            );
            raws.forEach((raw, i) => {
                // The one intended difference: Istio reads an empty value as "no interfaces"; we refuse an empty entry.
                if (raw === "") assert.deepEqual([ours[i], verdicts[i].ok], [false, true], "an empty name");
                else if (ours[i] !== verdicts[i].ok)
                    disagreements.push(`${key} '${raw}': we ${ours[i] ? "accept" : "refuse"}, Istio ${verdicts[i].ok ? "accepts" : "refuses"}`);
            });
        }
        assert.equal(disagreements.length, 0, `${disagreements.length} disagreement(s):\n${[...new Set(disagreements)].slice(0, 15).join("\n")}`);
        assert.ok(ours.some((x) => x) && ours.some((x) => !x), "the sample holds names both sides accept and names both refuse");
    });

    it(`never emits annotations Istio refuses (${Number(process.env.ORACLE_CASES ?? 300)} generated rule sets)`, () => {
        const sets = fc.sample(validArgs, { numRuns: Number(process.env.ORACLE_CASES ?? 300), seed: SEED });
        const annotationSets: Array<Record<string, string>> = [];
        for (const args of sets) {
            try {
                for (const w of planBypass({ ...args, meshes: ["istio"] }).workloads) annotationSets.push(w.annotations);
            } catch (e) {
                if (!(e instanceof BypassValidationError)) throw e;
            }
        }
        const refused = istioAccepts(tools, annotationSets).flatMap((v, i) => (v.ok ? [] : [`${JSON.stringify(annotationSets[i])}: ${v.errors}`]));
        assert.equal(refused.length, 0, refused.slice(0, 5).join("\n"));
    });
});
