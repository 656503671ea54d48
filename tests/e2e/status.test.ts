// `sidecar-bypass status` on the embedded control plane, after a real `pulumi up`: an OnDelete StatefulSet the
// component patched still runs its old pod, and a Deployment nobody listed runs a pod created before its namespace's
// admission policy. Status names both, with why, and exits 1; `--restart-stale` says what it restarts and replaces
// exactly those pods (the StatefulSet's by eviction, the Deployment by a rollout restart); then status reports none.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { PlainBypassArgs } from "../../provider/index";
import { applyServerSide, kubectl, waitForRollouts } from "../../tools/harness/kube";
import { chartDeployment, chartWorkload, HELM_MANAGER, namespaceObject } from "../../tools/harness/workloads";
import { cliSkipReason, E2eCluster, E2eStack, tearDown } from "../helpers/e2e";
import { REPO } from "../helpers/snapshot";

const skip = cliSkipReason();
const STATUS = path.join(REPO, "provider", "bin", "src", "status", "cli.js");

const rules: PlainBypassArgs = {
    meshes: ["istio"],
    namespaces: [
        { name: "vault", inbound: { excludePorts: [8201] } },
        { name: "shop", inbound: { excludePorts: [7001] } },
    ],
    workloads: [{ kind: "StatefulSet", namespace: "vault", name: "vault" }],
    rollout: { wait: false },
};

interface Row {
    subject: string;
    namespace: string;
    pods: number;
    stale: string[];
    reasons: string[];
}

describe("e2e: sidecar-bypass status", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    const status = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
        new Promise((resolve) =>
            execFile(process.execPath, [STATUS, "status", ...args], { env: { ...process.env, KUBECONFIG: cluster.kube.kubeconfig } }, (error, stdout, stderr) =>
                resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
            ),
        );

    before(async () => {
        cluster = new E2eCluster("e2e-status");
        const vault = chartWorkload({ namespace: "vault", name: "vault" }, "StatefulSet") as { spec: Record<string, unknown> };
        vault.spec.updateStrategy = { type: "OnDelete" };
        applyServerSide(cluster.kube, [namespaceObject("vault"), namespaceObject("shop")], { fieldManager: HELM_MANAGER });
        applyServerSide(cluster.kube, [vault, chartDeployment({ namespace: "shop", name: "cart" })], { fieldManager: HELM_MANAGER });
        await waitForRollouts(cluster.kube, ["shop/cart"]);
        for (let i = 0; i < 120 && !kubectl(cluster.kube, ["get", "pods", "-n", "vault", "-o", "name"]).includes("pod/vault-0"); i++) {
            await new Promise((r) => setTimeout(r, 500));
        }
        s = await E2eStack.open(cluster, "status");
        await s.setRules(rules);
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
    });
    after(() => tearDown(s, cluster));

    it("names the stale pods and why, as a table and as JSON, and exits 1", async (t) => {
        const table = await status([]);
        for (const l of table.stdout.trim().split("\n")) t.diagnostic(l);
        assert.equal(table.code, 1, table.stderr);
        assert.match(table.stdout, /^NAMESPACE\s+WORKLOAD\s+COMPONENT\s+PODS\s+STALE\s+WHY/);
        const json = await status(["-o", "json"]);
        const rows = JSON.parse(json.stdout) as Row[];
        const vault = rows.find((r) => r.subject === "StatefulSet/vault/vault");
        assert.deepEqual(vault?.stale, ["vault-0"]);
        assert.match(vault?.reasons[0] ?? "", /^OnDelete/);
        const shop = rows.find((r) => r.namespace === "shop" && r.subject.startsWith("admission "));
        assert.equal(shop?.stale.length, 1);
        assert.deepEqual(shop?.reasons, ["created before the rule"]);
        // The StatefulSet's pod belongs to a patched workload: the admission row of its namespace does not count it.
        const vaultScope = rows.find((r) => r.namespace === "vault" && r.subject.startsWith("admission "));
        assert.deepEqual(vaultScope?.stale, []);
    });

    it("--restart-stale says what it restarts and replaces exactly those pods; then status reports none", async (t) => {
        const restart = await status(["--restart-stale", "--timeout", "120"]);
        for (const l of restart.stderr.trim().split("\n")) t.diagnostic(l);
        assert.equal(restart.code, 0, restart.stderr);
        assert.match(restart.stderr, /restarting vault\/vault-0: evict \(StatefulSet vault is OnDelete\), then await its replacement/);
        assert.match(restart.stderr, /restarting Deployment\/shop\/cart: rollout restart/);
        let last = { code: -1, stdout: "", stderr: "" };
        for (let i = 0; i < 60 && last.code !== 0; i++) {
            last = await status([]);
            if (last.code !== 0) await new Promise((r) => setTimeout(r, 1000));
        }
        assert.equal(last.code, 0, `still stale after 60 s:\n${last.stdout}`);
        assert.doesNotMatch(last.stdout, / of \d+ /);
    });
});
