// Istio's injector as the judge: every Deployment the component renders for the corpus and for generated
// rule sets goes through `istioctl kube-inject` offline, with the injector configuration of the pinned
// Istio, in both sidecar modes (the proxy as a native sidecar, the default of Istio 1.28+ where every kubelet is 1.33+,
// and the classic form). Injection must succeed and istio-init's -i -x -b -d -q -o -c -k must be what the plan predicts.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { BypassPlanner, BypassValidationError, type PlainBypassArgs, parseIstioInjectorValues } from "../../provider/index";
import { validArgs } from "../helpers/arbitraries";
import { FIXED_NOW } from "../helpers/clock";
import { istioInitArgs } from "../helpers/istioInitArgs";
import { type IstioTools, istioTools, kubeInject } from "../helpers/istioTools";
import { goSkipReason, judgeSkip, requireJudge } from "../helpers/oracles";
import { CORPUS } from "./corpus";

const GENERATED = Number(process.env.ORACLE_CASES ?? 300);
const SEED = Number(process.env.ORACLE_SEED ?? Date.now() % 2 ** 31);

interface Rendered {
    label: string;
    doc: object;
    expected: Record<string, string>;
}

/** Plans a rule set against the install's real defaults and renders each workload as a Deployment. */
function render(label: string, args: PlainBypassArgs, tools: IstioTools, out: Rendered[]): void {
    const installDefaults = parseIstioInjectorValues(tools.values);
    const planner = new BypassPlanner({ ...args, istio: { installDefaults } }, { now: FIXED_NOW });
    for (const w of planner.plan().workloads) {
        const name = `w${out.length}`;
        out.push({
            label: `${label}: ${w.id}`,
            expected: { ...istioInitArgs(w.annotations, planner.rules.settings.istio) },
            doc: {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name, namespace: "corpus" },
                spec: {
                    selector: { matchLabels: { app: name } },
                    template: {
                        metadata: { labels: { app: name, ...w.labels }, annotations: w.annotations },
                        spec: { containers: [{ name: "app", image: "registry.example/app:1", ports: [{ containerPort: 8080 }] }] },
                    },
                },
            },
        });
    }
}

/** istio-init's flag values, e.g. { i: "*", x: "", b: "*", d: "15090,15021,15020" }; -c and -k only when interfaces are set. */
function initArgs(injected: Record<string, unknown>): Record<string, string> {
    const spec = (injected as { spec: { template: { spec: { initContainers?: Array<{ name: string; args: string[] }> } } } }).spec.template.spec;
    const init = spec.initContainers?.find((c) => c.name === "istio-init");
    assert.ok(init, "no istio-init container after injection");
    const flags: Record<string, string> = {};
    for (let i = 0; i < init.args.length; i++) {
        const m = /^-([ixbdqock])$/.exec(init.args[i]);
        if (m) flags[m[1]] = init.args[++i];
    }
    return flags;
}

/** Whether the proxy was injected as a native sidecar: an init container that keeps running. */
function proxyIsNative(injected: Record<string, unknown>): boolean {
    const spec = (injected as { spec: { template: { spec: { initContainers?: Array<{ name: string; restartPolicy?: string }> } } } }).spec.template.spec;
    return spec.initContainers?.some((c) => c.name === "istio-proxy" && c.restartPolicy === "Always") ?? false;
}

function assertInjection(rendered: Rendered[], tools: IstioTools, nativeSidecar: boolean): void {
    const injected = kubeInject(
        tools,
        rendered.map((r) => r.doc),
        { nativeSidecar },
    );
    assert.ok(
        injected.every((d) => proxyIsNative(d) === nativeSidecar),
        `the proxy is ${nativeSidecar ? "not " : ""}a native sidecar in some injected workload`,
    );
    assert.equal(injected.length, rendered.length, "kube-inject returned a different number of objects");
    const wrong: string[] = [];
    rendered.forEach((r, i) => {
        const actual = initArgs(injected[i]);
        try {
            assert.deepEqual(actual, r.expected);
        } catch {
            wrong.push(`${r.label}\n    istio-init: ${JSON.stringify(actual)}\n    plan says:  ${JSON.stringify(r.expected)}`);
        }
    });
    assert.equal(wrong.length, 0, `istio-init disagrees with the plan for ${wrong.length} workload(s):\n${wrong.slice(0, 10).join("\n")}`);
}

const unavailable = goSkipReason();

describe("Istio's injector (istioctl kube-inject, offline)", { skip: judgeSkip(unavailable) }, () => {
    let tools: IstioTools;
    before(() => {
        requireJudge(unavailable);
        tools = istioTools();
    });

    for (const nativeSidecar of [false, true]) {
        const mode = nativeSidecar ? "the proxy a native sidecar" : "the classic sidecar";
        it(`injects every corpus workload with the istio-init arguments the plan predicts (${CORPUS.length} rule sets, ${mode})`, () => {
            const rendered: Rendered[] = [];
            for (const c of CORPUS) render(c.name, c.args, tools, rendered);
            assertInjection(rendered, tools, nativeSidecar);
        });
    }

    it(`does the same for ${GENERATED} generated rule sets in both sidecar modes (seed ${SEED}; ORACLE_SEED to replay)`, () => {
        const rendered: Rendered[] = [];
        const sets = fc.sample(validArgs, { numRuns: GENERATED, seed: SEED });
        sets.forEach((args, i) => {
            try {
                render(`generated[${i}]`, { ...args, meshes: [...new Set([...args.meshes, "istio" as const])] }, tools, rendered);
            } catch (e) {
                if (!(e instanceof BypassValidationError)) throw e; // rarely, a generated set conflicts with itself
            }
        });
        assert.ok(rendered.length > GENERATED, `only ${rendered.length} workloads rendered`);
        assertInjection(rendered, tools, false);
        assertInjection(rendered, tools, true);
    });
});
