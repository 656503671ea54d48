// The kinds a platform repo has besides Deployments, through the real CLI and provider: a CronJob (its pod template is
// spec.jobTemplate.spec.template; the change reaches the next Job) and an Argo Rollout (argoproj.io/v1alpha1, its CRD
// fetched as data from the Go module proxy). On a cluster without Argo Rollouts' CRD, preview refuses the Rollout in our
// words and nothing is written; with it, up patches both, and a Job started afterwards runs pods with the rules.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { type PlainBypassArgs, ROLLOUT_HASH_ANNOTATION } from "../../provider/index";
import { applyServerSide, getJson, kubectl } from "../../tools/harness/kube";
import { CHART_ANNOTATION, chartWorkload, HELM_MANAGER, namespaceObject } from "../../tools/harness/workloads";
import { cliSkipReason, E2eCluster, E2eStack, tearDown } from "../helpers/e2e";

const skip = cliSkipReason();
const OUT = "traffic.sidecar.istio.io/excludeOutboundPorts";
const IN = "traffic.sidecar.istio.io/excludeInboundPorts";
const TOOLS = path.resolve(__dirname, "..", "..", "..", "tools");
const STATUS = path.resolve(__dirname, "..", "..", "..", "provider", "bin", "src", "status", "cli.js");

const rules: PlainBypassArgs = {
    meshes: ["istio"],
    admission: { mode: "off" },
    workloads: [
        { kind: "CronJob", namespace: "ops", name: "backup", outbound: { excludePorts: [5432] } },
        { kind: "Rollout", namespace: "shop", name: "web", inbound: { excludePorts: [8081] } },
    ],
};

type Annotations = Record<string, string> | undefined;

describe("e2e: a CronJob and an Argo Rollout, through the real CLI", { skip: skip && `skipped: ${skip}` }, () => {
    let cluster: E2eCluster;
    let s: E2eStack;
    const cronTemplate = () =>
        getJson<{ spec: { jobTemplate: { spec: { template: { metadata: { annotations?: Record<string, string> } } } } } }>(cluster.kube, [
            "cronjob",
            "-n",
            "ops",
            "backup",
        ]).spec.jobTemplate.spec.template.metadata.annotations;
    const rolloutTemplate = () =>
        getJson<{ spec: { template: { metadata: { annotations?: Record<string, string> } } } }>(cluster.kube, ["rollout", "-n", "shop", "web"]).spec.template
            .metadata.annotations;

    before(async () => {
        // Without Argo Rollouts' CRD at first: the cluster a platform repo meets before Argo is installed.
        cluster = new E2eCluster("e2e-kinds", { rollouts: false });
        applyServerSide(cluster.kube, ["ops", "shop"].map(namespaceObject), { fieldManager: HELM_MANAGER });
        applyServerSide(cluster.kube, [chartWorkload({ namespace: "ops", name: "backup" }, "CronJob")], { fieldManager: HELM_MANAGER });
        s = await E2eStack.open(cluster, "kinds");
        await s.setRules(rules);
    });
    after(() => tearDown(s, cluster));

    it("without Argo Rollouts' CRD, preview refuses the Rollout naming it and what to install; nothing is written", async (t) => {
        const before = cronTemplate();
        const preview = await s.run(["preview"]);
        assert.notEqual(preview.code, 0, preview.output);
        t.diagnostic(preview.output.split("\n").find((l) => l.includes("does not serve")) ?? "(no message)");
        assert.match(
            preview.output,
            /workloads: Rollout\/shop\/web: the cluster does not serve argoproj\.io\/v1alpha1 Rollout \(Argo Rollouts' CRD is not installed\)/,
        );
        await assert.rejects(s.stack.up({ color: "never" }), /Argo Rollouts' CRD is not installed/);
        assert.deepEqual(cronTemplate(), before, "the CronJob is not patched either");
    });

    it("with the CRD, up patches the CronJob's job template and the Rollout's template; preview says what each does", async () => {
        const crd = execFileSync(path.join(TOOLS, "fetch-rollouts-crd.sh"), { encoding: "utf8" }).trim().split("\n").pop() ?? "";
        kubectl(cluster.kube, ["apply", "--server-side", "-f", crd]);
        // Bounded: until the API server serves the new kind (its status may not exist yet right after the apply).
        for (let i = 0; i < 60 && !kubectl(cluster.kube, ["api-resources", "--api-group", "argoproj.io", "-o", "name"]).includes("rollouts"); i++) {
            await new Promise((r) => setTimeout(r, 500));
        }
        applyServerSide(cluster.kube, [chartWorkload({ namespace: "shop", name: "web" }, "Rollout")], { fieldManager: HELM_MANAGER });
        const preview = await s.stack.preview({ color: "never" });
        const text = preview.stdout.replace(/\s+/g, " ");
        assert.match(text, /CronJob\/ops\/backup: a CronJob's change reaches the next Job it starts/);
        assert.match(text, /Rollout\/shop\/web: Argo Rollouts' controller rolls a Rollout on the change/);
        const up = await s.stack.up({ color: "never" });
        assert.equal(up.summary.result, "succeeded");
        const cron: Annotations = cronTemplate();
        assert.equal(cron?.[OUT], "5432");
        assert.ok(cron?.[ROLLOUT_HASH_ANNOTATION]);
        assert.equal(cron?.[CHART_ANNOTATION], "demo", "the chart's own annotation is kept");
        const rollout: Annotations = rolloutTemplate();
        assert.equal(rollout?.[IN], "8081");
        assert.equal(rollout?.[CHART_ANNOTATION], "demo");
    });

    it("a Job the CronJob starts afterwards runs a pod with the rules", async () => {
        kubectl(cluster.kube, ["create", "job", "-n", "ops", "backup-now", "--from=cronjob/backup"]);
        for (let i = 0; i < 120; i++) {
            const pods = getJson<{ items: { metadata: { annotations?: Record<string, string> } }[] }>(cluster.kube, [
                "pods",
                "-n",
                "ops",
                "-l",
                "job-name=backup-now",
            ]).items;
            if (pods.length > 0) {
                assert.equal(pods[0].metadata.annotations?.[OUT], "5432");
                return;
            }
            await new Promise((r) => setTimeout(r, 500));
        }
        assert.fail("the Job's pod was not created within 60 s");
    });

    it("sidecar-bypass status reads both kinds: the CronJob's Job pod up to date, the Rollout listed", async () => {
        const out = await new Promise<{ code: number; stdout: string }>((resolve) =>
            execFile(process.execPath, [STATUS, "status", "-o", "json"], { env: { ...process.env, KUBECONFIG: cluster.kube.kubeconfig } }, (error, stdout) =>
                resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
            ),
        );
        const rows = JSON.parse(out.stdout) as { subject: string; pods: number; stale: string[] }[];
        const cron = rows.find((r) => r.subject === "CronJob/ops/backup");
        assert.ok(cron, out.stdout);
        assert.deepEqual([cron.pods, cron.stale], [1, []], "the Job started after up runs the rules");
        assert.ok(
            rows.some((r) => r.subject === "Rollout/shop/web"),
            out.stdout,
        );
        assert.equal(out.code, 0, out.stdout);
    });

    it("destroy gives both templates back as the chart left them", async () => {
        const destroy = await s.stack.destroy({ color: "never" });
        assert.equal(destroy.summary.result, "succeeded");
        assert.equal(cronTemplate()?.[OUT], undefined);
        assert.equal(cronTemplate()?.[CHART_ANNOTATION], "demo");
        assert.equal(rolloutTemplate()?.[IN], undefined);
        assert.equal(rolloutTemplate()?.[CHART_ANNOTATION], "demo");
    });
});
