import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BypassValidationError, type PlainBypassArgs, planBypass } from "../../provider/index";

const workload = { kind: "Deployment" as const, namespace: "shop", name: "cart" };
const plan = (kuma: PlainBypassArgs["kuma"], extra: Partial<PlainBypassArgs> = {}) => planBypass({ meshes: ["kuma"], workloads: [workload], kuma, ...extra });

describe("Kuma versions: how kuma.passthrough is written", () => {
    it("2.x (the default): patches the Mesh and says so", () => {
        const p = plan({ passthrough: false });
        assert.deepEqual(
            (p.objects.kuma ?? []).map((k) => [k.kind, k.patch, k.spec]),
            [["Mesh", true, { networking: { outbound: { passthrough: false } } }]],
        );
        assert.match(p.notices[0], /Kuma 2\.x: kuma\.passthrough patches Mesh 'default'/);
    });

    it("3.x: a mesh-wide MeshPassthrough in the system namespace, no Mesh patch, and says so", () => {
        for (const [passthrough, mode] of [
            [true, "All"],
            [false, "None"],
        ] as const) {
            const p = plan({ version: "3.0", passthrough, systemNamespace: "kong-mesh-system" });
            assert.deepEqual(
                (p.objects.kuma ?? []).map((k) => [k.kind, k.patch, k.metadata.namespace, k.spec]),
                [["MeshPassthrough", false, "kong-mesh-system", { targetRef: { kind: "Mesh" }, default: { passthroughMode: mode } }]],
            );
            assert.match(p.notices[0], new RegExp(`Kuma 3\\.x: .*passthroughMode ${mode}`));
            assert.match(p.notices[1], /without targetRef\.proxyTypes, which Kuma 3 removed \(kumahq\/kuma #17668\).*delegated gateways included/);
        }
    });

    it("3.x: refuses kuma.passthrough beside a global passthrough (both would be mesh-wide policies)", () => {
        assert.throws(
            () => plan({ version: "3.1.2", passthrough: true }, { global: { passthrough: { mode: "None" } } }),
            (e: unknown) =>
                e instanceof BypassValidationError && e.issues.some((i) => i.path === "kuma.passthrough" && /global\.passthrough\.mode/.test(i.message)),
        );
        assert.doesNotThrow(() => plan({ version: "2.14", passthrough: true }, { global: { passthrough: { mode: "None" } } }));
    });

    it("refuses a version that is not Kuma 2 or later, naming the field", () => {
        for (const version of ["1.8", "v2.14", "latest", "3"]) {
            assert.throws(
                () => plan({ version }),
                (e: unknown) => e instanceof BypassValidationError && e.issues.some((i) => i.path === "kuma.version" && /2\.14 or 3\.0/.test(i.message)),
                version,
            );
        }
    });

    it("3.x: no targetRef carries proxyTypes (Kuma 3 removed it); 2.x keeps Kind Mesh policies to sidecars with it", () => {
        const extra: Partial<PlainBypassArgs> = {
            global: { passthrough: { mode: "Matched", destinations: [{ type: "Domain", value: "api.example.com", port: 443, protocol: "tls" }] } },
            namespaces: [{ name: "shop", passthrough: { mode: "None" } }],
            workloads: [{ ...workload, passthrough: { mode: "All" } }],
        };
        const cluster = { maxConnections: 10, maxPendingRequests: 10, maxRequests: 10, maxRetries: 1, connectTimeout: "5s", tcpIdleTimeout: "1h" };
        const targetRefs = (version: string) =>
            (plan({ version, passthroughCluster: cluster }, extra).objects.kuma ?? []).map((o) => [o.kind, (o.spec as { targetRef: unknown }).targetRef]);
        const three = targetRefs("3.0");
        assert.equal(three.length, 4);
        assert.ok(
            three.every(([, ref]) => !JSON.stringify(ref).includes("proxyTypes")),
            JSON.stringify(three),
        );
        const two = targetRefs("2.14");
        assert.deepEqual(
            two.filter(([, ref]) => (ref as { kind: string }).kind === "Mesh").map(([, ref]) => ref),
            [1, 2, 3].map(() => ({ kind: "Mesh", proxyTypes: ["Sidecar"] })),
        );
        assert.deepEqual(plan({ version: "2.14" }, extra).notices, []);
    });

    it("says nothing when passthrough is not set", () => {
        assert.deepEqual(plan({ version: "3.0" }).notices, []);
    });
});
