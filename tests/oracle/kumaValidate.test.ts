// Kuma's own validators judge what we emit for Kuma: every object the corpus, the design example and generated
// rule sets render must pass `kumactl apply --dry-run` (Kuma's unmarshalling, OpenAPI schema and resource
// validators), and for generated passthrough destinations our validation must accept exactly what Kuma accepts,
// but for the differences listed below.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { BypassValidationError, type PlainBypassArgs, planBypass } from "../../provider/index";
import { validArgs } from "../helpers/arbitraries";
import { designExample, kumaEverywhere, kumaThree } from "../helpers/examples";
import { findOnPath, KumaControlPlane, kumactlFor, kumactlSkipReason, kumaParsed, kumaVerdicts, toUniversal } from "../helpers/kumaTools";
import { judgeSkip, requireJudge } from "../helpers/oracles";
import { netnsUnavailable } from "../helpers/podNetwork";
import { CORPUS } from "./corpus";

const CASES = Number(process.env.ORACLE_CASES ?? 1000);
const SEED = Number(process.env.ORACLE_SEED ?? Date.now() % 100000);

type Destination = { type: "Domain" | "IP" | "CIDR"; value: string; port?: number; protocol?: "tcp" | "tls" | "http" | "http2" | "grpc" };

const VALUES = [
    "api.example.com",
    "*.example.com",
    "*example.com",
    "a.*.example.com",
    "192.0.2.1",
    "2001:db8::1",
    "198.51.100.0/24",
    "2001:db8::/32",
    "192.0.2.1/24",
    "example",
    "EXAMPLE.COM",
    "-bad.example.com",
    "a_b.example.com",
    "exa mple.com",
    "300.1.1.1",
    "192.0.2.1/33",
    "::ffff:192.0.2.1",
    "example.com.",
    "",
    "localhost",
];
const destination: fc.Arbitrary<Destination> = fc.record(
    {
        type: fc.constantFrom("Domain", "IP", "CIDR"),
        value: fc.oneof(fc.constantFrom(...VALUES), fc.domain()),
        port: fc.constantFrom(undefined, 1, 80, 443, 8080, 65535),
        protocol: fc.constantFrom(undefined, "tcp", "tls", "http", "http2", "grpc"),
    },
    { requiredKeys: ["type", "value"] },
);

/** Intended differences, where we refuse what Kuma's validator lets through: each with why. */
function intended(d: Destination): string | undefined {
    if (d.type === "Domain" && !d.value.startsWith("*.") && d.port === undefined) {
        return "a domain without a port: the sidecar resolves the domain to pin the destination";
    }
    return undefined;
}

function ours(d: Destination, version: string): { accepted: boolean; emitted?: Record<string, unknown> } {
    try {
        const plan = planBypass({ meshes: ["kuma"], global: { passthrough: { mode: "Matched", destinations: [d] } }, kuma: { version } });
        const policy = (plan.objects.kuma ?? []).find((k) => k.kind === "MeshPassthrough");
        return { accepted: true, emitted: policy && toUniversal(policy) };
    } catch (e) {
        if (e instanceof BypassValidationError) return { accepted: false };
        throw e;
    }
}

const asKuma = (d: Destination) => ({
    type: "MeshPassthrough",
    name: "probe",
    mesh: "default",
    spec: { targetRef: { kind: "Mesh" }, default: { passthroughMode: "Matched", appendMatch: [{ ...d, protocol: d.protocol ?? "tcp" }] } },
});

/** The rule sets that plan (rarely, a generated one conflicts with itself, e.g. a range included and excluded). */
function plannable(sets: readonly PlainBypassArgs[]): PlainBypassArgs[] {
    return sets.filter((a) => {
        try {
            planBypass(a);
            return true;
        } catch (e) {
            if (e instanceof BypassValidationError) return false;
            throw e;
        }
    });
}

/** The Kuma version each line's suites plan for. */
const VERSION = { 2: "2.14", 3: "3.0" } as const;

/** Every Kuma object the corpus, the design example and generated rule sets render for a Kuma line. */
function kumaObjects(major: 2 | 3): Record<string, unknown>[] {
    const atVersion = (a: PlainBypassArgs): PlainBypassArgs => ({ ...a, meshes: ["kuma"], kuma: { ...a.kuma, version: VERSION[major] } });
    const generated = plannable(fc.sample(validArgs, { numRuns: 40, seed: 11 }).map(atVersion));
    assert.ok(generated.length >= 30, `only ${generated.length} of 40 generated rule sets are valid`);
    const sets = plannable([...CORPUS.map((c) => atVersion(c.args)), atVersion(designExample()), atVersion(kumaEverywhere()), kumaThree()]);
    return [...sets, ...generated].flatMap((args) => (planBypass(args).objects.kuma ?? []).map(toUniversal));
}

const cpSkip =
    kumactlSkipReason(2) ??
    (findOnPath("kuma-cp") ? netnsUnavailable() : "kuma-cp not found on PATH; Kuma's tools are in no registry (build it from kumahq/kuma's source)");

describe("Kuma's control plane (kuma-cp 2.x, universal, in-memory store, loopback only)", { skip: judgeSkip(cpSkip) }, () => {
    const cp = new KumaControlPlane();
    before(() => {
        requireJudge(cpSkip);
        return cp.start();
    });
    after(() => cp.stop());

    it("stores every Kuma object the rule sets render", (t) => {
        const objects = kumaObjects(2);
        const refused = objects.flatMap((o) => {
            const err = cp.apply(o);
            return err ? [`${o.type} ${o.name}: ${err}`] : [];
        });
        t.diagnostic(`${objects.length} objects applied to kuma-cp`);
        assert.deepEqual(refused, []);
        // And it refuses what Kuma refuses, so the verdicts mean something.
        const bad = asKuma({ type: "Domain", value: "192.0.2.1", port: 443, protocol: "tls" });
        assert.match(cp.apply(bad) ?? "", /DNS/);
    });
});

for (const major of [2, 3] as const) {
    const reason = kumactlSkipReason(major);
    describe(`Kuma ${major}.x validators (kumactl apply --dry-run)`, { skip: judgeSkip(reason) }, () => {
        let kumactl: string;
        before((t) => {
            requireJudge(reason);
            const found = kumactlFor(major);
            kumactl = found?.path ?? "kumactl";
            t.diagnostic?.(`judged by ${kumactl} (Kuma ${found?.version})`);
        });

        it("accepts every Kuma object the corpus, the design example and generated rule sets render", (t) => {
            const objects = kumaObjects(major);
            const verdicts = kumaVerdicts(objects, kumactl);
            const refused = objects.flatMap((o, i) => (verdicts[i] ? [`${o.type} ${o.name}: ${verdicts[i]}`] : []));
            t.diagnostic(`${objects.length} Kuma objects, judged by ${kumactlFor(major)?.version}`);
            assert.deepEqual(refused, []);
        });

        it("parses every one to exactly what we rendered, field by field (a field Kuma drops unread is a failure)", (t) => {
            const objects = kumaObjects(major);
            const parsed = kumaParsed(objects, kumactl);
            const differ = objects.flatMap((o, i) => {
                try {
                    assert.deepEqual(parsed[i], o);
                    return [];
                } catch {
                    return [`${o.type} ${o.name}:\n    rendered: ${JSON.stringify(o)}\n    parsed:   ${JSON.stringify(parsed[i])}`];
                }
            });
            t.diagnostic(`${objects.length} Kuma objects compared`);
            assert.equal(differ.length, 0, `Kuma parsed ${differ.length} object(s) otherwise than rendered:\n${differ.slice(0, 5).join("\n")}`);
        });

        it(`accepts exactly the passthrough destinations Kuma accepts (${CASES} generated, seed ${SEED})`, (t) => {
            const samples = fc.sample(destination, { numRuns: CASES, seed: SEED });
            const kuma = kumaVerdicts(samples.map(asKuma), kumactl);
            const emitted = samples.map((d) => ours(d, VERSION[major]));
            const emittedVerdicts = kumaVerdicts(
                emitted.flatMap((o) => (o.emitted ? [o.emitted] : [])),
                kumactl,
            );
            const disagreements: string[] = [];
            let e = 0;
            samples.forEach((d, i) => {
                const kumaAccepts = kuma[i] === undefined;
                const o = emitted[i];
                if (o.accepted && o.emitted && emittedVerdicts[e++] !== undefined)
                    disagreements.push(`we emit what Kuma refuses: ${JSON.stringify(d)}: ${emittedVerdicts[e - 1]}`);
                // Accepting what Kuma refuses as written is fine when what we emit (normalised) passes: checked above.
                if (!o.accepted && kumaAccepts && !intended(d)) disagreements.push(`we refuse what Kuma accepts: ${JSON.stringify(d)}`);
            });
            t.diagnostic(`${samples.filter((_, i) => kuma[i] === undefined).length} of ${samples.length} accepted by Kuma`);
            assert.deepEqual(disagreements, []);
        });
    });
}
