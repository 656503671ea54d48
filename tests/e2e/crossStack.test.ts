// Reuse across stacks, as platform and application teams split it: the platform stack exports its global and
// namespace rules; the application stack reads them with a StackReference and adds its workloads. A change to
// the platform's rule rolls, on the application stack's next up, exactly the workloads whose rules it changes.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { type PlainBypassArgs, planBypass } from "../../provider/index";
import { replicaSetsByDeployment, rolledDeployments } from "../../tools/harness/kube";
import { cliSkipReason, E2eCluster, E2eStack } from "../helpers/e2e";
import { REPO } from "../helpers/snapshot";

const skip = cliSkipReason();
const EXAMPLE = path.join(REPO, "examples", "cross-stack");
const WORKLOADS = [
    { namespace: "payments", name: "ledger" },
    { namespace: "billing", name: "invoices" },
];
const NAMESPACES = ["billing", "payments"];

/** The platform's rules (as examples/cross-stack/platform declares them) with the application's workloads. */
function merged(paymentsInboundPorts: number[]): PlainBypassArgs {
    return {
        meshes: ["istio"],
        global: { outbound: { excludeCloudMetadata: ["aws"] } },
        namespaces: [{ name: "payments", inbound: { excludePorts: paymentsInboundPorts } }],
        workloads: [
            { kind: "Deployment", namespace: "payments", name: "ledger", outbound: { excludeIpRanges: ["203.0.113.0/24"], inherit: "merge" } },
            { kind: "Deployment", namespace: "billing", name: "invoices" },
        ],
    };
}

describe("e2e: a platform stack's rules reused by an application stack", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let backendDir: string;
    let platform: E2eStack;
    let app: E2eStack;

    const liveMatches = (rules: PlainBypassArgs) => {
        for (const w of planBypass(rules, { name: "sidecar-bypass-app" }).workloads) {
            const live = cluster.deployment(w.namespace, w.name).spec.template.metadata.annotations ?? {};
            for (const [k, v] of Object.entries(w.annotations)) assert.equal(live[k], v, `${w.id} annotation ${k}`);
        }
    };

    before(async () => {
        cluster = new E2eCluster("e2e-cross-stack");
        await cluster.seed(WORKLOADS);
        // One backend for both stacks, as one organisation's would be, so the reference resolves.
        backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-e2e-cross-"));
        platform = await E2eStack.open(cluster, "dev", { workDir: path.join(EXAMPLE, "platform"), backendDir });
        app = await E2eStack.open(cluster, "dev", { workDir: path.join(EXAMPLE, "app"), backendDir });
        await app.stack.setConfig("platformStack", { value: "organization/sidecar-bypass-platform/dev" });
    });
    after(async () => {
        await app?.stack.destroy({ color: "never" }).catch(() => undefined);
        await platform?.stack.destroy({ color: "never" }).catch(() => undefined);
        await app?.stack.workspace.removeStack(app.stack.name, { force: true }).catch(() => undefined);
        await platform?.stack.workspace.removeStack(platform.stack.name, { force: true }).catch(() => undefined);
        if (backendDir) fs.rmSync(backendDir, { recursive: true, force: true });
        cluster?.stop();
    });

    it("the platform stack exports its rules; the application stack applies them with its own workload rules", async () => {
        assert.equal((await platform.stack.up({ color: "never" })).summary.result, "succeeded");
        const exported = (await platform.stack.outputs()).bypassRules.value as PlainBypassArgs;
        assert.deepEqual(exported.namespaces, merged([7001, 7002]).namespaces);
        assert.equal((await app.stack.up({ color: "never" })).summary.result, "succeeded");
        liveMatches(merged([7001, 7002]));
    });

    it("a changed platform rule rolls, on the application's next up, exactly the workloads it changes", async () => {
        await platform.stack.setConfig("paymentsInboundPorts", { value: "[7001,7002,7003]" });
        await platform.stack.up({ color: "never" });
        const before = replicaSetsByDeployment(cluster.kube, NAMESPACES);
        const preview = await app.stack.preview({ diff: true, color: "never" });
        assert.match(preview.stdout, /7001,7002,7003/);
        await app.stack.up({ color: "never" });
        liveMatches(merged([7001, 7002, 7003]));
        assert.deepEqual(rolledDeployments(before, replicaSetsByDeployment(cluster.kube, NAMESPACES)), ["payments/ledger"]);
    });
});
