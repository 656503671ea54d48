// The summary, a pull-request comment: the design example rendered whole (snapshot), and what it says of the scopes at
// admission, of running pods a change does not replace (known at preview), and of the kinds that change pods their way.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planBypass, summaryMarkdown } from "../../provider/index";
import { FIXED_NOW } from "../helpers/clock";
import { designExample } from "../helpers/examples";
import { matchSnapshot } from "../helpers/snapshot";

describe("summaryMarkdown", () => {
    it("renders the design example (snapshot), with its admission scope", () => {
        const text = summaryMarkdown(planBypass(designExample(), { name: "sidecar-bypass", now: FIXED_NOW }));
        matchSnapshot("design-example-summary", text.split("\n"));
        assert.match(text, /\*\*At admission\*\* \(MutatingAdmissionPolicy, admissionregistration\.k8s\.io\/v1\)/);
        assert.match(text, /- namespace\/payments: payments/);
    });

    it("names the running pods this change does not replace, and those up replaces", () => {
        const plan = planBypass(
            {
                meshes: ["istio"],
                admission: { mode: "off" },
                rollout: { replaceOnDeletePods: true },
                workloads: [
                    { kind: "StatefulSet", namespace: "vault", name: "vault", inbound: { excludePorts: [8201] } },
                    { kind: "CronJob", namespace: "ops", name: "backup" },
                ],
            },
            { name: "sb" },
        );
        const text = summaryMarkdown(plan, { unreplaced: ["Deployment/shop/paused: this change does not replace its running pods (it is paused)"] });
        assert.match(text, /\*\*Running pods\*\*\n\n- Deployment\/shop\/paused: this change does not replace its running pods \(it is paused\)\n/);
        assert.match(text, /- StatefulSet\/vault\/vault: stale pods are evicted one at a time during up \(rollout\.replaceOnDeletePods\)/);
        assert.match(text, /- CronJob\/ops\/backup: a CronJob's change reaches the next Job it starts/);
        assert.doesNotMatch(text, /At admission/);
    });
});
