// Scope rules at admission, end to end: the real CLI and Kubernetes provider apply the component's policies to the
// embedded control plane (1.36), and workloads nobody listed, created after `up` by another field manager, get the
// rules in their new pods: a Deployment (in a namespace with rules, and in one the global rules were given to), a Job
// and a bare Pod. A pod whose chart sets one of the keys keeps its value and gets the others; a listed workload's pods
// carry exactly their template's values. A rule change changes the policy and rolls only the listed workload, and
// preview says that unlisted pods keep their rules until re-created. Destroy removes the policies.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMISSION_ANNOTATION, type PlainBypassArgs, planBypass, ROLLOUT_HASH_ANNOTATION } from "../../provider/index";
import { applyServerSide, getJson, kubectl, replicaSetsByDeployment, rolledDeployments, waitForRollouts } from "../../tools/harness/kube";
import { chartDeployment, HELM_MANAGER } from "../../tools/harness/workloads";
import { cliSkipReason, E2eCluster, E2eStack, planOptions, tearDown } from "../helpers/e2e";

const skip = cliSkipReason();
const STACK = "admission";
const IN = "traffic.sidecar.istio.io/excludeInboundPorts";
const OUT_RANGES = "traffic.sidecar.istio.io/excludeOutboundIPRanges";

const rules = (ports: number[]): PlainBypassArgs => ({
    meshes: ["istio"],
    global: { outbound: { excludeIpRanges: ["169.254.169.254/32"] } },
    namespaces: [{ name: "payments", inbound: { excludePorts: ports } }],
    workloads: [{ kind: "Deployment", namespace: "payments", name: "ledger" }],
    admission: { globalNamespaces: ["shop"] },
});

interface Pod {
    metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
}

/** The pods of a namespace whose name starts with `prefix`, waiting (bounded, 60 s) until there is one. */
async function podsOf(e: E2eCluster, namespace: string, prefix: string): Promise<Pod[]> {
    for (let i = 0; i < 120; i++) {
        const pods = getJson<{ items: Pod[] }>(e.kube, ["pods", "-n", namespace]).items.filter((p) => p.metadata.name.startsWith(prefix));
        if (pods.length > 0) return pods;
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`no pod ${namespace}/${prefix}* within 60 s`);
}

describe("e2e: scope rules at admission, through the real CLI", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    const scopeKeys = (ports: number[], scope: string) => planBypass(rules(ports), planOptions(STACK)).admission.scopes.find((x) => x.scope === scope)!;

    before(async () => {
        cluster = new E2eCluster("e2e-admission-stack");
        await cluster.seed([
            { namespace: "payments", name: "ledger" },
            { namespace: "shop", name: "placeholder" },
        ]);
        s = await E2eStack.open(cluster, STACK);
        await s.setRules(rules([7001]));
        const preview = await s.stack.preview({ color: "never" });
        assert.match(preview.stdout, /admission \(v1\): namespace\/payments reaches every new pod in namespaces payments/);
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
    });
    after(() => tearDown(s, cluster));

    it("the record says which scope is enforced at admission, and since when (the policy's creation)", () => {
        const policy = scopeKeys([7001], "namespace/payments").name;
        const created = getJson<{ metadata: { creationTimestamp: string } }>(cluster.kube, ["mutatingadmissionpolicy", policy]).metadata.creationTimestamp;
        const record = getJson<{ data: Record<string, string> }>(cluster.kube, ["configmap", "-n", "payments", planOptions(STACK).name]);
        assert.match(
            record.data.admission,
            new RegExp(`from MutatingAdmissionPolicy ${policy} \\(admissionregistration\\.k8s\\.io/v1, the namespace/payments scope\\)`),
        );
        assert.equal(record.data["admission-since"], `${created}\n`);
    });

    it("a Deployment created after up by another manager gets its namespace's rules (global ones inherited) in its pods", async () => {
        applyServerSide(cluster.kube, [chartDeployment({ namespace: "payments", name: "orders" })], { fieldManager: HELM_MANAGER });
        const [pod] = await podsOf(cluster, "payments", "orders-");
        const scope = scopeKeys([7001], "namespace/payments");
        for (const [k, v] of Object.entries(scope.annotations)) assert.equal(pod.metadata.annotations?.[k], v, k);
        assert.equal(pod.metadata.annotations?.[IN], "7001");
        assert.match(pod.metadata.annotations?.[OUT_RANGES] ?? "", /169\.254\.169\.254\/32/);
    });

    it("in the namespace the global rules were given to, a new Deployment's pods get the global rules", async () => {
        applyServerSide(cluster.kube, [chartDeployment({ namespace: "shop", name: "cart" })], { fieldManager: HELM_MANAGER });
        const [pod] = await podsOf(cluster, "shop", "cart-");
        assert.match(pod.metadata.annotations?.[OUT_RANGES] ?? "", /169\.254\.169\.254\/32/);
        assert.equal(pod.metadata.annotations?.[IN], undefined, "payments' rules stay in payments");
        assert.match(pod.metadata.annotations?.[ADMISSION_ANNOTATION] ?? "", /-global\//);
    });

    it("a Job's pod and a bare Pod get them too", async () => {
        const job = {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "migrate", namespace: "payments" },
            spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "m", image: "registry.example/migrate:1" }] } } },
        };
        const bare = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "debug-shell", namespace: "payments" },
            spec: { containers: [{ name: "s", image: "registry.example/sh:1" }] },
        };
        applyServerSide(cluster.kube, [job, bare], { fieldManager: "ops" });
        for (const prefix of ["migrate-", "debug-shell"]) {
            const [pod] = await podsOf(cluster, "payments", prefix);
            assert.equal(pod.metadata.annotations?.[IN], "7001", prefix);
        }
    });

    it("a pod whose chart sets one of the keys keeps its value and gets the others", async () => {
        applyServerSide(cluster.kube, [chartDeployment({ namespace: "payments", name: "custom", podAnnotations: { [IN]: "9999" } })], {
            fieldManager: HELM_MANAGER,
        });
        const [pod] = await podsOf(cluster, "payments", "custom-");
        assert.equal(pod.metadata.annotations?.[IN], "9999");
        assert.match(pod.metadata.annotations?.[OUT_RANGES] ?? "", /169\.254\.169\.254\/32/);
    });

    it("a listed workload's pods carry exactly their template's values, and nothing of the policy", async () => {
        await waitForRollouts(cluster.kube, ["payments/ledger"]);
        const template = cluster.deployment("payments", "ledger").spec.template.metadata.annotations ?? {};
        assert.ok(template[ROLLOUT_HASH_ANNOTATION]);
        const pods = (await podsOf(cluster, "payments", "ledger-")).filter(
            (p) => p.metadata.annotations?.[ROLLOUT_HASH_ANNOTATION] === template[ROLLOUT_HASH_ANNOTATION],
        );
        assert.ok(pods.length > 0);
        for (const p of pods) {
            assert.deepEqual(p.metadata.annotations, template);
            assert.equal(p.metadata.annotations?.[ADMISSION_ANNOTATION], undefined);
        }
    });

    it("a rule change changes the policy and rolls only the listed workload; preview says unlisted pods keep their rules", async () => {
        const before = replicaSetsByDeployment(cluster.kube, ["payments"]);
        const ordersPod = (await podsOf(cluster, "payments", "orders-"))[0].metadata.name;
        await s.setRules(rules([7001, 7002]));
        const preview = await s.stack.preview({ color: "never" });
        assert.match(preview.stdout.replace(/\s+/g, " "), /running pods of unlisted workloads keep their rules until they are re-created/);
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
        const policy = getJson<{ spec: { variables: { name: string; expression: string }[] } }>(cluster.kube, [
            "mutatingadmissionpolicy",
            scopeKeys([7001, 7002], "namespace/payments").name,
        ]);
        assert.match(policy.spec.variables[0].expression, /"7001,7002"/);
        assert.deepEqual(rolledDeployments(before, replicaSetsByDeployment(cluster.kube, ["payments"])), ["payments/ledger"]);
        const stillRunning = getJson<Pod>(cluster.kube, ["pod", "-n", "payments", ordersPod]);
        assert.equal(stillRunning.metadata.annotations?.[IN], "7001", "a running pod keeps the rules it was created with");
        // Re-created, it takes the new ones.
        kubectl(cluster.kube, ["delete", "pod", "-n", "payments", ordersPod, "--wait=false"]);
        for (let i = 0; i < 120; i++) {
            const fresh = getJson<{ items: Pod[] }>(cluster.kube, ["pods", "-n", "payments"]).items.find(
                (p) => p.metadata.name.startsWith("orders-") && p.metadata.name !== ordersPod,
            );
            if (fresh) {
                assert.equal(fresh.metadata.annotations?.[IN], "7001,7002");
                return;
            }
            await new Promise((r) => setTimeout(r, 500));
        }
        assert.fail("orders' pod was not re-created within 60 s");
    });

    it("destroy removes the policies; pods created afterwards carry nothing of ours, running pods are untouched", async () => {
        const running = (await podsOf(cluster, "payments", "custom-"))[0];
        const destroy = await s.stack.destroy({ color: "never" });
        assert.equal(destroy.summary.result, "succeeded");
        const left = getJson<{ items: unknown[] }>(cluster.kube, ["mutatingadmissionpolicies", "-l", "app.kubernetes.io/managed-by=sidecar-bypass"]).items;
        assert.deepEqual(left, []);
        assert.deepEqual(getJson<Pod>(cluster.kube, ["pod", "-n", "payments", running.metadata.name]).metadata.annotations, running.metadata.annotations);
        // The API server's policy informer may take a moment to see the deletion: bounded retries.
        for (let i = 0; i < 40; i++) {
            const name = `after-${i}`;
            applyServerSide(
                cluster.kube,
                [
                    {
                        apiVersion: "v1",
                        kind: "Pod",
                        metadata: { name, namespace: "payments" },
                        spec: { containers: [{ name: "s", image: "registry.example/sh:1" }] },
                    },
                ],
                {
                    fieldManager: "ops",
                },
            );
            const p = getJson<Pod>(cluster.kube, ["pod", "-n", "payments", name]);
            if (p.metadata.annotations?.[IN] === undefined) return;
            await new Promise((r) => setTimeout(r, 250));
        }
        assert.fail("pods created after destroy still got our keys");
    });
});
