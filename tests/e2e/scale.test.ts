// 500 workloads in 50 namespaces on the embedded control plane: up, a no-op preview, the pull-request comment of a
// no-op and of a change to every workload, and destroy, with times printed. Figures, not limits: the assertions are
// about outcomes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { SCALE_500, scaleNamespaces, scaleRules, scaleWorkloads } from "../../bench/programs/scaleRules";
import { COMMENT_LIMIT } from "../../provider/index";
import { replicaSetsByDeployment } from "../../tools/harness/kube";
import { changingOps, cliSkipReason, E2eCluster, E2eStack } from "../helpers/e2e";
import { REPO } from "../helpers/snapshot";

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

    /** `pulumi preview --json` rendered by `sidecar-bypass comment`, as the example workflow does. */
    const comment = async (): Promise<string> => {
        const r = await s.run(["preview", "--json", "--show-sames"]);
        const file = path.join(s.backendDir, "preview.json");
        fs.writeFileSync(file, r.output);
        return execFileSync(process.execPath, [path.join(REPO, "provider", "bin", "src", "status", "cli.js"), "comment", file], { encoding: "utf8" });
    };

    it("up, no-op preview, the comment of a no-op and of a change to every workload, and destroy", async (t) => {
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
        // The pull-request comment of a no-op, and of a global change that reaches every workload.
        assert.equal(await comment(), `**Sidecar bypass**: no change (${workloads.length} workloads unchanged).\n`);
        const rules = scaleRules(size);
        await s.setRules({ ...rules, global: { outbound: { excludeIpRanges: ["169.254.169.254/32", "192.0.2.0/24"] } } });
        const text = await timed("preview --json and its comment", comment);
        t.diagnostic(`comment of a change to all ${workloads.length}: ${text.length} characters, ${text.split("\n").length} lines`);
        assert.ok(text.length < COMMENT_LIMIT, `${text.length} characters`);
        assert.match(text, /outbound\.excludeIpRanges \(Istio `traffic\.sidecar\.istio\.io\/excludeOutboundIPRanges`\): \+ 192\.0\.2\.0\/24 \(global\)/);
        assert.match(text, new RegExp(`\\*\\*${workloads.length} workloads change, ${workloads.length} roll, 0 unchanged\\.\\*\\*\\n$`));
        await s.setRules(rules);
        const destroy = await timed("destroy", () => s.stack.destroy({ color: "never" }));
        assert.equal(destroy.summary.result, "succeeded");
    });
});
