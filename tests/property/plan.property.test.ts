import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type BypassPlan, BypassValidationError, type PlainBypassArgs, planBypass } from "../../provider/index";
import { aggregateCidrs, cidrContains } from "../../provider/src/rules/aggregateCidrs";
import { type Cidr, parseCidr } from "../../provider/src/rules/cidr";
import { port, RUNS, validArgs } from "../helpers/arbitraries";
import { invalid, type PlainScopeRules, type PlainWorkloadRules } from "../helpers/builders";
import { FIXED_NOW } from "../helpers/clock";

/** The plan, or undefined when the generated rules are (rarely) invalid, e.g. the same port included and excluded. */
function tryPlan(args: PlainBypassArgs): BypassPlan | undefined {
    try {
        return planBypass(args, { now: FIXED_NOW });
    } catch (e) {
        if (e instanceof BypassValidationError) return undefined;
        throw e;
    }
}
const hashes = (p: BypassPlan) => Object.fromEntries(p.workloads.map((w) => [w.id, w.hash ?? "-"]));

function shuffled<T>(xs: readonly T[], seed: number): T[] {
    const out = [...xs];
    let s = seed >>> 0 || 1;
    for (let i = out.length - 1; i > 0; i--) {
        s = (s * 1103515245 + 12345) >>> 0;
        const j = s % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}

/** Every list in the arguments reordered; reordering keeps every value's type, so the result has the input's. */
function reorder<T>(v: T, seed: number): T;
function reorder(v: unknown, seed: number): unknown {
    if (Array.isArray(v))
        return shuffled(
            v.map((x, i) => reorder(x, seed + i)),
            seed,
        );
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reorder(x, seed + k.length)]));
    return v;
}

const ISTIO_PORTS = /^(\d{1,5}(,\d{1,5})*)?$/;

const INTERFACE_LIST = /^[a-zA-Z][a-zA-Z0-9_.-]{0,14}(,[a-zA-Z][a-zA-Z0-9_.-]{0,14})*$/;
/** Kuma's `[protocol:][ports:]uids`, uids a 16-bit value or range (kuma-init's parseExcludePortsForUIDs). */
const KUMA_UID_ENTRY = /^(?:(?:tcp|udp):(?:\*|[\d,-]+):|[\d,-]+:)?(\d{1,5})(?:-(\d{1,5}))?$/;

function assertKumaUidEntries(value: string): void {
    for (const entry of value.split(";")) {
        const m = KUMA_UID_ENTRY.exec(entry);
        assert.ok(m, `Kuma for-uids entry '${entry}'`);
        for (const u of [m[1], m[2]]) if (u !== undefined) assert.ok(Number(u) <= 65535, `'${entry}': user id over 16 bits`);
        const ports = entry.split(":").length === 1 ? "*" : entry.split(":").at(-2)!;
        if (ports === "*") continue;
        const slots = ports.split(",").reduce((n, p) => n + (p.includes("-") ? 2 : 1), 0);
        assert.ok(slots <= 15, `'${entry}': ${slots} multiport slots`);
        for (const p of ports.split(/[,-]/)) assert.ok(Number(p) >= 1 && Number(p) <= 65535, `'${entry}': port ${p}`);
    }
}

function assertIstioValue(key: string, value: string): void {
    if (/Interfaces$|interfaces$/.test(key)) {
        assert.match(value, INTERFACE_LIST, `${key}=${value}`);
        return;
    }
    if (value === "*") {
        assert.ok(/includeInboundPorts|includeOutboundIPRanges/.test(key), `* is not allowed in ${key}`);
        return;
    }
    assert.ok(!/\s/.test(value) && !value.endsWith(","), `${key}=${JSON.stringify(value)} has spaces or a trailing comma`);
    if (/IPRanges/.test(key)) {
        for (const entry of value === "" ? [] : value.split(",")) {
            const m = /^([0-9.]+|[0-9a-f:]+)\/(\d{1,3})$/.exec(entry);
            assert.ok(m, `${key}: '${entry}' is not address/prefix`);
            const v4 = m[1].includes(".");
            assert.ok(Number(m[2]) <= (v4 ? 32 : 128), `${key}: prefix of '${entry}'`);
            if (v4)
                assert.ok(
                    m[1].split(".").every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) < 256),
                    `${key}: '${entry}'`,
                );
        }
    } else {
        assert.match(value, ISTIO_PORTS, `${key}=${value}`);
        for (const p of value === "" ? [] : value.split(",")) assert.ok(Number(p) >= 1 && Number(p) <= 65535, `${key}: port ${p}`);
    }
}

/** The exclude fields (no "all" flag) as the model below reads them from the arguments. */
const EXCLUDES = [
    { key: "inbound.excludePorts", dir: "inbound", name: "excludePorts" },
    { key: "inbound.excludeIpRanges", dir: "inbound", name: "excludeIpRanges" },
    { key: "outbound.excludePorts", dir: "outbound", name: "excludePorts" },
    { key: "outbound.excludeIpRanges", dir: "outbound", name: "excludeIpRanges" },
] as const;

/**
 * A model of resolution written straight from its definition, for one field along one chain: the scopes in force
 * (back from the most specific to the first override), the union of their values, and per value the scopes that
 * have a value inside it.
 */
function modelField(chain: ReadonlyArray<[string, PlainScopeRules | undefined]>, f: (typeof EXCLUDES)[number]) {
    const used: Array<{ scope: string; values: Array<number | Cidr> }> = [];
    let reachesTop = true;
    for (const [scope, rules] of [...chain].reverse()) {
        const dir = f.dir === "inbound" ? rules?.inbound : rules?.outbound;
        const list = dir && (f.name === "excludePorts" ? dir.excludePorts : "excludeIpRanges" in dir ? dir.excludeIpRanges : undefined);
        if (!dir || list === undefined) continue;
        const values = list.map((v) => {
            if (typeof v === "number") return v;
            const r = parseCidr(v);
            assert.ok(r.ok);
            return r.cidr;
        });
        used.unshift({ scope, values });
        const inheritFields: Partial<Record<string, string>> = dir.inheritFields ?? {};
        if ((inheritFields[f.name] ?? dir.inherit ?? "override") === "override") {
            reachesTop = false;
            break;
        }
    }
    if (used.length === 0) return undefined;
    const all = used.flatMap((u) => u.values);
    const inside = (outer: number | Cidr, v: number | Cidr) => (typeof outer === "number" ? outer === v : typeof v !== "number" && cidrContains(outer, v));
    const union =
        f.name === "excludePorts"
            ? [...new Set(all.filter((v): v is number => typeof v === "number"))].sort((a, b) => a - b)
            : aggregateCidrs(all.filter((v): v is Cidr => typeof v !== "number"));
    return {
        reachesTop,
        values: union.map((v) => (typeof v === "number" ? String(v) : v.text)),
        from: Object.fromEntries(
            union.map((v) => [
                typeof v === "number" ? String(v) : v.text,
                used
                    .filter((u) => u.values.some((x) => inside(v, x)))
                    .map((u) => u.scope)
                    .join("+"),
            ]),
        ),
    };
}

/**
 * Rule sets whose exclude lists sit in a small space at every scope, so ranges and ports inherited from one scope
 * often overlap or touch another's (merged and re-aggregated), as well as stand apart.
 */
const denseArgs: fc.Arbitrary<PlainBypassArgs> = (() => {
    const inherit = fc.constantFrom("override" as const, "merge" as const);
    const near = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 22, max: 32 })).map(([n, p]) => `10.0.${n >> 2}.${(n & 3) * 64}/${p}`);
    const scope = fc.record(
        {
            inbound: fc.record({ excludePorts: fc.array(fc.integer({ min: 8000, max: 8007 }), { maxLength: 4 }), inherit }, { requiredKeys: [] }),
            outbound: fc.record({ excludeIpRanges: fc.array(near, { maxLength: 4 }), inherit }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
    );
    const names = ["a", "b"];
    return fc.record({
        meshes: fc.constant(["istio" as const, "kuma" as const]),
        global: scope,
        namespaces: fc.uniqueArray(fc.tuple(fc.constantFrom(...names), scope), { selector: ([n]) => n }).map((l) => l.map(([name, s]) => ({ name, ...s }))),
        workloads: fc
            .uniqueArray(fc.tuple(fc.constantFrom(...names), fc.constantFrom("x", "y", "z"), scope), { selector: ([n, w]) => `${n}/${w}`, minLength: 1 })
            .map((l) => l.map(([namespace, name, s]) => ({ kind: "Deployment" as const, namespace, name, ...s }))),
    });
})();

describe("planBypass properties", () => {
    it("never crashes: any input gives a plan or a BypassValidationError with located issues", () => {
        fc.assert(
            fc.property(fc.oneof(validArgs as fc.Arbitrary<unknown>, fc.anything(), fc.object({ maxDepth: 4 })), (args) => {
                try {
                    planBypass(invalid<PlainBypassArgs>(args), { now: FIXED_NOW });
                } catch (e) {
                    assert.ok(e instanceof BypassValidationError, `unexpected ${e}`);
                    assert.ok(e.issues.length > 0);
                    for (const i of e.issues) assert.equal(typeof i.path, "string");
                }
            }),
            { numRuns: RUNS },
        );
    });

    it("rejects every injected invalid value, naming its path", () => {
        const badCidr = fc.constantFrom("*", "10.0.0.0/33", "10.0.0.0/8, 10.1.0.0/16", "010.0.0.1/32", "fe80::1%eth0", "", "::/129", "1.2.3");
        const badPort = fc.constantFrom(0, -1, 65536, 80.5, Number.NaN, 1e9);
        // Each injection appends its value to one list of a workload and says where it landed. The values are
        // well-typed (a string, a number) and wrong only in what they say, so the workload stays typed throughout.
        interface Injected {
            workload: PlainWorkloadRules;
            index: number;
        }
        const injection = fc.oneof(
            badCidr.map((value) => ({
                field: "excludeIpRanges",
                dir: "outbound",
                value,
                into: (w: PlainWorkloadRules): Injected => {
                    const list = [...(w.outbound?.excludeIpRanges ?? []), value];
                    return { workload: { ...w, outbound: { ...w.outbound, excludeIpRanges: list } }, index: list.length - 1 };
                },
            })),
            badPort.map((value) => ({
                field: "excludePorts",
                dir: "inbound",
                value,
                into: (w: PlainWorkloadRules): Injected => {
                    const list = [...(w.inbound?.excludePorts ?? []), value];
                    return { workload: { ...w, inbound: { ...w.inbound, excludePorts: list } }, index: list.length - 1 };
                },
            })),
            badPort.map((value) => ({
                field: "includePorts",
                dir: "outbound",
                value,
                into: (w: PlainWorkloadRules): Injected => {
                    const list = [...(w.outbound?.includePorts ?? []), value];
                    return { workload: { ...w, outbound: { ...w.outbound, includePorts: list } }, index: list.length - 1 };
                },
            })),
        );
        fc.assert(
            fc.property(validArgs, fc.nat(), injection, (args, pick, inj) => {
                const i = pick % args.workloads!.length;
                const { workload, index } = inj.into(args.workloads![i]);
                const workloads = [...args.workloads!];
                workloads[i] = workload;
                try {
                    planBypass({ ...args, workloads }, { now: FIXED_NOW });
                    assert.fail(`accepted ${JSON.stringify(inj)}`);
                } catch (e) {
                    assert.ok(e instanceof BypassValidationError, String(e));
                    const path = `workloads[${i}].${inj.dir}.${inj.field}[${index}]`;
                    assert.ok(
                        e.issues.some((x) => x.path === path),
                        `no issue at ${path}: ${JSON.stringify(e.issues)}`,
                    );
                }
            }),
            { numRuns: RUNS },
        );
    });

    it("emits Istio, Kuma and Consul values only in the formats those meshes accept", () => {
        fc.assert(
            fc.property(validArgs, (args) => {
                const plan = tryPlan(args);
                if (!plan) return;
                for (const w of plan.workloads) {
                    for (const [k, v] of Object.entries(w.annotations)) {
                        if (k.startsWith("traffic.sidecar.istio.io/") || k === "istio.io/reroute-virtual-interfaces") assertIstioValue(k, v);
                        if (k === "consul.hashicorp.com/transparent-proxy-exclude-uids") assert.match(v, /^\d+(-\d+)?(,\d+(-\d+)?)*$/, `${k}=${v}`);
                        if (k === "traffic.kuma.io/exclude-outbound-ports-for-uids") assertKumaUidEntries(v);
                        else if (k.startsWith("traffic.kuma.io/")) {
                            assert.ok(v !== "" && !/\s/.test(v) && !v.includes("*"), `${k}=${v}`);
                            if (k.endsWith("-ports")) for (const p of v.split(",")) assert.ok(/^\d+$/.test(p) && +p >= 1 && +p <= 65535, `${k}: ${p}`);
                        }
                    }
                }
            }),
            { numRuns: RUNS },
        );
    });

    it("resolves each field to the union of the scopes in force, each value from the scopes with a value inside it", () => {
        fc.assert(
            fc.property(fc.oneof(validArgs, denseArgs), (args) => {
                const plan = tryPlan(args);
                if (!plan) return;
                for (const w of plan.workloads) {
                    const own = args.workloads?.find((x) => x.kind === w.kind && x.namespace === w.namespace && x.name === w.name);
                    const ns = args.namespaces?.find((n) => n.name === w.namespace);
                    const chain: Array<[string, PlainScopeRules | undefined]> = [
                        ["global", args.global],
                        [`namespace/${w.namespace}`, ns],
                        [w.id, own],
                    ];
                    for (const f of EXCLUDES) {
                        const model = modelField(chain, f);
                        const got = w.effective.fields[f.key];
                        if (!model || !got) {
                            assert.equal(got, model, `${w.id} ${f.key}`);
                            continue;
                        }
                        assert.deepEqual(f.name === "excludePorts" ? got.ports.map(String) : got.cidrs, model.values, `${w.id} ${f.key}`);
                        assert.deepEqual(
                            Object.fromEntries(got.sources.flatMap((g) => g.values.map((v) => [v, g.scopes.join("+")]))),
                            model.from,
                            `${w.id} ${f.key} provenance`,
                        );
                        assert.equal(got.mergesWithInstall, model.reachesTop, `${w.id} ${f.key} mergesWithInstall`);
                    }
                }
            }),
            { numRuns: RUNS },
        );
    });

    it("gives the same hashes whatever the order of the input lists", () => {
        fc.assert(
            fc.property(validArgs, fc.integer({ min: 1, max: 1 << 30 }), (args, seed) => {
                const plan = tryPlan(args);
                if (!plan) return;
                const again = planBypass(reorder(args, seed), { now: FIXED_NOW });
                assert.deepEqual(hashes(again), hashes(plan));
            }),
            { numRuns: RUNS },
        );
    });

    it("changing one workload's rules leaves every other workload's hash unchanged", () => {
        fc.assert(
            fc.property(validArgs, fc.nat(), fc.uniqueArray(port, { minLength: 1, maxLength: 4 }), (args, pick, newPorts) => {
                const before = tryPlan(args);
                if (!before) return;
                const i = pick % args.workloads!.length;
                const workloads = [...args.workloads!];
                const w = workloads[i];
                // A fresh outbound exclude list; drop the same ports from the include list to stay valid.
                const out = {
                    ...(w.outbound ?? {}),
                    excludePorts: newPorts,
                    includePorts: w.outbound?.includePorts?.filter((p) => !newPorts.includes(p as number)),
                };
                workloads[i] = { ...w, outbound: out };
                const after = tryPlan({ ...args, workloads });
                if (!after) return;
                const changed = `${w.kind}/${w.namespace}/${w.name}`;
                const [b, a] = [hashes(before), hashes(after)];
                for (const id of Object.keys(b)) if (id !== changed) assert.equal(a[id], b[id], `${id} changed when only ${changed} did`);
            }),
            { numRuns: RUNS },
        );
    });
});
