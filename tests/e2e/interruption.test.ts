// SIGKILL `pulumi up` mid-rollout, then run it again. The dead update's lock stays in the file backend, so the
// next up refuses; clearing a lock whose process is gone (what the main job does, and `pulumi cancel` on a
// backend you own) lets `up --refresh` converge with no pending operation left.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import type { PlainBypassArgs } from "../../provider/index";
import { findPulumiCli, recoverInterruptedUpdate, stackEnv } from "../../tools/harness/pulumiCli";
import { changingOps, cliSkipReason, E2eCluster, E2eStack, PROGRAM_DIR, tearDown } from "../helpers/e2e";

const skip = cliSkipReason();
const STACK = "interruption";
const rules: PlainBypassArgs = {
    meshes: ["istio"],
    workloads: [{ kind: "Deployment", namespace: "shop", name: "slow", inbound: { excludePorts: [9000] } }],
    rollout: { timeoutSeconds: 600 },
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("e2e: an interrupted up", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    before(async () => {
        cluster = new E2eCluster("e2e-interruption");
        // Unschedulable at first, so the rollout is still in progress when up is killed.
        await cluster.seed([{ namespace: "shop", name: "slow", unschedulable: true }]);
        s = await E2eStack.open(cluster, STACK);
        await s.setRules(rules);
    });
    after(() => tearDown(s, cluster));

    it("SIGKILL mid-rollout: the next up is refused for the lock; recovered (stale lock, pending patch creates), up --refresh converges", async (t) => {
        const cli = findPulumiCli()!;
        const env = {
            ...process.env,
            ...stackEnv({ cli, backendDir: s.backendDir, env: { KUBECONFIG: cluster.kube.kubeconfig } }),
        };
        // Its own process group, so the kill takes the language host and provider with it, as a killed CI job would.
        const up = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK], {
            cwd: PROGRAM_DIR,
            env,
            detached: true,
            stdio: "ignore",
        });
        const exited = new Promise((r) => up.on("exit", r));
        let patched = false;
        for (let i = 0; i < 240 && !patched; i++) {
            await sleep(500);
            patched = cluster.deployment("shop", "slow").spec.template.metadata.annotations?.["traffic.sidecar.istio.io/excludeInboundPorts"] === "9000";
        }
        assert.ok(patched, "the patch reached the cluster within 120 s");
        await sleep(1000);
        process.kill(-up.pid!, "SIGKILL");
        await exited;

        await assert.rejects(s.stack.up({ color: "never" }), /currently locked/);
        const pending = ((await s.stack.exportStack()).deployment as { pending_operations?: { type: string }[] }).pending_operations ?? [];
        t.diagnostic(`the killed update left ${pending.length} pending operation(s): ${pending.map((p) => p.type).join(", ")}`);
        const lines = await recoverInterruptedUpdate(s.stack, s.backendDir);
        for (const line of lines) t.diagnostic(line);
        assert.match(lines[0], /cleared the lock .* left by pulumi process \d+/, "exactly the dead update's lock");
        assert.equal(lines.filter((l) => l.startsWith("cleared the lock")).length, 1);

        // The workload can now become ready (a chart upgrade fixed it); the next up converges.
        await cluster.seed([{ namespace: "shop", name: "slow" }]);
        const again = await s.stack.up({ color: "never", refresh: true });
        assert.equal(again.summary.result, "succeeded");
        const state = (await s.stack.exportStack()).deployment as { pending_operations?: unknown[] };
        assert.deepEqual(state.pending_operations ?? [], [], "no pending operation left");
        const preview = await s.stack.preview({ color: "never" });
        assert.deepEqual(changingOps(preview.changeSummary), [], `converged: nothing left to do (${JSON.stringify(preview.changeSummary)})`);
    });
});
