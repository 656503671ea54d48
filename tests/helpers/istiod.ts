// Istio's own injector as a real mutating webhook on the embedded control plane: istiod (pilot-discovery, built from the
// same pinned istio.io/istio module as istioctl) runs as a local process with the install's ConfigMaps (from
// `istioctl manifest generate`), serving /inject on 127.0.0.1 with a certificate of a throw-away CA, which the webhook
// configuration's caBundle trusts. Its own caBundle patcher touches only configurations labelled istio.io/rev, so this
// one is left as written. Stopped by its PID.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { applyServerSide, type Kube } from "../../tools/harness/kube";
import type { IstioTools } from "./istioTools";

const freePort = (): Promise<number> =>
    new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => resolve(port));
        });
    });

export class Istiod {
    static readonly WEBHOOK = "sidecar-bypass-test-istiod";
    private readonly dir = mkdtempSync(join(tmpdir(), "sb-istiod-"));
    private child?: ChildProcess;
    private port = 0;

    constructor(
        private readonly tools: IstioTools,
        private readonly kube: Kube,
    ) {}

    /** Starts istiod and waits (bounded, 60 s) until its webhook answers; `nativeSidecars` as on a 1.33+ cluster. */
    async start(o: { nativeSidecars: boolean }): Promise<void> {
        this.certificates();
        const configMaps = parseAllDocuments(readFileSync(this.tools.manifest, "utf8"))
            .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null)
            .filter((d) => d?.kind === "ConfigMap" && d.metadata?.namespace === "istio-system");
        applyServerSide(this.kube, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system" } }, ...configMaps] as object[], {
            fieldManager: "istio-install",
        });
        const ports = {
            https: await freePort(),
            http: await freePort(),
            grpc: await freePort(),
            sgrpc: await freePort(),
            mon: await freePort(),
            ctrlz: await freePort(),
        };
        this.port = ports.https;
        const run = join(this.dir, "run");
        // istiod resolves ./etc/istio/... and ./var/lib/istio/... against its working directory: an empty one makes it
        // read the ConfigMaps instead.
        mkdirSync(run);
        const pki = (f: string) => join(this.dir, f);
        this.child = spawn(
            this.tools.pilotDiscovery,
            [
                "discovery",
                "--kubeconfig",
                this.kube.kubeconfig,
                "--namespace",
                "istio-system",
                "--domain",
                "cluster.local",
                "--httpsAddr",
                `127.0.0.1:${ports.https}`,
                "--httpAddr",
                `127.0.0.1:${ports.http}`,
                "--grpcAddr",
                `127.0.0.1:${ports.grpc}`,
                "--secureGRPCAddr",
                `127.0.0.1:${ports.sgrpc}`,
                "--monitoringAddr",
                `127.0.0.1:${ports.mon}`,
                "--ctrlz_address",
                "127.0.0.1",
                "--ctrlz_port",
                String(ports.ctrlz),
                // All three, or istiod issues its own certificate, for istiod.istio-system.svc only.
                "--tlsCertFile",
                pki("tls.crt"),
                "--tlsKeyFile",
                pki("tls.key"),
                "--caCertFile",
                pki("ca.crt"),
            ],
            {
                cwd: run,
                env: {
                    ...process.env,
                    POD_NAMESPACE: "istio-system",
                    POD_NAME: "istiod-test",
                    REVISION: "default",
                    CLUSTER_ID: "Kubernetes",
                    PILOT_ENABLE_ANALYSIS: "false",
                    // kwok's nodes report no kubelet version, so istiod's "auto" would pick the classic form: say which.
                    ENABLE_NATIVE_SIDECARS: String(o.nativeSidecars),
                },
                stdio: ["ignore", "ignore", "ignore"],
            },
        );
        for (let attempt = 0; attempt < 600; attempt++) {
            if (this.child.exitCode !== null) throw new Error(`istiod exited with ${this.child.exitCode}`);
            if (await this.ready()) return;
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error("istiod's webhook did not answer within 60 s");
    }

    private certificates(): void {
        const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: this.dir, stdio: "ignore" });
        openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=sidecar-bypass-test-ca"]);
        openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "tls.csr", "-subj", "/CN=istiod.istio-system.svc"]);
        const ext = "subjectAltName=IP:127.0.0.1,DNS:istiod.istio-system.svc\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n";
        execFileSync("sh", ["-c", `printf '%s' "$1" > tls.ext`, "sh", ext], { cwd: this.dir });
        openssl([
            "x509",
            "-req",
            "-in",
            "tls.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tls.crt",
            "-days",
            "1",
            "-extfile",
            "tls.ext",
        ]);
    }

    private ready(): Promise<boolean> {
        const ca = readFileSync(join(this.dir, "ca.crt"));
        return new Promise((resolve) => {
            const req = https.get({ host: "127.0.0.1", port: this.port, path: "/ready", ca, timeout: 1000 }, (res) => {
                res.resume();
                resolve(res.statusCode === 200);
            });
            req.on("timeout", () => req.destroy());
            req.on("error", () => resolve(false));
        });
    }

    /** A webhook configuration sending the pods of the namespaces labelled istio-injection=enabled to istiod, as Istio's chart does. */
    configuration(): object {
        return {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "MutatingWebhookConfiguration",
            metadata: { name: Istiod.WEBHOOK },
            webhooks: [
                {
                    name: "namespace.sidecar-injector.istio.io",
                    admissionReviewVersions: ["v1"],
                    sideEffects: "None",
                    failurePolicy: "Fail",
                    reinvocationPolicy: "Never",
                    timeoutSeconds: 10,
                    clientConfig: { url: `https://127.0.0.1:${this.port}/inject`, caBundle: readFileSync(join(this.dir, "ca.crt")).toString("base64") },
                    rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
                    namespaceSelector: { matchLabels: { "istio-injection": "enabled" } },
                    objectSelector: { matchExpressions: [{ key: "sidecar.istio.io/inject", operator: "NotIn", values: ["false"] }] },
                },
            ],
        };
    }

    /** Stops istiod (SIGTERM, then SIGKILL after 10 s) and removes its files. */
    async stop(): Promise<void> {
        const child = this.child;
        if (child && child.exitCode === null && child.signalCode === null) {
            const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
            await exited;
            clearTimeout(timer);
        }
        rmSync(this.dir, { recursive: true, force: true });
    }
}
