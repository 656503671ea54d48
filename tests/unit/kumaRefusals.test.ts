// Inputs our validation once let through and Kuma v2.14.3 refuses, at apply or later when kuma-cp builds the
// proxy's configuration (found by running Kuma's own code; the issue tracker lists them). Each stays a case: the
// plan must refuse it at preview, naming the field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BypassValidationError, type PlainBypassArgs, planBypass } from "../../provider/index";
import { kumaRefusedMatches } from "../../provider/src/meshes/kuma/passthrough";

const refusal = (args: PlainBypassArgs) => {
    try {
        planBypass(args);
    } catch (e) {
        if (e instanceof BypassValidationError) return e.issues;
        throw e;
    }
    assert.fail("the plan was accepted");
};

const workload = { kind: "Deployment" as const, namespace: "pay", name: "ledger" };

const CASES: Array<{ name: string; args: PlainBypassArgs; path: string; message: RegExp }> = [
    {
        name: "a Domain destination whose value is an IP address ('provided DNS has incorrect value')",
        args: {
            meshes: ["kuma"],
            global: { passthrough: { mode: "Matched", destinations: [{ type: "Domain", value: "192.0.2.10", port: 443, protocol: "tls" }] } },
        },
        path: "global.passthrough.destinations[0].value",
        message: /IP address.*use type IP/,
    },
    {
        name: "one port used by tcp and then an HTTP-family protocol in one scope",
        args: {
            meshes: ["kuma"],
            global: {
                passthrough: {
                    mode: "Matched",
                    destinations: [
                        { type: "CIDR", value: "203.0.113.0/24", port: 8080, protocol: "tcp" },
                        { type: "Domain", value: "api.example.com", port: 8080, protocol: "http" },
                    ],
                },
            },
        },
        path: "global.passthrough.destinations[1]",
        message: /port 8080 already carries tcp/,
    },
    {
        name: "a passthrough-cluster count of 2^32 (Envoy's uint32)",
        args: { meshes: ["kuma"], kuma: { passthroughCluster: { maxConnections: 2 ** 32 } } },
        path: "kuma.passthroughCluster.maxConnections",
        message: /4294967295/,
    },
    {
        name: "a connect timeout of 0s ('value must be greater than 0s' from kuma-cp's config check)",
        args: { meshes: ["kuma"], kuma: { passthroughCluster: { connectTimeout: "0s" } } },
        path: "kuma.passthroughCluster.connectTimeout",
        message: /at least 1ms/,
    },
    {
        name: "a connect timeout that rounds to zero (under 0.5 ms)",
        args: { meshes: ["kuma"], kuma: { passthroughCluster: { connectTimeout: "0.4ms" } } },
        path: "kuma.passthroughCluster.connectTimeout",
        message: /at least 1ms/,
    },
    {
        name: "an idle timeout too long for a Go duration",
        args: { meshes: ["kuma"], kuma: { passthroughCluster: { tcpIdleTimeout: "2562048h" } } },
        path: "kuma.passthroughCluster.tcpIdleTimeout",
        message: /2562047h/,
    },
    {
        name: "HTTP-family protocols mixed on one port across scopes (Kuma merges the policies' appendMatch lists)",
        args: {
            meshes: ["kuma"],
            global: { passthrough: { mode: "Matched", destinations: [{ type: "Domain", value: "a.example.com", port: 80, protocol: "http" }] } },
            namespaces: [
                { name: "pay", passthrough: { mode: "Matched", destinations: [{ type: "Domain", value: "b.example.com", port: 80, protocol: "grpc" }] } },
            ],
            workloads: [workload],
        },
        path: "namespaces[0].passthrough.destinations[0]",
        message: /http at global\.passthrough\.destinations\[0\] and grpc here.*global before namespace\/pay/,
    },
    {
        name: "across namespace and workload scopes",
        args: {
            meshes: ["kuma"],
            namespaces: [{ name: "pay", passthrough: { mode: "Matched", destinations: [{ type: "IP", value: "192.0.2.1", port: 9000, protocol: "tcp" }] } }],
            workloads: [
                { ...workload, passthrough: { mode: "Matched", destinations: [{ type: "Domain", value: "c.example.com", port: 9000, protocol: "http2" }] } },
            ],
        },
        path: "workloads[0].passthrough.destinations[0]",
        message: /tcp at namespaces\[0\].*http2 here/,
    },
];

describe("inputs Kuma refuses are refused at preview", () => {
    for (const c of CASES) {
        it(c.name, () => {
            const issues = refusal(c.args);
            assert.ok(
                issues.some((i) => i.path === c.path && c.message.test(i.message)),
                JSON.stringify(issues, null, 1),
            );
        });
    }

    it("accepts what Kuma accepts: the same port with one protocol, http before tcp, a bare-minimum connect timeout", () => {
        const ok: PlainBypassArgs = {
            meshes: ["kuma"],
            global: {
                passthrough: {
                    mode: "Matched",
                    destinations: [
                        { type: "Domain", value: "a.example.com", port: 80, protocol: "http" },
                        { type: "Domain", value: "b.example.com", port: 80, protocol: "http" },
                        { type: "CIDR", value: "203.0.113.0/24", port: 80, protocol: "tcp" },
                        // Not an address, so a name to Kuma too.
                        { type: "Domain", value: "300.1.1.1", port: 443, protocol: "tls" },
                    ],
                },
            },
            kuma: { passthroughCluster: { connectTimeout: "1ms", tcpIdleTimeout: "2562047h", maxConnections: 4294967295 } },
        };
        assert.doesNotThrow(() => planBypass(ok));
    });

    it("follows Kuma's order-dependent rule exactly", () => {
        assert.deepEqual(
            kumaRefusedMatches([
                { port: 1, protocol: "tcp" },
                { port: 1, protocol: "http" },
            ]),
            [[1, 0]],
        );
        assert.deepEqual(
            kumaRefusedMatches([
                { port: 1, protocol: "http" },
                { port: 1, protocol: "tcp" },
            ]),
            [],
        );
        assert.deepEqual(
            kumaRefusedMatches([
                { port: 1, protocol: "http" },
                { port: 1, protocol: "tcp" },
                { port: 1, protocol: "grpc" },
            ]),
            [[2, 1]],
        );
        assert.deepEqual(kumaRefusedMatches([{ protocol: "http" }, { protocol: "grpc" }]), []);
    });
});
