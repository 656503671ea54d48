import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planBypass } from "../../provider/index";
import { workload } from "../helpers/builders";

describe("rollout hash", () => {
    it("is left out with rolloutHash: false, and nothing is written for a workload without rules", () => {
        const off = planBypass({ meshes: ["istio"], rolloutHash: false, workloads: [workload("Deployment", "a", "b", { inbound: { excludePorts: [80] } })] });
        assert.deepEqual(off.workloads[0].annotations, { "traffic.sidecar.istio.io/excludeInboundPorts": "80" });
        const none = planBypass({ meshes: ["istio", "kuma", "kmesh"], workloads: [workload("Deployment", "a", "b")] });
        // Removing every rule patches an empty template: the fields are released and pods return to mesh defaults.
        assert.deepEqual([none.workloads[0].annotations, none.workloads[0].labels, none.workloads[0].hash], [{}, {}, undefined]);
    });
});
