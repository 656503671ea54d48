// Which clusters get what, through the real CLI: the embedded control plane (1.36) with the admission API turned off
// the way an older cluster lacks it, and with v1beta1 turned on beside v1 the way 1.34/1.35 serve it. Without the API,
// preview and an update without preview both fail in our words (the setting, what the cluster lacks, what to do) and
// nothing is written; `admission.mode: off` then works as before admission existed. With v1beta1 served, that mode's
// policies are accepted by the API server and admit a new pod.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PlainBypassArgs } from "../../provider/index";
import { getJson, kubectl } from "../../tools/harness/kube";
import { cliSkipReason, E2eCluster, E2eStack, tearDown } from "../helpers/e2e";

const skip = cliSkipReason();
const IN = "traffic.sidecar.istio.io/excludeInboundPorts";

const rules = (admission: PlainBypassArgs["admission"]): PlainBypassArgs => ({
    meshes: ["istio"],
    namespaces: [{ name: "payments", inbound: { excludePorts: [7001] } }],
    workloads: [{ kind: "Deployment", namespace: "payments", name: "ledger" }],
    ...(admission ? { admission } : {}),
});

/** kube-apiserver flags that make 1.36 serve no MutatingAdmissionPolicy (its admission plugin needs the v1 API). */
const WITHOUT_API = [
    "--runtime-config=admissionregistration.k8s.io/v1/mutatingadmissionpolicies=false,admissionregistration.k8s.io/v1/mutatingadmissionpolicybindings=false",
    "--disable-admission-plugins=MutatingAdmissionPolicy",
];
const WITH_BETA = ["--runtime-config=admissionregistration.k8s.io/v1beta1=true"];

interface Workload {
    metadata: { resourceVersion: string };
    spec: { template: { metadata: { annotations?: Record<string, string> } } };
}

describe("e2e: a cluster without MutatingAdmissionPolicy, through the real CLI", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    const ledger = () => getJson<Workload>(cluster.kube, ["deployment", "-n", "payments", "ledger"]);
    const records = () =>
        getJson<{ items: unknown[] }>(cluster.kube, ["configmaps", "-n", "payments", "-l", "app.kubernetes.io/managed-by=sidecar-bypass"]).items;

    before(async () => {
        cluster = new E2eCluster("e2e-admission-api", { apiserverArgs: WITHOUT_API });
        await cluster.seed([{ namespace: "payments", name: "ledger" }]);
        s = await E2eStack.open(cluster, "no-api");
        await s.setRules(rules(undefined));
    });
    after(() => tearDown(s, cluster));

    const assertOurs = (text: string) => {
        assert.match(
            text,
            /admission\.mode is "v1", but the cluster \(Kubernetes v1\.36\.\d+\) does not serve MutatingAdmissionPolicy at admissionregistration\.k8s\.io\/v1/,
        );
        assert.match(text, /GA and on by default from Kubernetes 1\.36; on 1\.34 and 1\.35 it is v1beta1/);
        assert.match(text, /set admission\.mode: "off" to keep scope rules on listed workloads only/);
    };

    it("preview fails, saying what the cluster lacks and what to set; nothing is written", async (t) => {
        const before = ledger().metadata.resourceVersion;
        const preview = await s.run(["preview"]);
        assert.notEqual(preview.code, 0, preview.output);
        t.diagnostic(preview.output.split("\n").find((l) => l.includes("admission.mode is")) ?? "(no message)");
        assertOurs(preview.output);
        assert.equal(ledger().metadata.resourceVersion, before);
    });

    it("an update without its preview (the Automation API's) fails the same way before any write", async () => {
        const before = ledger().metadata.resourceVersion;
        await assert.rejects(s.stack.up({ color: "never" }), (e: Error) => {
            assertOurs(e.message);
            return true;
        });
        assert.equal(ledger().metadata.resourceVersion, before, "the listed workload is not patched");
        assert.equal(ledger().spec.template.metadata.annotations?.[IN], undefined);
        assert.deepEqual(records(), [], "no record is written");
    });

    it('with admission.mode "off", up patches the listed workload as before admission existed', async () => {
        await s.setRules(rules({ mode: "off" }));
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
        assert.equal(ledger().spec.template.metadata.annotations?.[IN], "7001");
        assert.equal(records().length, 1);
    });
});

describe("e2e: a cluster serving v1beta1 (as 1.34/1.35 with the gate on), through the real CLI", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;

    before(async () => {
        cluster = new E2eCluster("e2e-admission-beta", { apiserverArgs: WITH_BETA });
        await cluster.seed([{ namespace: "payments", name: "ledger" }]);
        s = await E2eStack.open(cluster, "beta");
        await s.setRules(rules({ mode: "v1beta1" }));
    });
    after(() => tearDown(s, cluster));

    it("up writes the policy at v1beta1 and a new pod in the namespace gets the rules", async () => {
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
        const policies = getJson<{ items: { apiVersion: string; metadata: { name: string } }[] }>(cluster.kube, [
            "mutatingadmissionpolicies.v1beta1.admissionregistration.k8s.io",
            "-l",
            "app.kubernetes.io/managed-by=sidecar-bypass",
        ]).items;
        assert.equal(policies.length, 1);
        assert.equal(policies[0].apiVersion, "admissionregistration.k8s.io/v1beta1");
        let annotations: Record<string, string> | undefined;
        for (let attempt = 0; attempt < 40 && annotations?.[IN] === undefined; attempt++) {
            const name = `beta-${attempt}`;
            const pod = {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name, namespace: "payments" },
                spec: { containers: [{ name: "app", image: "registry.example/app:1" }] },
            };
            kubectl(cluster.kube, ["create", "-f", "-"], JSON.stringify(pod));
            annotations = getJson<{ metadata: { annotations?: Record<string, string> } }>(cluster.kube, ["pod", "-n", "payments", name]).metadata.annotations;
            if (annotations?.[IN] === undefined) await new Promise((r) => setTimeout(r, 250));
        }
        assert.equal(annotations?.[IN], "7001");
    });
});
