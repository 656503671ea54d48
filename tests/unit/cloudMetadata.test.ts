import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BypassValidationError, CLOUD_METADATA_RANGES, CloudMetadata, type PlainBypassArgs, planBypass } from "../../provider/index";
import { invalid } from "../helpers/builders";

const workload = { kind: "Deployment" as const, namespace: "shop", name: "cart" };
const istioRanges = (args: PlainBypassArgs) => planBypass(args).workloads[0].annotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"];

describe("cloud metadata presets (outbound.excludeCloudMetadata)", () => {
    it("writes the provider's metadata addresses, IPv4 and IPv6", () => {
        assert.equal(
            istioRanges({ meshes: ["istio"], global: { outbound: { excludeCloudMetadata: [CloudMetadata.Aws] } }, workloads: [workload] }),
            "169.254.169.254/32,fd00:ec2::254/128",
        );
        assert.deepEqual(CLOUD_METADATA_RANGES.azure, ["169.254.169.254/32", "168.63.129.16/32"]);
    });

    it("joins the scope's own ranges, de-duplicated across providers", () => {
        const args: PlainBypassArgs = {
            meshes: ["istio"],
            global: { outbound: { excludeIpRanges: ["203.0.113.0/24"], excludeCloudMetadata: ["aws", "gcp", "azure"] } },
            workloads: [workload],
        };
        assert.equal(istioRanges(args), "168.63.129.16/32,169.254.169.254/32,203.0.113.0/24,fd00:ec2::254/128,fd20:ce::254/128");
    });

    it("follows the scope's inheritance: a workload that merges keeps them, one that overrides replaces them", () => {
        const global = { outbound: { excludeCloudMetadata: ["gcp" as const] } };
        const merged = istioRanges({
            meshes: ["istio"],
            global,
            workloads: [{ ...workload, outbound: { excludeIpRanges: ["192.0.2.0/24"], inherit: "merge" } }],
        });
        assert.equal(merged, "169.254.169.254/32,192.0.2.0/24,fd20:ce::254/128");
        const overridden = istioRanges({ meshes: ["istio"], global, workloads: [{ ...workload, outbound: { excludeIpRanges: ["192.0.2.0/24"] } }] });
        assert.equal(overridden, "192.0.2.0/24");
    });

    it("is usable at a workload's own scope", () => {
        assert.equal(
            istioRanges({ meshes: ["istio"], workloads: [{ ...workload, outbound: { excludeCloudMetadata: ["azure"] } }] }),
            "168.63.129.16/32,169.254.169.254/32",
        );
    });

    it("refuses an unknown provider at preview, naming the field and the accepted values", () => {
        assert.throws(
            () => planBypass({ meshes: ["istio"], global: { outbound: { excludeCloudMetadata: [invalid<CloudMetadata>("oracle")] } } }),
            (e: unknown) =>
                e instanceof BypassValidationError &&
                e.issues.some((i) => i.path === "global.outbound.excludeCloudMetadata[0]" && /aws, gcp, azure/.test(i.message)),
        );
    });

    it("follows each mesh's limits: Consul gets the IPv4 addresses only, and says so", () => {
        const p = planBypass({ meshes: ["consul"], global: { outbound: { excludeCloudMetadata: ["aws"] } }, workloads: [workload] });
        assert.equal(p.workloads[0].annotations["consul.hashicorp.com/transparent-proxy-exclude-outbound-cidrs"], "169.254.169.254/32");
        assert.ok(p.warnings.some((w) => /IPv6 ranges are not written for Consul/.test(w.message)));
    });
});
