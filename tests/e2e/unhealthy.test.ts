// A workload that cannot become ready (its pods are unschedulable): up fails within the user's timeout naming
// the workload; with waiting turned off, up succeeds and says the rollout was not awaited.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PlainBypassArgs } from "../../provider/index";
import { cliSkipReason, E2eCluster, E2eStack, tearDown } from "../helpers/e2e";

const skip = cliSkipReason();
const TIMEOUT = 20;

const rules = (excluded: number, rollout: PlainBypassArgs["rollout"]): PlainBypassArgs => ({
    meshes: ["istio"],
    workloads: [{ kind: "Deployment", namespace: "shop", name: "stuck", inbound: { excludePorts: [excluded] } }],
    rollout,
});

describe("e2e: a workload that cannot become ready", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    before(async () => {
        cluster = new E2eCluster("e2e-unhealthy");
        await cluster.seed([{ namespace: "shop", name: "stuck", unschedulable: true }]);
        s = await E2eStack.open(cluster, "unhealthy");
    });
    after(() => tearDown(s, cluster));

    it(`fails up within the timeout the user set (${TIMEOUT} s), naming the workload and why`, async (t) => {
        await s.setRules(rules(9000, { timeoutSeconds: TIMEOUT }));
        const started = Date.now();
        await assert.rejects(s.stack.up({ color: "never" }), (e: Error) => {
            assert.match(e.message, /e2e\/shop\/Deployment\/stuck/, "the resource names the workload");
            assert.match(e.message, /stuck/);
            assert.match(e.message, /Unschedulable|unschedulable|not attained|timed out|Ready/i, "the reason is given");
            t.diagnostic(
                `up failed as expected: ${e.message
                    .split("\n")
                    .filter((l) => /^\s*\*/.test(l))
                    .slice(0, 4)
                    .map((l) => l.trim())
                    .join(" | ")}`,
            );
            return true;
        });
        const seconds = (Date.now() - started) / 1000;
        t.diagnostic(`up failed after ${seconds.toFixed(1)} s`);
        assert.ok(seconds < TIMEOUT + 90, `up took ${seconds} s, far over the ${TIMEOUT} s timeout`);
    });

    it("with rollout.wait false, up succeeds and says the rollout was not awaited", async () => {
        await s.setRules(rules(9001, { wait: false }));
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
        assert.match(up.stdout, /not awaited/);
        assert.equal(cluster.deployment("shop", "stuck").spec.template.metadata.annotations?.["traffic.sidecar.istio.io/excludeInboundPorts"], "9001");
    });
});
