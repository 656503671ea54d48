// The pull-request comment for real: `pulumi preview --json` of a rule change on a stack that is up, rendered by the
// package's own command (`sidecar-bypass comment`, as the example workflow runs it): per workload the values added and
// removed with their scope, which roll, which admission policies change, and the total; a no-op is one line.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { PlainBypassArgs } from "../../provider/index";
import { cliSkipReason, E2eCluster, E2eStack, tearDown } from "../helpers/e2e";
import { REPO } from "../helpers/snapshot";

const skip = cliSkipReason();
const CLI = path.join(REPO, "provider", "bin", "src", "status", "cli.js");

const WORKLOADS = [
    { namespace: "shop", name: "cart" },
    { namespace: "shop", name: "orders" },
    { namespace: "pay", name: "ledger" },
];
const rules = (shopPorts: number[], ordersRanges: string[]): PlainBypassArgs => ({
    meshes: ["istio"],
    namespaces: [{ name: "shop", inbound: { excludePorts: shopPorts } }],
    workloads: [
        { kind: "Deployment", namespace: "shop", name: "cart" },
        { kind: "Deployment", namespace: "shop", name: "orders", outbound: { excludeIpRanges: ordersRanges } },
        { kind: "Deployment", namespace: "pay", name: "ledger", inbound: { excludePorts: [9000] } },
    ],
});

describe("e2e: the pull-request comment (sidecar-bypass comment < pulumi preview --json)", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    const comment = async (): Promise<string> => {
        const r = await s.run(["preview", "--json", "--show-sames"]);
        const file = path.join(s.backendDir, "preview.json");
        fs.writeFileSync(file, r.output);
        return execFileSync(process.execPath, [CLI, "comment", file], { encoding: "utf8" });
    };
    before(async () => {
        cluster = new E2eCluster("e2e-comment");
        await cluster.seed(WORKLOADS);
        s = await E2eStack.open(cluster, "comment");
        await s.setRules(rules([7001], ["203.0.113.0/24"]));
        assert.equal((await s.stack.up({ color: "never" })).summary.result, "succeeded");
    });
    after(() => tearDown(s, cluster));

    it("a no-op is one line", async () => {
        assert.equal(await comment(), "**Sidecar bypass**: no change (3 workloads unchanged).\n");
    });

    it("a change: values added and removed with their scope, who rolls, the admission policy, the total", async (t) => {
        await s.setRules(rules([7001, 7002], ["198.51.100.0/24"]));
        const text = await comment();
        t.diagnostic(text);
        const lines = text.split("\n");
        // The namespace's new port reaches both shop workloads alike: one group.
        const cart = lines.findIndex((l) => l.startsWith("- `Deployment/shop/cart`") && !l.includes("orders"));
        const orders = lines.findIndex((l) => l.startsWith("- `Deployment/shop/orders`"));
        assert.ok(cart >= 0 && orders >= 0, text);
        assert.equal(lines[cart], "- `Deployment/shop/cart`: pods roll");
        assert.equal(lines[cart + 1], "  - inbound.excludePorts (Istio `traffic.sidecar.istio.io/excludeInboundPorts`): + 7002 (namespace/shop)");
        assert.equal(lines[orders], "- `Deployment/shop/orders`: pods roll");
        assert.match(
            text,
            /inbound\.excludePorts \(Istio `traffic\.sidecar\.istio\.io\/excludeInboundPorts`\): \+ 7002 \(namespace\/shop\)\n {2}- outbound\.excludeIpRanges \(Istio `traffic\.sidecar\.istio\.io\/excludeOutboundIPRanges`\): \+ 198\.51\.100\.0\/24 \(Deployment\/shop\/orders\); − 203\.0\.113\.0\/24/,
        );
        assert.doesNotMatch(text, /ledger/, "an unchanged workload is only counted");
        assert.match(text, /\*\*Admission policies\*\*.*\n\n- `[^`]+-namespace-shop`: changed/s);
        assert.match(text, /\*\*2 workloads change, 2 roll, 1 unchanged\.\*\*\n$/);
    });
});
