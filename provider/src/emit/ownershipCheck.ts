// The edge of the drift check: at preview the live workload is read, and the workload's patch waits for the check. When
// another field manager has taken one of our fields, preview fails here, in our words, before the Kubernetes provider
// would fail on the server-side-apply conflict; with takeOwnership, preview says what will be taken back.
import { getVersion } from "@pulumi/kubernetes/utilities";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadKind } from "../args";
import type { LiveWorkloadState, WorkloadRef } from "../live/workloadReads";
import { describeUnreplaced, type LiveRolloutSpec, templateChanges, unreplacedReason } from "../plan/podReplacement";
import { describeOtherComponents, describeTakenFields, type ManagedFieldsEntry, otherComponentManagers, takenFields } from "../plan/takenFields";
import { templateOf, WORKLOAD_KINDS } from "../rules/workloadKinds";
import { SKIP_AWAIT } from "./fieldManager";
import { refuse } from "./refusal";
import type { PodTemplateMetadata } from "./workloadPatch";

/** A live workload as the Kubernetes provider reads it: the parts the check looks at (absent parts read as none). */
class LiveWorkload extends pulumi.CustomResource {
    declare readonly metadata: pulumi.Output<{ uid?: string; managedFields?: ManagedFieldsEntry[] } | undefined>;
    /** The pod template sits where the kind keeps it (templateOf); the rest is what decides whether pods are replaced. */
    declare readonly spec: pulumi.Output<(Record<string, unknown> & LiveRolloutSpec) | undefined>;

    constructor(name: string, w: { kind: WorkloadKind; namespace: string; name: string }, opts: pulumi.CustomResourceOptions) {
        // The read carries the object's identity, so the provider reads it as an object it knows: a GET, with skipAwait
        // reporting it as it is rather than awaiting its rollout. A bare `.get()` (no identity) makes the provider
        // (4.34) parse its whole package schema on every read, about 60 ms of CPU per workload, for inputs never used.
        const { apiVersion } = WORKLOAD_KINDS[w.kind];
        const identity = { apiVersion, kind: w.kind, metadata: { name: w.name, namespace: w.namespace, annotations: SKIP_AWAIT } };
        // The version the package's own classes ask for, so the read goes to the same provider as the patches.
        const read = pulumi.mergeOptions({ version: getVersion() }, { ...opts, id: `${w.namespace}/${w.name}` });
        super(`kubernetes:${apiVersion}:${w.kind}`, name, { ...identity, spec: undefined }, read);
    }
}

const engineRead = (name: string, w: WorkloadRef, opts: pulumi.CustomResourceOptions): pulumi.Output<LiveWorkloadState | undefined> => {
    const live = new LiveWorkload(name, w, opts);
    return pulumi.all([live.metadata, live.spec]).apply(([metadata, spec]): LiveWorkloadState => ({ metadata, spec }));
};

/** Where the drift check gets each listed workload's live state at preview. */
export interface LiveReads {
    /** The workload's live state (undefined: the cluster has no such workload); `name` and `opts` make its engine read. */
    of(w: WorkloadRef, name: string, opts: pulumi.CustomResourceOptions): pulumi.Output<LiveWorkloadState | undefined>;
}

/**
 * The live workloads at preview, read through the Kubernetes client (the kubeconfig kubectl would use) when it reaches
 * the provider's cluster: a request per namespace and kind rather than an engine step per workload, the most of a
 * preview's time at 500 workloads. Whether it does is told by a witness, the first workload the client found, read
 * through the engine as well: the same object has the same uid. Otherwise (another cluster, none, no access) each
 * workload is read through the engine, as the provider sees it, and preview says why in one line.
 */
export function liveReads(workloads: readonly WorkloadRef[], report: pulumi.Resource): LiveReads {
    if (!pulumi.runtime.isDryRun() || workloads.length < 2) return { of: (w, name, opts) => engineRead(name, w, opts) };
    const asked = new Map<string, { name: string; opts: pulumi.CustomResourceOptions }>();
    const engineReads = new Map<string, pulumi.Output<LiveWorkloadState | undefined>>();
    const throughEngine = (w: WorkloadRef) => {
        const { name, opts } = asked.get(w.id) ?? { name: w.id, opts: {} };
        const made = engineReads.get(w.id) ?? engineRead(name, w, opts);
        engineReads.set(w.id, made);
        return made;
    };
    const read = readThroughClient(workloads);
    const fallBack = (why: string) => {
        pulumi.log.info(`the drift check reads each listed workload through the Kubernetes provider, one engine step each: ${why}`, report);
        return pulumi.output(false);
    };
    // Whether the client's reads are the provider's cluster. Decided once every workload has been asked for (the
    // component asks for all of them as it is constructed), so the witness's engine read has its name and options.
    const agreed = pulumi
        .output(
            read.then((r) => {
                if ("error" in r) return r;
                const witness = workloads.find((w) => r.states.get(w.id));
                return { server: r.server, witness, uid: witness && r.states.get(witness.id)?.metadata?.uid };
            }),
        )
        .apply((r): pulumi.Output<boolean> => {
            if ("error" in r) return fallBack(`the Kubernetes client (the kubeconfig kubectl would use) could not read them: ${r.error}`);
            const { witness, server, uid } = r;
            if (!witness) return fallBack(`the kubeconfig kubectl would use (${server}) finds none of them`);
            return throughEngine(witness).apply((state) =>
                state?.metadata?.uid === uid
                    ? pulumi.output(true)
                    : fallBack(`the kubeconfig kubectl would use reaches another cluster (${server}) than the Kubernetes provider`),
            );
        });
    return {
        of(w, name, opts) {
            asked.set(w.id, { name, opts });
            return agreed.apply((ok) => (ok ? pulumi.output(read.then((r) => ("states" in r ? r.states.get(w.id) : undefined))) : throughEngine(w)));
        },
    };
}

type ClientRead = { states: ReadonlyMap<string, LiveWorkloadState | undefined>; server: string } | { error: string };

/** The Kubernetes client loads only here (about half a second), and its reads overlap the engine's work. */
async function readThroughClient(workloads: readonly WorkloadRef[]): Promise<ClientRead> {
    try {
        const [{ clients }, { readWorkloads }] = await Promise.all([import("../live/clients"), import("../live/workloadReads")]);
        const c = clients();
        return { states: await readWorkloads(c, workloads), server: c.server };
    } catch (e) {
        return { error: e instanceof Error ? e.message.split("\n")[0] : String(e) };
    }
}

/**
 * What one workload's patch waits for (its `dependsOn`, the check's `gate`): at preview, the live workload's check. It resolves to no
 * resource when no other manager holds one of our fields with another value, or when `takeOwnership` takes them back
 * (preview then says what it takes). Otherwise it fails with our message, so the patch is never sent.
 * Through `dependsOn` rather than the patch's values, the error reaches the user as written (a failing input value is
 * reported as "error serializing property ..."), and the patch depends on nothing but its own read.
 *
 * Only at preview (`pulumi preview`, and the preview `pulumi up` shows before it asks): a read is a resource the engine
 * keeps in the stack's state, the whole live object, and at 500 workloads that made up 2.6 times and destroy 2.5 times
 * slower. An update run without its preview (`--skip-preview`, the Automation API) is still stopped by the API
 * server's conflict, in the provider's words, with nothing of that workload's patch written.
 */
export function ownershipGate(
    reads: LiveReads,
    resourceName: string,
    w: WorkloadRef,
    template: pulumi.Output<PodTemplateMetadata>,
    /** `replaces`: the component replaces the pods of this workload when it is OnDelete (rollout.replaceOnDeletePods). */
    settings: { fieldManager: string; takeOwnership: boolean; replaces: boolean },
    report: pulumi.Resource,
    opts: pulumi.CustomResourceOptions,
): LiveCheck {
    if (!pulumi.runtime.isDryRun()) return { gate: pulumi.output([]), unreplaced: pulumi.output(undefined) };
    const live = reads.of(w, resourceName, opts);
    const { fieldManager, takeOwnership } = settings;
    // The check's verdict is a value, not a rejection: only the gate fails with it, so the message reaches the user as
    // written, and the summary (which reads what the check says of the pods) never fails with it as well.
    const verdict = pulumi.all([template, live]).apply(([planned, found]): { refusal?: string; unreplaced?: string } => {
        if (!found) return { refusal: notFound(w) };
        const metadata = found.metadata as { managedFields?: ManagedFieldsEntry[] } | undefined;
        const spec = found.spec as (Record<string, unknown> & LiveRolloutSpec) | undefined;
        const liveTemplate = ((templateOf(w.kind, { spec }) as { metadata?: Partial<PodTemplateMetadata> } | undefined)?.metadata ??
            {}) as Partial<PodTemplateMetadata>;
        const state = {
            managedFields: metadata?.managedFields,
            templateAnnotations: liveTemplate.annotations,
            templateLabels: liveTemplate.labels,
            templatePath: WORKLOAD_KINDS[w.kind].templatePath,
        };
        // Another component's workload is refused whatever takeOwnership says: forcing would start a tug of war.
        const others = otherComponentManagers(state, fieldManager);
        if (others.length > 0) return { refusal: describeOtherComponents(w.id, others) };
        const taken = takenFields(state, planned, fieldManager);
        if (taken.length > 0 && !takeOwnership) return { refusal: describeTakenFields(w.id, taken, false) };
        if (taken.length > 0) pulumi.log.info(describeTakenFields(w.id, taken, true), report);
        const reason = unreplacedReason(w.kind, spec);
        if (!reason || (settings.replaces && spec?.updateStrategy?.type === "OnDelete") || !templateChanges(planned, liveTemplate)) return {};
        pulumi.log.warn(describeUnreplaced(w.id, reason), report);
        const why = spec?.updateStrategy?.type === "OnDelete" ? "its updateStrategy is OnDelete" : "it is paused";
        return { unreplaced: `${w.id}: this change does not replace its running pods (${why}); they keep their old rules until re-created` };
    });
    return {
        gate: verdict.apply((v) => (v.refusal === undefined ? [] : refuse(v.refusal, report))),
        unreplaced: verdict.apply((v) => v.unreplaced),
    };
}

const notFound = (w: WorkloadRef) =>
    `${w.id}: the cluster has no ${w.kind} ${w.name} in namespace ${w.namespace}; create it first, or remove it from workloads. Nothing was written.`;

/** What the live check gives the component: the gate its patch waits for, and what preview says of its pods. */
export interface LiveCheck {
    readonly gate: pulumi.Output<pulumi.Resource[]>;
    /** At preview, when this change does not replace the running pods: a line for the summary. */
    readonly unreplaced: pulumi.Output<string | undefined>;
}
