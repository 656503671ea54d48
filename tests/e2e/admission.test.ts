// Scope rules at admission, judged by the real kube-apiserver (1.36, MutatingAdmissionPolicy GA): the policies and
// bindings a plan renders are applied as the component applies them, then pods of generated shapes are created in
// the scopes' namespaces. Needs no Pulumi CLI. What must hold: no pod is refused; each pod gets exactly the keys of
// its scope it did not carry (its own values win); a pod of a patched workload (it carries a rollout hash) is left
// as it is; a namespace with rules of its own gets its rules, not the global ones; a namespace nobody selected and a
// system namespace get nothing.
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import {
    admissionObjects,
    BypassPlanner,
    type PlainBypassArgs,
    parseIstioInjectorValues,
    planBypass,
    ROLLOUT_HASH_ANNOTATION,
    SYSTEM_NAMESPACES,
} from "../../provider/index";
import { type ControlPlane, startControlPlane } from "../../tools/harness/controlPlane";
import { applyServerSide, getJson, kubectl } from "../../tools/harness/kube";
import { namespaceObject } from "../../tools/harness/workloads";
import { ALL_MESHES } from "../helpers/arbitraries";
import { Istiod } from "../helpers/istiod";
import { istioInitArgs } from "../helpers/istioInitArgs";
import { istioTools, kubeInject } from "../helpers/istioTools";
import { goSkipReason } from "../helpers/oracles";

const SHAPES = Number(process.env.E2E_ADMISSION_SHAPES ?? 60);

const rules: PlainBypassArgs = {
    meshes: [...ALL_MESHES],
    global: { outbound: { excludeIpRanges: ["169.254.169.254/32"] } },
    namespaces: [
        { name: "payments", inbound: { excludePorts: [7001, 7002] }, outbound: { excludePorts: [25] } },
        { name: "debug", fullBypass: { enabled: true, acknowledged: true, reason: "tracing a TLS bug", expires: "2099-01-01T00:00:00Z" } },
    ],
    admission: { globalNamespaces: ["shop", "kube-system"], globalNamespaceLabels: { team: "web" } },
};

interface Pod {
    metadata: { name: string; namespace: string; annotations?: Record<string, string>; labels?: Record<string, string> };
}

/** A pod of a given metadata shape; kwok never runs it, the API server only admits it. */
const pod = (namespace: string, name: string, annotations?: Record<string, string>, labels?: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, ...(annotations ? { annotations } : {}), ...(labels ? { labels } : {}) },
    spec: { containers: [{ name: "app", image: "registry.example/app:1" }] },
});

describe("e2e: scope rules at admission, on the real API server (no CLI needed)", () => {
    let cp: ControlPlane;
    const plan = planBypass(rules, { name: "sidecar-bypass-adm" });
    const keysOf = (scope: string) => plan.admission.scopes.find((s) => s.scope === scope)!;

    before(() => {
        cp = startControlPlane("e2e-admission", { fresh: true });
        applyServerSide(
            cp,
            [
                ...["payments", "debug", "shop", "other"].map(namespaceObject),
                { apiVersion: "v1", kind: "Namespace", metadata: { name: "web", labels: { team: "web" } } },
            ],
            { fieldManager: "test" },
        );
        const objects = admissionObjects(plan.admission, { "app.kubernetes.io/managed-by": "sidecar-bypass" });
        applyServerSide(
            cp,
            objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: o.spec })),
            { fieldManager: "sidecar-bypass:test/adm/adm" },
        );
    });
    after(() => cp?.stop());

    /** Creates a pod (retrying while the policies' informers catch up with their creation) and returns it as stored. */
    async function admitted(p: ReturnType<typeof pod>, expectMutation: boolean): Promise<Pod> {
        for (let attempt = 0; attempt < 40; attempt++) {
            kubectl(cp, ["create", "-f", "-"], JSON.stringify(p));
            const stored = getJson<Pod>(cp, ["pod", "-n", p.metadata.namespace, p.metadata.name]);
            const mutated = stored.metadata.annotations?.["sidecar-bypass.io/admission"] !== undefined;
            if (mutated || !expectMutation) return stored;
            kubectl(cp, ["delete", "pod", "-n", p.metadata.namespace, p.metadata.name, "--wait=false"]);
            await new Promise((r) => setTimeout(r, 250));
        }
        throw new Error(`no policy mutated ${p.metadata.namespace}/${p.metadata.name} within 10 s`);
    }

    it("plans one policy per scope, with the global rules in the namespaces selected and none other", () => {
        assert.deepEqual(
            plan.admission.scopes.map((s) => [s.scope, s.selections]),
            [
                [
                    "global",
                    [
                        { in: ["kube-system", "shop"] },
                        {
                            matchLabels: { team: "web" },
                            // The system namespaces, those with rules of their own, and those already named.
                            notIn: [...new Set([...SYSTEM_NAMESPACES, "debug", "payments", "shop", "kube-system"])].sort(),
                        },
                    ],
                ],
                ["namespace/debug", [{ in: ["debug"] }]],
                ["namespace/payments", [{ in: ["payments"] }]],
            ],
        );
    });

    it("a pod with no metadata of its own gets every key of its namespace's scope, and nothing of another", async () => {
        const p = await admitted(pod("payments", "bare"), true);
        const scope = keysOf("namespace/payments");
        assert.deepEqual(p.metadata.annotations, scope.annotations);
        assert.deepEqual(p.metadata.labels ?? {}, scope.labels);
        assert.match(p.metadata.annotations?.["traffic.sidecar.istio.io/excludeOutboundIPRanges"] ?? "", /169\.254\.169\.254\/32/, "global inherited");
        const debug = await admitted(pod("debug", "bare"), true);
        assert.equal(debug.metadata.labels?.["kmesh.net/bypass"], "enabled");
        assert.equal(debug.metadata.annotations?.["sidecar.istio.io/inject"], keysOf("namespace/debug").annotations["sidecar.istio.io/inject"]);
    });

    it("the global rules reach the namespaces named (a system one too, named) and labelled, and no other", async () => {
        for (const ns of ["shop", "web", "kube-system"]) {
            const p = await admitted(pod(ns, "bare"), true);
            assert.deepEqual(p.metadata.annotations, keysOf("global").annotations, ns);
        }
        const other = await admitted(pod("other", "bare"), false);
        assert.equal(other.metadata.annotations, undefined, "a namespace nobody selected gets nothing");
    });

    it("a pod of a patched workload (it carries a rollout hash) is left exactly as its template has it", async () => {
        const own = { [ROLLOUT_HASH_ANNOTATION]: "0123456789abcdef", "traffic.sidecar.istio.io/excludeInboundPorts": "9000" };
        const p = await admitted(pod("payments", "patched", own, { app: "ledger" }), false);
        assert.deepEqual(p.metadata.annotations, own);
        assert.deepEqual(p.metadata.labels, { app: "ledger" });
    });

    it(`pods of ${SHAPES} generated shapes: none refused, each key it carried kept, exactly the missing ones added`, async () => {
        const scope = keysOf("namespace/payments");
        const ours = [...Object.keys(scope.annotations)];
        const key = fc.oneof(fc.constantFrom(...ours), fc.constantFrom("example.com/chart", "app.kubernetes.io/name", "example.com/x", "x"));
        const value = fc.oneof(fc.string({ maxLength: 20 }), fc.constant("v".repeat(20_000)), fc.constant('naïve, "quoted" \\ value\n'));
        const shape = fc.record(
            {
                annotations: fc.dictionary(key, value, { maxKeys: 12 }),
                labels: fc.dictionary(fc.constantFrom("app", "tier", "kmesh.net/bypass"), fc.constantFrom("a", "b", "disabled"), { maxKeys: 3 }),
            },
            { requiredKeys: [] },
        );
        const shapes = fc.sample(shape, { numRuns: SHAPES, seed: 21 }).filter((s) => !(s.annotations && ROLLOUT_HASH_ANNOTATION in s.annotations));
        for (const [i, s] of shapes.entries()) {
            const name = `shape-${i}`;
            const stored = await admitted(pod("payments", name, s.annotations, s.labels), true);
            // A pod that already carries an admission mark was admitted by a scope's policy: it is left as it is.
            const marked = s.annotations !== undefined && "sidecar-bypass.io/admission" in s.annotations;
            const expected = marked ? { ...s.annotations } : { ...scope.annotations, ...(s.annotations ?? {}) };
            assert.deepEqual(stored.metadata.annotations, expected, `${name}: ${JSON.stringify(s).slice(0, 300)}`);
            assert.deepEqual(stored.metadata.labels ?? {}, marked ? { ...(s.labels ?? {}) } : { ...scope.labels, ...(s.labels ?? {}) }, name);
        }
    });

    it("a pod whose own annotations leave no room for ours is created as it is, never refused", async () => {
        const big = { "example.com/blob": "b".repeat(262_000) };
        const p = await admitted(pod("payments", "crowded", big), false);
        assert.deepEqual(p.metadata.annotations, big);
    });

    it("the largest scope the validation accepts (a CEL map just under 100,000 characters) is accepted and runs", async (t) => {
        const ranges = Array.from({ length: 6900 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${(i % 2) * 2}/32`);
        const large = planBypass(
            { meshes: ["istio"], namespaces: [{ name: "other", outbound: { excludeIpRanges: ranges } }] },
            { name: "sidecar-bypass-large" },
        );
        const scope = large.admission.scopes[0];
        const objects = admissionObjects(large.admission, { "app.kubernetes.io/managed-by": "sidecar-bypass" });
        t.diagnostic(`policy of ${JSON.stringify(objects[0].spec).length} bytes adding ${JSON.stringify(scope.annotations).length} bytes of annotations`);
        applyServerSide(
            cp,
            objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: o.spec })),
            { fieldManager: "sidecar-bypass:test/large/large" },
        );
        try {
            const p = await admitted(pod("other", "large"), true);
            assert.deepEqual(p.metadata.annotations, scope.annotations);
        } finally {
            for (const o of objects) kubectl(cp, ["delete", o.kind.toLowerCase(), o.metadata.name, "--ignore-not-found"]);
        }
    });

    it("two components over one namespace: each pod takes one component's rules whole, never a mix", async () => {
        // Another stack's component, with other rules for payments (the API server evaluates policies in no defined order).
        const other = planBypass(
            { meshes: ["istio"], namespaces: [{ name: "payments", inbound: { excludePorts: [9100] }, outbound: { excludePorts: [25] } }] },
            { name: "sidecar-bypass-other" },
        );
        const objects = admissionObjects(other.admission, { "app.kubernetes.io/managed-by": "sidecar-bypass" });
        applyServerSide(
            cp,
            objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: o.spec })),
            { fieldManager: "sidecar-bypass:test/other/other" },
        );
        const ours = keysOf("namespace/payments");
        const theirs = other.admission.scopes[0];
        const marks = new Set<string>();
        for (let i = 0; i < 20; i++) {
            const p = await admitted(pod("payments", `two-${i}`), true);
            const mark = p.metadata.annotations?.["sidecar-bypass.io/admission"];
            const scope = mark === theirs.annotations["sidecar-bypass.io/admission"] ? theirs : ours;
            assert.deepEqual(p.metadata.annotations, scope.annotations, `two-${i}: exactly one scope's keys`);
            marks.add(mark ?? "");
        }
        for (const o of objects) kubectl(cp, ["delete", o.kind.toLowerCase(), o.metadata.name, "--ignore-not-found"]);
        // Until the other policy's deletion is seen, a pod may still take its rules: wait for ours alone.
        for (let i = 0; i < 40; i++) {
            const p = await admitted(pod("payments", `after-other-${i}`), true);
            if (p.metadata.annotations?.["sidecar-bypass.io/admission"] === ours.annotations["sidecar-bypass.io/admission"]) break;
            await new Promise((r) => setTimeout(r, 250));
        }
        assert.ok(marks.size >= 1);
    });

    it("a mutating webhook (where every mesh's injector sits) receives the pod with our keys already on it", async (t) => {
        const recorder = new RecordingWebhook();
        try {
            await recorder.start();
            applyServerSide(cp, [recorder.configuration("payments")], { fieldManager: "test" });
            const scope = keysOf("namespace/payments");
            let seen: Pod["metadata"] | undefined;
            for (let attempt = 0; attempt < 40 && !seen; attempt++) {
                kubectl(cp, ["create", "-f", "-"], JSON.stringify(pod("payments", `chain-${attempt}`, { "example.com/chart": "x" })));
                seen = recorder.received().find((m) => m.name === `chain-${attempt}`);
                if (!seen) await new Promise((r) => setTimeout(r, 250));
            }
            assert.ok(seen, "the webhook was called within 10 s");
            t.diagnostic(`the webhook received ${Object.keys(seen.annotations ?? {}).length} annotations on ${seen.name}`);
            assert.deepEqual(seen.annotations, { ...scope.annotations, "example.com/chart": "x" });
        } finally {
            kubectl(cp, ["delete", "mutatingwebhookconfiguration", RecordingWebhook.NAME, "--ignore-not-found"]);
            recorder.stop();
        }
    });

    it("the pod the API server stored goes through Istio's injector with the istio-init flags the plan predicts", { skip: goSkipReason() }, () => {
        const tools = istioTools();
        const stored = getJson<Pod & { apiVersion: string; kind: string; spec: unknown }>(cp, ["pod", "-n", "payments", "bare"]);
        const asSubmitted = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "bare", namespace: "payments", annotations: stored.metadata.annotations },
            spec: stored.spec,
        };
        const [injected] = kubeInject(tools, [asSubmitted]);
        const init = (injected as { spec: { initContainers?: Array<{ name: string; args: string[] }> } }).spec.initContainers?.find(
            (c) => c.name === "istio-init",
        );
        assert.ok(init, "istio-init was injected");
        const flags = initFlags(init.args);
        assert.deepEqual(flags, { ...istioInitArgs(stored.metadata.annotations ?? {}, installOf(tools)) });
        assert.equal(flags.b, "*");
        assert.match(flags.d, /7001/);
    });

    it("Istio's own injector (istiod, run as the webhook) injects the pod our policy admitted, with the flags the plan predicts", {
        skip: goSkipReason(),
    }, async (t) => {
        const tools = istioTools();
        const istiod = new Istiod(tools, cp);
        try {
            const t0 = Date.now();
            // As on a 1.36 cluster, whose kubelets take native sidecars.
            await istiod.start({ nativeSidecars: true });
            t.diagnostic(`istiod's webhook answered ${Date.now() - t0} ms after its start`);
            applyServerSide(cp, [istiod.configuration()], { fieldManager: "test" });
            kubectl(cp, ["label", "namespace", "payments", "istio-injection=enabled", "--overwrite"]);
            let stored: InjectedPod | undefined;
            for (let attempt = 0; attempt < 40 && !stored?.spec.initContainers?.length; attempt++) {
                kubectl(cp, ["create", "-f", "-"], JSON.stringify(pod("payments", `istiod-${attempt}`, { "example.com/chart": "x" })));
                stored = getJson<InjectedPod>(cp, ["pod", "-n", "payments", `istiod-${attempt}`]);
                if (!stored.spec.initContainers?.length) await new Promise((r) => setTimeout(r, 250));
            }
            assert.ok(stored?.spec.initContainers?.length, "istiod injected a pod within 10 s");
            const scope = keysOf("namespace/payments");
            for (const [k, v] of Object.entries(scope.annotations)) assert.equal(stored.metadata.annotations?.[k], v, k);
            const [init, proxy] = stored.spec.initContainers;
            assert.equal(init.name, "istio-init");
            assert.deepEqual([proxy?.name, proxy?.restartPolicy], ["istio-proxy", "Always"], "the proxy is a native sidecar");
            const flags = initFlags(init.args ?? []);
            t.diagnostic(`istio-init ${JSON.stringify(flags)}`);
            assert.deepEqual(flags, { ...istioInitArgs(stored.metadata.annotations ?? {}, installOf(tools)) });
            assert.match(flags.d, /7001/);
        } finally {
            kubectl(cp, ["delete", "mutatingwebhookconfiguration", Istiod.WEBHOOK, "--ignore-not-found"]);
            kubectl(cp, ["label", "namespace", "payments", "istio-injection-"]);
            await istiod.stop();
        }
    });

    it("after the policies are deleted, new pods carry nothing of ours; running pods are untouched", async () => {
        const before = getJson<Pod>(cp, ["pod", "-n", "payments", "bare"]);
        for (const s of plan.admission.scopes) {
            kubectl(cp, ["delete", "mutatingadmissionpolicybinding", "-l", "app.kubernetes.io/managed-by=sidecar-bypass", "--ignore-not-found"]);
            kubectl(cp, ["delete", "mutatingadmissionpolicy", s.name, "--ignore-not-found"]);
        }
        let stored: Pod | undefined;
        for (let attempt = 0; attempt < 40; attempt++) {
            kubectl(cp, ["create", "-f", "-"], JSON.stringify(pod("payments", `after-${attempt}`)));
            stored = getJson<Pod>(cp, ["pod", "-n", "payments", `after-${attempt}`]);
            if (stored.metadata.annotations === undefined) break;
            await new Promise((r) => setTimeout(r, 250));
        }
        assert.equal(stored?.metadata.annotations, undefined);
        assert.deepEqual(getJson<Pod>(cp, ["pod", "-n", "payments", "bare"]).metadata.annotations, before.metadata.annotations);
    });
});

interface InjectedPod extends Pod {
    spec: { initContainers?: { name: string; args?: string[]; restartPolicy?: string }[] };
}

/** istio-init's flags that carry rules, by letter, from its arguments. */
function initFlags(args: readonly string[]): Record<string, string> {
    const flags: Record<string, string> = {};
    for (let i = 0; i < args.length; i++) {
        const m = /^-([ixbdqock])$/.exec(args[i]);
        if (m) flags[m[1]] = args[++i];
    }
    return flags;
}

/** The install's defaults, as the plan reads them from the injector's values. */
const installOf = (tools: ReturnType<typeof istioTools>) =>
    new BypassPlanner({ ...rules, istio: { installDefaults: parseIstioInjectorValues(tools.values) } }).rules.settings.istio;

/**
 * A mutating webhook that records the pods it is handed and changes nothing: HTTPS on 127.0.0.1 with a certificate of
 * its own (the API server trusts it through the configuration's caBundle). A child process, so it answers while this
 * process waits on kubectl; stopped by its PID.
 */
class RecordingWebhook {
    static readonly NAME = "sidecar-bypass-test-recorder";
    private readonly dir = mkdtempSync(join(tmpdir(), "sb-webhook-"));
    private child?: ChildProcess;
    private port = 0;

    async start(): Promise<void> {
        execFileSync(
            "openssl",
            [
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ],
            { cwd: this.dir, stdio: "ignore" },
        );
        const server = `
const https = require("node:https"), fs = require("node:fs");
const log = ${JSON.stringify(join(this.dir, "received.jsonl"))};
const s = https.createServer({ key: fs.readFileSync("key.pem"), cert: fs.readFileSync("cert.pem") }, (req, res) => {
  let body = ""; req.on("data", (c) => (body += c));
  req.on("end", () => {
    const review = JSON.parse(body);
    fs.appendFileSync(log, JSON.stringify(review.request.object.metadata) + "\\n");
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: review.request.uid, allowed: true } }));
  });
});
s.listen(0, "127.0.0.1", () => fs.writeFileSync("port", String(s.address().port)));`;
        this.child = spawn(process.execPath, ["-e", server], { cwd: this.dir, stdio: "ignore" });
        for (let i = 0; i < 100 && !existsSync(join(this.dir, "port")); i++) await new Promise((r) => setTimeout(r, 100));
        this.port = Number(readFileSync(join(this.dir, "port"), "utf8"));
    }

    configuration(namespace: string): object {
        return {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "MutatingWebhookConfiguration",
            metadata: { name: RecordingWebhook.NAME },
            webhooks: [
                {
                    name: "recorder.sidecar-bypass.test",
                    clientConfig: { url: `https://127.0.0.1:${this.port}/record`, caBundle: readFileSync(join(this.dir, "cert.pem")).toString("base64") },
                    rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
                    namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [namespace] }] },
                    sideEffects: "None",
                    admissionReviewVersions: ["v1"],
                    failurePolicy: "Ignore",
                    timeoutSeconds: 5,
                },
            ],
        };
    }

    received(): Pod["metadata"][] {
        const file = join(this.dir, "received.jsonl");
        if (!existsSync(file)) return [];
        return readFileSync(file, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Pod["metadata"]);
    }

    stop(): void {
        if (this.child?.pid && this.child.exitCode === null) this.child.kill("SIGKILL");
        rmSync(this.dir, { recursive: true, force: true });
    }
}
