// 500 workloads in 50 namespaces on the embedded control plane: up, a no-op preview and destroy, with times
// printed. Figures, not limits: the assertions are about outcomes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SCALE_500, scaleNamespaces, scaleRules, scaleWorkloads } from "../../bench/programs/scaleRules";
import { replicaSetsByDeployment } from "../../tools/harness/kube";
import { changingOps, cliSkipReason, E2eCluster, E2eStack } from "../helpers/e2e";

const skip = cliSkipReason();
const size = {
    namespaces: Number(process.env.E2E_SCALE_NAMESPACES ?? SCALE_500.namespaces),
    perNamespace: Number(process.env.E2E_SCALE_PER_NAMESPACE ?? SCALE_500.perNamespace),
};
const namespaces = scaleNamespaces(size);
const workloads = scaleWorkloads(size);

describe(`e2e: ${workloads.length} workloads in ${size.namespaces} namespaces`, { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    before(async () => {
        cluster = new E2eCluster("e2e-scale");
        await cluster.seed(workloads);
        s = await E2eStack.open(cluster, "scale");
        await s.setRules(scaleRules(size));
    });
    after(async () => {
        await s?.remove();
        cluster?.stop();
    });

    it("up, no-op preview and destroy", async (t) => {
        const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
            const t0 = process.hrtime.bigint();
            const r = await f();
            t.diagnostic(`${what}: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
            return r;
        };
        const up = await timed("up", () => s.stack.up({ color: "never" }));
        assert.equal(up.summary.result, "succeeded");
        const rs = replicaSetsByDeployment(cluster.kube, namespaces);
        assert.equal([...rs.values()].filter((names) => names.length === 2).length, workloads.length, "every workload rolled once");
        const preview = await timed("no-op preview", () => s.stack.preview({ color: "never" }));
        assert.deepEqual(changingOps(preview.changeSummary), [], JSON.stringify(preview.changeSummary));
        const destroy = await timed("destroy", () => s.stack.destroy({ color: "never" }));
        assert.equal(destroy.summary.result, "succeeded");
    });
});
