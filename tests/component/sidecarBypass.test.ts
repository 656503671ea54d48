import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { SidecarBypass, SidecarBypassArgs } from "../../provider/index";
import { designExample } from "../helpers/examples";
import { chartWorkloadLive, installMocks, liveWorkloads, outputValue, type Registered } from "../helpers/mocks";

// setMocks must run before the component module is loaded. A preview, where the ownership check reads workloads.
const registered: Registered[] = installMocks({ preview: true });
let sb: typeof import("../../provider/index");
before(async () => {
    sb = await import("../../provider/index");
});

/** What a component of this name in the mocks' project and the current stack prefixes its objects with. */
const objectPrefix = (component: string) => sb.objectPrefixOf({ project: "sidecar-bypass", stack: pulumi.getStack(), component });
/** Each test is a program of its own (a stack of its own), as two components of one program may not list one workload. */
let programs = 0;
const ownProgram = (preview = true) => installMocks({ preview, stack: `test-${++programs}` });
/**
 * Until the registrations have arrived. At preview a component's patches wait for its drift check, whose client reads
 * (two workloads or more) run on a worker thread that loads the Kubernetes client before it fails here: its summary,
 * which holds every workload's verdict, tells when they are done.
 */
async function settle(component?: SidecarBypass): Promise<void> {
    if (component) await outputValue(component.summary);
    await new Promise((r) => setTimeout(r, 50));
}
/** Until these resources are registered, 20 s at most: where the check's verdict stays unknown under the mocks (a read of a kind the mocks give no spec), so does the summary. */
async function registeredAs(...names: string[]): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!names.every((n) => registered.some((r) => r.name === n)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
const byName = (prefix: string) => registered.filter((r) => r.name.startsWith(prefix));
/** The resource the program declared under exactly this name (not the read of the same workload). */
const named = (name: string) => {
    const r = registered.find((x) => x.name === name && x.id === undefined);
    assert.ok(r, `nothing registered as ${name}`);
    return r;
};

describe("SidecarBypass under mocks", () => {
    // The previous test's registrations settle first: new mocks forget the resources of the old ones.
    beforeEach(async () => {
        await settle();
        ownProgram();
    });
    it("emits a patch per workload, a ConfigMap per namespace and the Kuma objects, grouped by namespace", async () => {
        const c = new sb.SidecarBypass("platform", designExample());
        const rows = await outputValue(c.effectiveRules);
        await settle(c);
        const mine = byName("platform");
        const types = mine.map((r) => `${r.type} ${r.name}`).sort();
        assert.deepEqual(types, [
            // The namespace's rules at admission, cluster-scoped: a policy and its binding.
            `kubernetes:admissionregistration.k8s.io/v1:MutatingAdmissionPolicy platform/MutatingAdmissionPolicy/${objectPrefix("platform")}-namespace-payments`,
            `kubernetes:admissionregistration.k8s.io/v1:MutatingAdmissionPolicyBinding platform/MutatingAdmissionPolicyBinding/${objectPrefix("platform")}-namespace-payments`,
            // At preview each patched workload is read first, for the ownership check.
            "kubernetes:apps/v1:Deployment platform/debug/Deployment/api/live",
            "kubernetes:apps/v1:Deployment platform/payments/Deployment/ledger/live",
            "kubernetes:apps/v1:Deployment platform/payments/Deployment/web/live",
            "kubernetes:apps/v1:DeploymentPatch platform/debug/Deployment/api",
            "kubernetes:apps/v1:DeploymentPatch platform/payments/Deployment/ledger",
            "kubernetes:apps/v1:DeploymentPatch platform/payments/Deployment/web",
            "kubernetes:apps/v1:StatefulSet platform/payments/StatefulSet/db/live",
            "kubernetes:apps/v1:StatefulSetPatch platform/payments/StatefulSet/db",
            "kubernetes:core/v1:ConfigMap platform/debug/record",
            "kubernetes:core/v1:ConfigMap platform/payments/record",
            "kubernetes:core/v1:ConfigMapPatch platform/debug/record/data",
            "kubernetes:core/v1:ConfigMapPatch platform/payments/record/data",
            `kubernetes:kuma.io/v1alpha1:MeshPassthrough platform/payments/MeshPassthrough/${objectPrefix("platform")}-namespace`,
            // A CustomResourcePatch of the Mesh: Kuma's Mesh is patched, never created.
            "kubernetes:kuma.io/v1alpha1:MeshPatch platform/Mesh/default",
            `kubernetes:kuma.io/v1alpha1:MeshProxyPatch platform/kuma-system/MeshProxyPatch/${objectPrefix("platform")}-passthrough-cluster`,
            "sidecar-bypass:index:SidecarBypass platform",
        ]);
        const ledger = mine.find((r) => r.name === "platform/payments/Deployment/ledger")!.inputs as {
            metadata: { name: string; namespace: string; annotations: Record<string, string> };
            spec: { template: { metadata: { annotations: Record<string, string> } } };
        };
        assert.equal(ledger.metadata.name, "ledger");
        assert.equal(ledger.metadata.annotations["pulumi.com/patchFieldManager"], `sidecar-bypass:sidecar-bypass/${pulumi.getStack()}/platform`);
        assert.equal(ledger.spec.template.metadata.annotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"], "47.100.1.144/32,169.254.169.254/32");
        assert.match(ledger.spec.template.metadata.annotations["sidecar-bypass.io/rollout-hash"], /^[0-9a-f]{16}$/);
        // The Mesh is patched, never created.
        const mesh = mine.find((r) => r.name === "platform/Mesh/default")!.inputs as { metadata: { annotations: Record<string, string> } };
        assert.equal(mesh.metadata.annotations["pulumi.com/patchFieldManager"], `sidecar-bypass:sidecar-bypass/${pulumi.getStack()}/platform`);
        assert.ok(rows.some((r) => r.workload === "Deployment/debug/api" && r.field === "fullBypass"));
        assert.match(await outputValue(c.summary), /\| Deployment\/payments\/ledger \| outbound.excludeIpRanges \|/);
    });

    it("keeps the record's data in a patch, so a rule change updates it in place instead of replacing it", async () => {
        new sb.SidecarBypass("record", {
            meshes: ["istio"],
            workloads: [{ kind: "Deployment", namespace: "shop", name: "cart", inbound: { excludePorts: [9000] } }],
        });
        await settle();
        const object = byName("record/shop/record").find((r) => r.type === "kubernetes:core/v1:ConfigMap")!.inputs as {
            metadata: Record<string, unknown>;
            data?: unknown;
        };
        const data = byName("record/shop/record/data")[0].inputs as {
            metadata: { name: string; annotations: Record<string, string> };
            data: Record<string, string>;
        };
        assert.equal(object.data, undefined);
        // Named for its owner (component, stack and a hash of the project too), so records of two stacks never meet.
        assert.match(object.metadata.name as string, new RegExp(`^sidecar-bypass-record-${pulumi.getStack()}-[0-9a-f]{6}$`));
        assert.equal(object.metadata.name, objectPrefix("record"));
        assert.deepEqual(object.metadata.labels, {
            "app.kubernetes.io/managed-by": "sidecar-bypass",
            "sidecar-bypass.io/component": "record",
            "sidecar-bypass.io/stack": pulumi.getStack(),
            "sidecar-bypass.io/project": "sidecar-bypass",
        });
        assert.deepEqual(object.metadata.annotations, { "sidecar-bypass.io/field-manager": `sidecar-bypass:sidecar-bypass/${pulumi.getStack()}/record` });
        assert.equal(data.metadata.name, objectPrefix("record"));
        assert.equal(data.metadata.annotations["pulumi.com/patchFieldManager"], `sidecar-bypass:sidecar-bypass/${pulumi.getStack()}/record`);
        assert.ok(Object.keys(data.data).length > 0);
    });

    it("awaits rollouts by default and, with rollout.wait false, tells the provider not to", async () => {
        const workloads = [{ kind: "Deployment" as const, namespace: "shop", name: "cart", inbound: { excludePorts: [9000] } }];
        new sb.SidecarBypass("waits", { meshes: ["istio"], workloads });
        await settle();
        ownProgram();
        new sb.SidecarBypass("nowait", { meshes: ["istio"], workloads, rollout: { wait: false } });
        await settle();
        const annotations = (n: string) => (named(n).inputs as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
        assert.equal(annotations("waits/shop/Deployment/cart")["pulumi.com/skipAwait"], undefined);
        assert.equal(annotations("nowait/shop/Deployment/cart")["pulumi.com/skipAwait"], "true");
    });

    it("forces its patches only with takeOwnership: taking fields back from another manager needs consent", async () => {
        const workloads = [{ kind: "Deployment" as const, namespace: "shop", name: "cart", inbound: { excludePorts: [9000] } }];
        new sb.SidecarBypass("polite", { meshes: ["istio"], workloads });
        await settle();
        ownProgram();
        new sb.SidecarBypass("forceful", { meshes: ["istio", "kuma"], workloads, kuma: { passthrough: true }, takeOwnership: true });
        await settle();
        const force = (r: Registered) => (r.inputs as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.["pulumi.com/patchForce"];
        assert.deepEqual(
            byName("polite")
                .filter((r) => /Patch$/.test(r.type))
                .map(force),
            [undefined, undefined],
        );
        const forced = byName("forceful").filter((r) => /Patch$/.test(r.type));
        assert.deepEqual(forced.map((r) => r.type).sort(), [
            "kubernetes:apps/v1:DeploymentPatch",
            "kubernetes:core/v1:ConfigMapPatch",
            "kubernetes:kuma.io/v1alpha1:MeshPatch",
        ]);
        assert.deepEqual(forced.map(force), ["true", "true", "true"]);
    });

    it("refuses a rollout timeout that is not a whole number of seconds, naming the field", () => {
        assert.throws(
            () => new sb.SidecarBypass("badtimeout", { meshes: ["istio"], rollout: { timeoutSeconds: 0 } }),
            (e: unknown) =>
                e instanceof sb.BypassValidationError && e.issues.some((i) => i.path === "rollout.timeoutSeconds" && /rollout.wait/.test(i.message)),
        );
    });

    it("throws the path-named errors at construction, before any resource is registered", () => {
        const count = registered.length;
        assert.throws(
            () =>
                new sb.SidecarBypass("bad", {
                    meshes: ["istio"],
                    workloads: [{ kind: "Deployment", namespace: "a", name: "b", outbound: { excludeIpRanges: ["10.0.0.0/33"] } }],
                }),
            (e: unknown) => e instanceof sb.BypassValidationError && e.issues[0].path === "workloads[0].outbound.excludeIpRanges[0]",
        );
        assert.equal(registered.length, count);
    });

    it("takes rule values as Outputs: the structure stays plain, the values flow through", async () => {
        const ranges = pulumi.output(["203.0.113.0/24", "203.0.113.9"]);
        new sb.SidecarBypass("stackref", {
            meshes: [sb.Mesh.Istio],
            workloads: [{ kind: sb.WorkloadKind.Deployment, namespace: "shop", name: "cart", outbound: { excludeIpRanges: ranges } }],
        });
        await settle();
        const patch = named("stackref/shop/Deployment/cart").inputs as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
        assert.equal(patch.spec.template.metadata.annotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"], "203.0.113.0/24");
    });

    it("reads the Istio install defaults from the cluster when asked and merges them", async () => {
        new sb.SidecarBypass("readdefaults", {
            meshes: ["istio"],
            istio: { readInstallDefaults: {} },
            global: { outbound: { excludeIpRanges: ["192.0.2.0/24"], inherit: "merge" } },
            workloads: [{ kind: "Deployment", namespace: "shop", name: "cart" }],
        });
        await settle();
        const patch = named("readdefaults/shop/Deployment/cart").inputs as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
        assert.equal(patch.spec.template.metadata.annotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"], "10.96.0.0/12,192.0.2.0/24");
    });

    const readRules: SidecarBypassArgs = {
        meshes: ["istio"],
        workloads: [
            { kind: "Deployment", namespace: "shop", name: "cart", inbound: { excludePorts: [9000] } },
            { kind: "DaemonSet", namespace: "ops", name: "agent" },
        ],
    };

    it("at preview, reads each patched workload by namespace/name before patching it, so preview can name who took our fields", async () => {
        await settle(new sb.SidecarBypass("reads", readRules));
        const reads = byName("reads").filter((r) => r.id !== undefined);
        assert.deepEqual(reads.map((r) => `${r.type} ${r.id}`).sort(), ["kubernetes:apps/v1:DaemonSet ops/agent", "kubernetes:apps/v1:Deployment shop/cart"]);
        // The read names the object it reads, so the provider serves it as a known object (one GET, no await).
        assert.deepEqual(reads.find((r) => r.id === "shop/cart")?.inputs, {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "cart", namespace: "shop", annotations: { "pulumi.com/skipAwait": "true" } },
        });
    });

    it("at an update, reads nothing: the check ran at the preview, and a read would keep the live object in the stack's state", async () => {
        ownProgram(false);
        try {
            new sb.SidecarBypass("update", readRules);
            await settle();
        } finally {
            ownProgram();
        }
        assert.deepEqual(
            byName("update").filter((r) => r.id !== undefined),
            [],
        );
        assert.deepEqual(
            byName("update")
                .filter((r) => /apps\/v1:\w+Patch$/.test(r.type))
                .map((r) => r.name)
                .sort(),
            ["update/ops/DaemonSet/agent", "update/shop/Deployment/cart"],
        );
    });

    it("with takeOwnership, patches a workload whose field another manager took, with our value and force", async () => {
        const key = "traffic.sidecar.istio.io/excludeInboundPorts";
        liveWorkloads.set(
            "shop/taken",
            chartWorkloadLive({
                annotations: { [key]: "7001" },
                managedFields: [
                    {
                        manager: "kubectl-patch",
                        operation: "Update",
                        fieldsType: "FieldsV1",
                        fieldsV1: { "f:spec": { "f:template": { "f:metadata": { "f:annotations": { [`f:${key}`]: {} } } } } },
                    },
                ],
            }),
        );
        new sb.SidecarBypass("takeback", {
            meshes: ["istio"],
            workloads: [{ kind: "Deployment", namespace: "shop", name: "taken", inbound: { excludePorts: [7001, 7002] } }],
            takeOwnership: true,
        });
        await settle();
        const patch = named("takeback/shop/Deployment/taken").inputs as {
            metadata: { annotations: Record<string, string> };
            spec: { template: { metadata: { annotations: Record<string, string> } } };
        };
        assert.equal(patch.spec.template.metadata.annotations[key], "7001,7002");
        assert.equal(patch.metadata.annotations["pulumi.com/patchForce"], "true");
    });

    it("patches a CronJob's job template and an Argo Rollout's template, reading each at preview as its own kind", async () => {
        new sb.SidecarBypass("kinds", {
            meshes: ["istio"],
            admission: { mode: "off" },
            workloads: [
                { kind: "CronJob", namespace: "ops", name: "backup", outbound: { excludePorts: [5432] } },
                { kind: "Rollout", namespace: "shop", name: "web", inbound: { excludePorts: [8081] } },
            ],
        });
        await registeredAs("kinds/ops/CronJob/backup", "kinds/shop/Rollout/web");
        const cron = named("kinds/ops/CronJob/backup");
        assert.equal(cron.type, "kubernetes:batch/v1:CronJobPatch");
        const cronSpec = cron.inputs.spec as { jobTemplate: { spec: { template: { metadata: { annotations: Record<string, string> } } } } };
        assert.equal(cronSpec.jobTemplate.spec.template.metadata.annotations["traffic.sidecar.istio.io/excludeOutboundPorts"], "5432");
        const rollout = named("kinds/shop/Rollout/web");
        assert.equal(rollout.type, "kubernetes:argoproj.io/v1alpha1:RolloutPatch");
        assert.equal((rollout.inputs as { apiVersion: string }).apiVersion, "argoproj.io/v1alpha1");
        const rolloutSpec = rollout.inputs.spec as { template: { metadata: { annotations: Record<string, string> } } };
        assert.equal(rolloutSpec.template.metadata.annotations["traffic.sidecar.istio.io/excludeInboundPorts"], "8081");
        assert.deepEqual(
            byName("kinds")
                .filter((r) => r.id !== undefined)
                .map((r) => `${r.type} ${r.id}`)
                .sort(),
            ["kubernetes:argoproj.io/v1alpha1:Rollout shop/web", "kubernetes:batch/v1:CronJob ops/backup"],
        );
    });

    it("refuses, as it is declared, a second component of the same program listing a workload the first lists", async () => {
        const cart = { kind: "Deployment" as const, namespace: "shop", name: "cart" };
        new sb.SidecarBypass("first", { meshes: ["istio"], workloads: [cart] });
        const before = registered.length;
        assert.throws(
            () => new sb.SidecarBypass("second", { meshes: ["istio"], workloads: [cart, { ...cart, name: "orders" }] }),
            (e: Error) => {
                assert.match(
                    e.message,
                    /workloads: Deployment\/shop\/cart is already listed by the component 'first' of this program: one component per workload/,
                );
                assert.doesNotMatch(e.message, /orders/);
                return true;
            },
        );
        // The second component's own resource is registered before it plans; nothing under it is.
        assert.deepEqual(
            registered.slice(before).filter((r) => r.name.startsWith("second/")),
            [],
        );
        // Another stack is another program: the same workload is its own to list (the live check at preview guards that case).
        await settle();
        ownProgram();
        new sb.SidecarBypass("second", { meshes: ["istio"], workloads: [cart] });
        await settle();
    });

    it("emits no patch for a workload declared in the program", async () => {
        new sb.SidecarBypass("inprogram", {
            meshes: ["istio"],
            workloads: [{ kind: "Deployment", namespace: "shop", name: "cart", declaredInProgram: true, inbound: { excludePorts: [9000] } }],
        });
        await settle();
        assert.deepEqual(
            byName("inprogram")
                .map((r) => r.type)
                .sort(),
            ["kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:ConfigMapPatch", "sidecar-bypass:index:SidecarBypass"],
        );
    });
});

describe("bypassTransform", () => {
    const rules = {
        meshes: ["istio" as const, "kmesh" as const],
        namespaces: [{ name: "shop", inbound: { excludePorts: [9000] } }],
        workloads: [{ kind: "Deployment" as const, namespace: "shop", name: "cart", fullBypass: { enabled: true, acknowledged: true } }],
    };

    it("adds the planned annotations to a Deployment's pod template, keeping the others", async () => {
        const t = sb.bypassTransform(rules);
        const r = await t({
            type: "kubernetes:apps/v1:Deployment",
            name: "orders",
            custom: true,
            props: {
                metadata: { name: "orders", namespace: "shop" },
                spec: { replicas: 2, template: { metadata: { annotations: { keep: "me" }, labels: { app: "orders" } } } },
            },
            opts: {},
        });
        const tpl = (
            r!.props as { spec: { replicas: number; template: { metadata: { annotations: Record<string, string>; labels: Record<string, string> } } } }
        ).spec;
        assert.equal(tpl.replicas, 2);
        assert.equal(tpl.template.metadata.annotations.keep, "me");
        assert.equal(tpl.template.metadata.annotations["traffic.sidecar.istio.io/excludeInboundPorts"], "9000");
        assert.equal(tpl.template.metadata.labels.app, "orders");
    });

    it("applies a listed workload's own rules", async () => {
        const r = await sb.bypassTransform(rules)({
            type: "kubernetes:apps/v1:Deployment",
            name: "cart",
            custom: true,
            props: { metadata: { name: "cart", namespace: "shop" }, spec: {} },
            opts: {},
        });
        assert.equal(
            (r!.props as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels["kmesh.net/bypass"],
            "enabled",
        );
    });

    it("reaches a CronJob's job template and an Argo Rollout's template, keeping every other field", async () => {
        const t = sb.bypassTransform(rules);
        const cron = await t({
            type: "kubernetes:batch/v1:CronJob",
            name: "backup",
            custom: true,
            props: {
                metadata: { name: "backup", namespace: "shop" },
                spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { backoffLimit: 2, template: { metadata: { annotations: { keep: "me" } } } } } },
            },
            opts: {},
        });
        const job = (
            cron!.props as {
                spec: { schedule: string; jobTemplate: { spec: { backoffLimit: number; template: { metadata: { annotations: Record<string, string> } } } } };
            }
        ).spec;
        assert.equal(job.schedule, "*/5 * * * *");
        assert.equal(job.jobTemplate.spec.backoffLimit, 2);
        assert.equal(job.jobTemplate.spec.template.metadata.annotations.keep, "me");
        assert.equal(job.jobTemplate.spec.template.metadata.annotations["traffic.sidecar.istio.io/excludeInboundPorts"], "9000");
        const rollout = await t({
            type: "kubernetes:argoproj.io/v1alpha1:Rollout",
            name: "web",
            custom: true,
            props: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "web", namespace: "shop" }, spec: { strategy: { canary: {} } } },
            opts: {},
        });
        const spec = (rollout!.props as { spec: { strategy: unknown; template: { metadata: { annotations: Record<string, string> } } } }).spec;
        assert.deepEqual(spec.strategy, { canary: {} });
        assert.equal(spec.template.metadata.annotations["traffic.sidecar.istio.io/excludeInboundPorts"], "9000");
    });

    it("marks a bare Pod for replacement when its bypass keys change", async () => {
        const r = await sb.bypassTransform(rules)({
            type: "kubernetes:core/v1:Pod",
            name: "p",
            custom: true,
            props: { metadata: { namespace: "shop" } },
            opts: {},
        });
        assert.equal(
            (r!.props as { metadata: { annotations: Record<string, string> } }).metadata.annotations["traffic.sidecar.istio.io/excludeInboundPorts"],
            "9000",
        );
        assert.ok(r!.opts!.replaceOnChanges!.includes('metadata.annotations["traffic.sidecar.istio.io/excludeInboundPorts"]'));
    });

    it("leaves other resources alone and refuses Output rule values", async () => {
        assert.equal(await sb.bypassTransform(rules)({ type: "kubernetes:core/v1:Service", name: "s", custom: true, props: {}, opts: {} }), undefined);
        assert.throws(() => sb.bypassTransform({ meshes: ["istio"], global: { inbound: { excludePorts: pulumi.output([1]) } } }), /plain rule values/);
    });
});
