// The pull-request comment from a preview's JSON, at sizes an e2e run cannot reach: 10,000 workloads stay readable
// (grouped by identical change, groups cut) and under GitHub's limit, and the total counts every workload.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COMMENT_LIMIT, changeComment, type PreviewStep } from "../../provider/index";

const PARENT = "urn:pulumi:dev::platform::sidecar-bypass:index:SidecarBypass$";
const annotations = (ports: string, hash: string) => ({ "traffic.sidecar.istio.io/excludeInboundPorts": ports, "sidecar-bypass.io/rollout-hash": hash });
const patch = (ns: string, name: string, before: string, after: string): PreviewStep => {
    const state = (ports: string) => ({
        type: "kubernetes:apps/v1:DeploymentPatch",
        inputs: { metadata: { namespace: ns, name }, spec: { template: { metadata: { annotations: annotations(ports, `h${ports}`) } } } },
    });
    return { op: "update", urn: `${PARENT}kubernetes:apps/v1:DeploymentPatch::bp/${ns}/Deployment/${name}`, oldState: state(before), newState: state(after) };
};
/** An unchanged workload's patch, as preview --json shows it with --show-sames. */
const same = (ns: string, name: string): PreviewStep => {
    const state = { type: "kubernetes:apps/v1:DeploymentPatch", inputs: { metadata: { namespace: ns, name } } };
    return { op: "same", urn: `${PARENT}kubernetes:apps/v1:DeploymentPatch::bp/${ns}/Deployment/${name}`, oldState: state, newState: state };
};

describe("the pull-request comment", () => {
    it("at 10,000 workloads in 500 namespaces, each namespace's change one group: cut to 40 groups, under the limit, every workload counted", () => {
        const steps: PreviewStep[] = [];
        for (let n = 0; n < 500; n++) {
            for (let w = 0; w < 20; w++) {
                // One workload in four is unchanged.
                steps.push(w % 4 === 0 ? same(`team-${n}`, `app-${w}`) : patch(`team-${n}`, `app-${w}`, "8000", `8000,${9000 + n}`));
            }
        }
        const text = changeComment({ steps });
        assert.ok(text.length < COMMENT_LIMIT, `${text.length} characters`);
        assert.equal(text.split("\n").filter((l) => l.startsWith("- `Deployment/")).length, 40);
        assert.match(
            text,
            /- `Deployment\/team-0\/app-1`, `Deployment\/team-0\/app-2`, `Deployment\/team-0\/app-3`, `Deployment\/team-0\/app-5`, `Deployment\/team-0\/app-6` and 10 more: pods roll/,
        );
        assert.match(text, /… 460 more group\(s\) of changes, 6900 workload\(s\), not shown/);
        assert.match(text, /\*\*7500 workloads change, 7500 roll, 2500 unchanged\.\*\*\n$/);
    });

    it("one change for all: one group, whatever the count", () => {
        const steps = Array.from({ length: 10_000 }, (_, i) => patch(`ns-${i % 50}`, `w-${i}`, "7001", "7001,7002"));
        const text = changeComment({ steps: [...steps, same("other", "w")] });
        assert.equal(text.split("\n").filter((l) => l.startsWith("- `Deployment/")).length, 1);
        assert.match(text, /and 9995 more: pods roll\n {2}- inbound\.excludePorts \(Istio `traffic\.sidecar\.istio\.io\/excludeInboundPorts`\): \+ 7002\n/);
        assert.match(text, /\*\*10000 workloads change, 10000 roll, 1 unchanged\.\*\*/);
    });

    it("without --show-sames the unchanged are not counted, rather than counted as none", () => {
        const text = changeComment({
            steps: [
                { op: "same", urn: "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev", newState: { type: "pulumi:pulumi:Stack" } },
                patch("a", "b", "1", "2"),
            ],
        });
        assert.match(text, /\*\*1 workload change, 1 roll\.\*\*\n$/);
        assert.equal(changeComment({ steps: [] }), "**Sidecar bypass**: no change.\n");
    });

    it("a no-op, and a preview of other stacks' resources only, is one line", () => {
        assert.equal(changeComment({ steps: [same("a", "b")] }), "**Sidecar bypass**: no change (1 workload unchanged).\n");
        assert.equal(
            changeComment({ steps: [{ op: "update", urn: "urn:pulumi:dev::x::kubernetes:apps/v1:Deployment::web" }] }),
            "**Sidecar bypass**: no change.\n",
        );
    });
});
