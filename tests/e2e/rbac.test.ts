// Least privilege, for real: the component runs through the real CLI as a user that holds exactly the roles in
// docs/rbac/sidecar-bypass.yaml (a client certificate the embedded API server trusts, bound to those roles), not as
// cluster-admin: preview, up (patches awaited, records, admission policies) and destroy succeed. Without the
// cluster-wide role, up fails naming what it may not do.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import type { PlainBypassArgs } from "../../provider/index";
import { applyServerSide, kubectl } from "../../tools/harness/kube";
import { cliSkipReason, E2eCluster, E2eStack } from "../helpers/e2e";
import { REPO } from "../helpers/snapshot";

const skip = cliSkipReason();
const USER = "sidecar-bypass-deployer";
const NAMESPACES = ["payments", "shop"];

const rules: PlainBypassArgs = {
    meshes: ["istio"],
    global: { outbound: { excludeIpRanges: ["169.254.169.254/32"] } },
    namespaces: [{ name: "payments", inbound: { excludePorts: [7001] } }],
    workloads: [{ kind: "Deployment", namespace: "payments", name: "ledger" }],
    admission: { globalNamespaces: ["shop"] },
};

/** A kubeconfig for USER: a client certificate signed by the cluster's own CA (tools/cluster keeps it in its pki). */
function userKubeconfig(adminKubeconfig: string, dir: string): string {
    const pki = path.join(path.dirname(adminKubeconfig), "pki");
    const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "user.key", "-out", "user.csr", "-subj", `/CN=${USER}`]);
    fs.writeFileSync(path.join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
    run([
        "x509",
        "-req",
        "-in",
        "user.csr",
        "-CA",
        path.join(pki, "ca.crt"),
        "-CAkey",
        path.join(pki, "ca.key"),
        "-CAcreateserial",
        "-out",
        "user.crt",
        "-days",
        "1",
        "-extfile",
        "client.ext",
    ]);
    const config = parse(fs.readFileSync(adminKubeconfig, "utf8")) as { users: { user: Record<string, string> }[] };
    config.users[0].user = { "client-certificate": path.join(dir, "user.crt"), "client-key": path.join(dir, "user.key") };
    const file = path.join(dir, "kubeconfig");
    fs.writeFileSync(file, stringify(config));
    return file;
}

describe("e2e: the component under the least privilege docs/rbac gives it", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-rbac-"));
    const roles = () => fs.readFileSync(path.join(REPO, "docs", "rbac", "sidecar-bypass.yaml"), "utf8");
    const clusterBinding = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: USER },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "sidecar-bypass-admission" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: USER }],
    };

    before(async () => {
        cluster = new E2eCluster("e2e-rbac");
        await cluster.seed([
            { namespace: "payments", name: "ledger" },
            { namespace: "shop", name: "cart" },
        ]);
        kubectl(cluster.kube, ["apply", "-f", "-"], roles());
        const namespaceBindings = NAMESPACES.map((ns) => ({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: USER, namespace: ns },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "sidecar-bypass-namespace" },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: USER }],
        }));
        applyServerSide(cluster.kube, namespaceBindings, { fieldManager: "admin" });
        const restricted = { kube: { ...cluster.kube, kubeconfig: userKubeconfig(cluster.kube.kubeconfig, dir) } } as E2eCluster;
        // The user may not act as an administrator: a cluster-wide read it was not given is refused.
        assert.throws(() => kubectl(restricted.kube, ["get", "secrets", "-A"]), /forbidden/i);
        s = await E2eStack.open(restricted, "rbac");
        await s.setRules(rules);
    });
    after(async () => {
        await s?.stack.destroy({ color: "never" }).catch(() => undefined);
        await s?.remove();
        cluster?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("without the cluster-wide role, up fails naming the admission policy it may not create", async () => {
        await assert.rejects(s.stack.up({ color: "never" }), (e: Error) => {
            assert.match(e.message, /mutatingadmissionpolicies\.admissionregistration\.k8s\.io is forbidden: User "sidecar-bypass-deployer" cannot create/);
            return true;
        });
    });

    it("with exactly the roles of docs/rbac: preview, up and destroy succeed", async () => {
        applyServerSide(cluster.kube, [clusterBinding], { fieldManager: "admin" });
        const preview = await s.stack.preview({ color: "never" });
        assert.ok((preview.changeSummary.create ?? 0) > 0, JSON.stringify(preview.changeSummary));
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
        const annotations = cluster.deployment("payments", "ledger").spec.template.metadata.annotations ?? {};
        assert.equal(annotations["traffic.sidecar.istio.io/excludeInboundPorts"], "7001");
        const destroy = await s.stack.destroy({ color: "never" });
        assert.equal(destroy.summary.result, "succeeded");
    });
});
