// Scope rules at admission, the pure part: which scopes get a policy, which namespaces each binding selects, the keys
// it adds, and the policy objects themselves (snapshot). The API server judges them in tests/e2e/admission.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADMISSION_ANNOTATION, admissionObjects, type PlainBypassArgs, planBypass, ROLLOUT_HASH_ANNOTATION, SYSTEM_NAMESPACES } from "../../provider/index";
import { CEL_EXPRESSION_LIMIT, expressionOverLimit, longestExpression } from "../../provider/src/plan/admissionPolicy";
import { admissionApiProblem } from "../../provider/src/plan/clusterApis";
import { FIXED_NOW } from "../helpers/clock";
import { designExample } from "../helpers/examples";
import { matchSnapshot } from "../helpers/snapshot";

const base: PlainBypassArgs = {
    meshes: ["istio"],
    global: { outbound: { excludeIpRanges: ["169.254.169.254/32"] } },
    namespaces: [{ name: "payments", inbound: { excludePorts: [7001] } }],
};
const plan = (extra: Partial<PlainBypassArgs> = {}) => planBypass({ ...base, ...extra }, { name: "sb" });

describe("admission: which scopes, which namespaces", () => {
    it("by default (v1): each namespace with pod rules gets a policy; the global rules reach no namespace unless selected", () => {
        const p = plan();
        assert.equal(p.admission.mode, "v1");
        assert.deepEqual(
            p.admission.scopes.map((s) => [s.scope, s.name, s.selections]),
            [["namespace/payments", "sb-namespace-payments", [{ in: ["payments"] }]]],
        );
        assert.ok(p.notices.some((n) => /^admission \(v1\): namespace\/payments reaches every new pod in namespaces payments/.test(n)));
        assert.ok(p.notices.some((n) => /running pods of unlisted workloads keep their rules until they are re-created/.test(n)));
        // The README's first example now does something: no warning that nothing is listed.
        assert.ok(!p.warnings.some((w) => /no workload in namespace/.test(w.message)));
    });

    it("the namespace's keys are its effective rules (global inherited), with the admission mark and no rollout hash", () => {
        const s = plan().admission.scopes[0];
        assert.equal(s.annotations["traffic.sidecar.istio.io/excludeInboundPorts"], "7001");
        assert.match(s.annotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"] ?? "", /169\.254\.169\.254\/32/);
        assert.match(s.annotations[ADMISSION_ANNOTATION], /^sb-namespace-payments\/[0-9a-f]{16}$/);
        assert.ok(!(ROLLOUT_HASH_ANNOTATION in s.annotations));
    });

    it("global rules reach the namespaces named (system ones too) and those labelled (never a system one, nor one with rules of its own)", () => {
        const p = plan({ admission: { globalNamespaces: ["shop", "kube-system", "payments", "shop"], globalNamespaceLabels: { team: "web" } } });
        const global = p.admission.scopes.find((s) => s.scope === "global");
        assert.deepEqual(global?.selections, [
            { in: ["kube-system", "shop"] },
            { matchLabels: { team: "web" }, notIn: [...new Set([...SYSTEM_NAMESPACES, "payments", "shop", "kube-system"])].sort() },
        ]);
        const objects = admissionObjects(p.admission, {});
        assert.deepEqual(
            objects.map((o) => `${o.kind} ${o.metadata.name}`),
            [
                "MutatingAdmissionPolicy sb-global",
                "MutatingAdmissionPolicyBinding sb-global-1",
                "MutatingAdmissionPolicyBinding sb-global-2",
                "MutatingAdmissionPolicy sb-namespace-payments",
                "MutatingAdmissionPolicyBinding sb-namespace-payments",
            ],
        );
    });

    it("a namespace that sets only a Kuma passthrough policy gets none; it takes the global rules where selected", () => {
        const p = planBypass(
            {
                meshes: ["kuma"],
                global: { outbound: { excludePorts: [25] } },
                namespaces: [{ name: "shop", passthrough: { mode: "None" } }],
                admission: { globalNamespaces: ["shop"] },
            },
            { name: "sb" },
        );
        assert.deepEqual(
            p.admission.scopes.map((s) => [s.scope, s.selections]),
            [["global", [{ in: ["shop"] }]]],
        );
    });

    it("mode off: no policy, and the old warning that nothing reaches an unlisted namespace's pods", () => {
        const p = plan({ admission: { mode: "off" } });
        assert.deepEqual(p.admission, { mode: "off", scopes: [] });
        assert.deepEqual(admissionObjects(p.admission, {}), []);
        assert.ok(p.warnings.some((w) => /no workload in namespace 'payments' is listed/.test(w.message) && /admission\.mode is off/.test(w.message)));
    });

    it("v1beta1 writes the same objects at admissionregistration.k8s.io/v1beta1", () => {
        const objects = admissionObjects(plan({ admission: { mode: "v1beta1" } }).admission, {});
        assert.ok(objects.length > 0 && objects.every((o) => o.apiVersion === "admissionregistration.k8s.io/v1beta1"));
    });

    it("refuses a mode, namespace or label it does not know, naming the field", () => {
        assert.throws(
            () => plan({ admission: { mode: "v2" as "v1", globalNamespaces: ["Bad_NS"], globalNamespaceLabels: { "bad key!": "x" } } }),
            (e: Error & { issues?: { path: string; message: string }[] }) => {
                const paths = (e.issues ?? []).map((i) => i.path);
                assert.ok(paths.includes("admission.mode"), paths.join(", "));
                assert.ok(paths.includes("admission.globalNamespaces[0]"), paths.join(", "));
                assert.ok(
                    paths.some((p) => p.startsWith("admission.globalNamespaceLabels")),
                    paths.join(", "),
                );
                return true;
            },
        );
    });

    it("refuses a scope whose policy would hold a CEL expression over the API server's 100,000 characters, naming it", () => {
        const ranges = Array.from({ length: 7500 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${(i % 2) * 2}/32`);
        assert.throws(
            () => planBypass({ meshes: ["istio"], namespaces: [{ name: "big", outbound: { excludeIpRanges: ranges } }] }),
            (e: Error & { issues?: { path: string; message: string }[] }) =>
                (e.issues ?? []).some(
                    (i) =>
                        i.path === "namespaces" &&
                        /admission policy of namespace\/big would hold a CEL expression of \d+ characters, over the 100000/.test(i.message),
                ),
        );
    });

    it("writes keys and values as CEL string literals that read back exactly", () => {
        const p = planBypass({ meshes: ["istio"], namespaces: [{ name: "x", interfaces: { exclude: ["net1"] }, inbound: { excludePorts: [9000] } }] });
        const [policy] = admissionObjects(p.admission, {});
        const vars = (policy.spec as { variables: { name: string; expression: string }[] }).variables;
        // The map literal is JSON's syntax for a string map, so JSON reads it back.
        assert.deepEqual(JSON.parse(vars[0].expression), p.admission.scopes[0].annotations);
        // The limit check counts the literal without making it; it counts what the policy holds, escapes and all.
        const odd = { ...p.admission.scopes[0], annotations: { 'k"x': 'naïve, "q" \\ v\n', e: "😀" } };
        const [oddPolicy] = admissionObjects({ mode: "v1", scopes: [odd] }, {});
        const oddVars = (oddPolicy.spec as { variables: { expression: string }[] }).variables;
        assert.equal(longestExpression(odd), Math.max(...oddVars.map((v) => [...v.expression].length)));
    });

    it("counts a scope exactly wherever it could pass the CEL limit, escapes and all", () => {
        const scope = (value: string) => ({ annotations: { k: value }, labels: {} });
        // Within the limit even if every character were escaped: not counted, and within.
        assert.equal(expressionOverLimit(scope("a".repeat(16_000))), undefined);
        // Short as text, over the limit as a literal (each newline is written \n): counted, and over.
        const newlines = scope("\n".repeat(50_000));
        assert.ok(longestExpression(newlines) > CEL_EXPRESSION_LIMIT);
        assert.equal(expressionOverLimit(newlines), longestExpression(newlines));
        // Control characters take six code points each (\u0001): the most any character can take.
        const controls = scope("\u0001".repeat(16_666));
        assert.equal(expressionOverLimit(controls), longestExpression(controls));
        assert.equal(longestExpression(controls), 2 + 3 + 2 + 6 * 16_666 + 2);
        // Long but within: counted, and within.
        assert.equal(expressionOverLimit(scope("a".repeat(99_000))), undefined);
        assert.equal(expressionOverLimit(scope("a".repeat(100_000))), longestExpression(scope("a".repeat(100_000))));
    });

    it("renders the design example's policies (snapshot)", () => {
        const p = planBypass(designExample(), { now: FIXED_NOW, name: "platform" });
        matchSnapshot("design-example-admission", admissionObjects(p.admission, { "app.kubernetes.io/managed-by": "sidecar-bypass" }));
    });
});

describe("admission: the cluster's API", () => {
    const served = (versions: ("v1" | "v1beta1")[], kubeVersion = "v1.36.3") => ({ reachable: true, kubeVersion, served: versions, customKinds: [] });

    it("accepts the mode the cluster serves, and says nothing when it cannot know (unreachable at preview) or the mode is off", () => {
        assert.equal(admissionApiProblem("v1", served(["v1"])), undefined);
        assert.equal(admissionApiProblem("v1beta1", served(["v1", "v1beta1"])), undefined);
        assert.equal(admissionApiProblem("v1", { reachable: false, served: [], customKinds: [] }), undefined);
        assert.equal(admissionApiProblem("off", served([])), undefined);
    });

    it("on a 1.35 cluster with the beta on, points v1 to v1beta1 (or off), naming the setting and the version", () => {
        const message = admissionApiProblem("v1", served(["v1beta1"], "v1.35.4")) ?? "";
        assert.match(
            message,
            /^admission\.mode is "v1", but the cluster \(Kubernetes v1\.35\.4\) does not serve MutatingAdmissionPolicy at admissionregistration\.k8s\.io\/v1;/,
        );
        assert.match(message, /set admission\.mode: "v1beta1", or set admission\.mode: "off" to keep scope rules on listed workloads only/);
        assert.match(message, /Nothing was written\.$/);
    });

    it("on a cluster without it, says which versions have it and how to turn it on", () => {
        const v1 = admissionApiProblem("v1", served([], "v1.33.5")) ?? "";
        assert.match(v1, /GA and on by default from Kubernetes 1\.36; on 1\.34 and 1\.35 it is v1beta1, behind the MutatingAdmissionPolicy feature gate/);
        assert.match(v1, /--runtime-config=admissionregistration\.k8s\.io\/v1beta1=true/);
        const beta = admissionApiProblem("v1beta1", served([], "v1.33.5")) ?? "";
        assert.match(beta, /^admission\.mode is "v1beta1", but the cluster \(Kubernetes v1\.33\.5\) does not serve/);
        assert.match(beta, /admission\.mode: "off"/);
    });
});

describe("admission: guardrails apply exactly as for listed workloads", () => {
    const scopeOf = (rules: Partial<PlainBypassArgs>) => planBypass({ meshes: ["istio", "kmesh"], ...rules }, { name: "sb", now: FIXED_NOW });
    const refusals = (rules: Partial<PlainBypassArgs>) => {
        try {
            scopeOf(rules);
            return [];
        } catch (e) {
            return (e as { issues?: { path: string; message: string }[] }).issues ?? [];
        }
    };

    it("refuses a namespace-wide full bypass without acknowledgement, sidecar ports and every address unless acknowledged", () => {
        assert.deepEqual(
            refusals({ namespaces: [{ name: "debug", fullBypass: { enabled: true } }] }).map((i) => i.path),
            ["namespaces[0].fullBypass.acknowledged"],
        );
        assert.match(refusals({ namespaces: [{ name: "shop", inbound: { excludePorts: [15006] } }] })[0]?.message ?? "", /acknowledge\.sidecarPorts/);
        assert.match(refusals({ namespaces: [{ name: "shop", outbound: { excludeIpRanges: ["0.0.0.0/0"] } }] })[0]?.message ?? "", /every IPv4 address/);
        // Acknowledged, they reach the policy as they would reach a listed workload's template.
        const ok = scopeOf({ namespaces: [{ name: "shop", outbound: { excludeIpRanges: ["0.0.0.0/0"], acknowledge: { allAddresses: true } } }] });
        assert.equal(ok.admission.scopes[0].annotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"], "0.0.0.0/0");
    });

    it("an expired namespace-wide full bypass stops being added (and is reported), while one still in force is added", () => {
        const bypass = (expires: string) => ({ enabled: true, acknowledged: true, reason: "a TLS bug", expires });
        const live = scopeOf({ namespaces: [{ name: "debug", fullBypass: bypass("2030-01-01T00:00:00Z") }] }).admission.scopes[0];
        assert.equal(live.labels["kmesh.net/bypass"], "enabled");
        assert.equal(live.annotations["traffic.sidecar.istio.io/includeInboundPorts"], "", "Istio's capture turned off");
        const expired = scopeOf({ namespaces: [{ name: "debug", fullBypass: bypass("2026-01-01T00:00:00Z"), inbound: { excludePorts: [7001] } }] });
        const scope = expired.admission.scopes[0];
        assert.equal(scope.labels["kmesh.net/bypass"], undefined);
        assert.equal(scope.annotations["traffic.sidecar.istio.io/includeInboundPorts"], undefined);
        assert.equal(scope.annotations["traffic.sidecar.istio.io/excludeInboundPorts"], "7001", "the scope's other rules still reach new pods");
        assert.ok(expired.warnings.some((w) => w.path === "namespaces[0].fullBypass.expires" && /expired/.test(w.message)));
    });
});
