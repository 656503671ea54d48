// The policy pack for real: `pulumi preview --policy-pack policy` (the real CLI, the Node.js host running the pack)
// over a stack whose Deployments carry bypass keys written by hand, one kind of mistake each, and the component with
// a full bypass that has no reason or expiry. Each policy fires on its workload with its message and on nothing else;
// a mandatory one fails the preview; a clean stack passes.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { cliSkipReason, E2eCluster, E2eStack, tearDown } from "../helpers/e2e";
import { REPO } from "../helpers/snapshot";

const skip = cliSkipReason();
const PACK = path.join(REPO, "policy");
const PROGRAM = path.join(REPO, "tests", "e2e", "handwritten");

/** One Deployment per mistake, and one without bypass keys. */
const WORKLOADS = [
    { name: "by-hand", template: { annotations: { "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.1/8" } } },
    { name: "every-address", template: { annotations: { "traffic.kuma.io/exclude-outbound-ips": "0.0.0.0/0" } } },
    {
        name: "ignored",
        template: { annotations: { "traffic.sidecar.istio.io/includeInboundPorts": "8080", "traffic.sidecar.istio.io/excludeInboundPorts": "9090" } },
    },
    { name: "misplaced", metadata: { annotations: { "config.linkerd.io/skip-inbound-ports": "9090" } } },
    { name: "whole-pod", template: { labels: { "kmesh.net/bypass": "enabled" } } },
    { name: "clean", template: { annotations: { "prometheus.io/scrape": "true" } } },
];

/** The violations the preview printed, as `[policy, resource name, text]`, the text joined from its lines. */
function violations(output: string): Array<[string, string, string]> {
    const found: Array<[string, string, string]> = [];
    const lines = output.split("\n");
    lines.forEach((line, i) => {
        // `- [mandatory]  bypass-guardrails  (kubernetes:apps/v1:Deployment: every-address)`, then the description and message.
        const m = /\[(advisory|mandatory)\]\s+(\S+)\s+\(.*: (\S+)\)/.exec(line);
        if (!m) return;
        const text: string[] = [];
        for (let j = i + 1; j < lines.length && lines[j].trim() !== "" && !/\[(advisory|mandatory)\]/.test(lines[j]); j++) text.push(lines[j].trim());
        found.push([m[2], m[3], text.join(" ")]);
    });
    return found;
}

const platform = (fullBypass: Record<string, unknown>) => ({
    meshes: ["istio"],
    namespaces: [{ name: "shop", fullBypass: { enabled: true, acknowledged: true, ...fullBypass } }],
    workloads: [{ kind: "Deployment", namespace: "shop", name: "existing", inbound: { excludePorts: [8080] } }],
    admission: { mode: "off" },
});

/** What each policy says, by the resource it names: exactly these, nothing else. */
const EXPECTED: Array<[string, string, RegExp]> = [
    ["bypass-guardrails", "every-address", /traffic\.kuma\.io\/exclude-outbound-ips: 0\.0\.0\.0\/0 excludes every IPv4 address/],
    ["full-bypass-without-reason", "whole-pod", /kmesh\.net\/bypass takes every pod out of the mesh .* with no reason or expiry on record/],
    [
        "bypass-keys-on-workload-metadata",
        "misplaced",
        /config\.linkerd\.io\/skip-inbound-ports on the Deployment's own metadata.* put it on spec\.template\.metadata/,
    ],
    [
        "bypass-keys-written-by-hand",
        "by-hand",
        /written by hand; declare it with SidecarBypass .*"excludeIpRanges":\["10\.0\.0\.1\/8"\].* it would write .*"10\.0\.0\.0\/8"/,
    ],
    ["bypass-keys-written-by-hand", "every-address", /traffic\.kuma\.io\/exclude-outbound-ips="0\.0\.0\.0\/0" written by hand/],
    ["bypass-keys-written-by-hand", "ignored", /meshes: \["istio"\].*"includePorts":\[8080\],"excludePorts":\[9090\]/],
    ["bypass-keys-written-by-hand", "whole-pod", /meshes: \["kmesh"\].*"fullBypass":\{"enabled":true/],
    ["bypass-rules-without-effect", "by-hand", /'10\.0\.0\.1\/8' has host bits set; using 10\.0\.0\.0\/8/],
    ["bypass-rules-without-effect", "ignored", /Istio ignores inbound excludePorts \(9090\) while includeInboundPorts is a list \(8080\)/],
    [
        "declared-full-bypass-reason-and-expiry",
        "platform",
        /the full bypass of namespace\/shop \(reaching Deployment\/shop\/existing\) .* without a reason or an expiry/,
    ],
];

describe("e2e: the policy pack (pulumi preview --policy-pack)", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    before(async () => {
        cluster = new E2eCluster("e2e-policy");
        await cluster.seed([{ namespace: "shop", name: "existing" }]);
        s = await E2eStack.open(cluster, "policy", { workDir: PROGRAM });
    });
    after(() => tearDown(s, cluster));

    it("each policy fires on its workload with its message, and on nothing else; a mandatory one fails the preview", async (t) => {
        await s.stack.setConfig("workloads", { value: JSON.stringify(WORKLOADS) });
        await s.stack.setConfig("rules", { value: JSON.stringify(platform({})) });
        const r = await s.run(["preview", "--policy-pack", PACK]);
        const found = violations(r.output);
        for (const [policy, resource, text] of found) t.diagnostic(`${policy} (${resource}): ${text}`);
        assert.notEqual(r.code, 0, "a mandatory violation fails the preview");
        assert.deepEqual(
            found.map(([policy, resource]) => `${policy} ${resource}`).sort(),
            EXPECTED.map(([policy, resource]) => `${policy} ${resource}`).sort(),
            "one violation per expected pair, none on clean, existing or the component's own patch",
        );
        for (const [policy, resource, message] of EXPECTED) {
            const text = found.find(([p, r]) => p === policy && r === resource)?.[2] ?? "";
            assert.match(text, message, `${policy} on ${resource}`);
        }
    });

    it("a stack's policy config turns a policy off or down: the same stack previews with the mandatory ones advisory or off", async () => {
        const config = path.join(cluster.kube.kubeconfig, "..", "policy-config.json");
        fs.writeFileSync(
            config,
            JSON.stringify({
                "bypass-guardrails": "advisory",
                "full-bypass-without-reason": "disabled",
                "declared-full-bypass-reason-and-expiry": "advisory",
            }),
        );
        const r = await s.run(["preview", "--policy-pack", PACK, "--policy-pack-config", config]);
        assert.equal(r.code, 0, r.output);
        const found = violations(r.output).map(([policy]) => policy);
        assert.ok(found.includes("bypass-guardrails") && found.includes("declared-full-bypass-reason-and-expiry"), r.output);
        assert.ok(!found.includes("full-bypass-without-reason"), "disabled");
    });

    it("an expired full bypass of the component is refused: remove it or move the expiry", async () => {
        await s.stack.setConfig("workloads", { value: JSON.stringify(WORKLOADS.filter((w) => w.name === "clean")) });
        await s.stack.setConfig("rules", { value: JSON.stringify(platform({ reason: "migration to the mesh", expires: "2020-01-01T00:00:00Z" })) });
        const r = await s.run(["preview", "--policy-pack", PACK]);
        assert.notEqual(r.code, 0, r.output);
        const found = violations(r.output);
        assert.deepEqual(
            found.map(([policy, resource]) => `${policy} ${resource}`),
            ["declared-full-bypass-reason-and-expiry platform"],
        );
        assert.match(found[0][2], /platform: the full bypass of namespace\/shop expired 2020-01-01T00:00:00Z; remove it or move the expiry/);
    });

    it("a clean stack passes: no hand-written keys, and the component's full bypass with a reason and an expiry", async () => {
        await s.stack.setConfig("workloads", { value: JSON.stringify(WORKLOADS.filter((w) => w.name === "clean")) });
        await s.stack.setConfig("rules", { value: JSON.stringify(platform({ reason: "migration to the mesh", expires: "2099-01-01T00:00:00Z" })) });
        const r = await s.run(["preview", "--policy-pack", PACK]);
        assert.equal(r.code, 0, r.output);
        assert.deepEqual(violations(r.output), [], r.output);
    });
});
