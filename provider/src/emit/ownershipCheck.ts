// The edge of the drift check: at preview the live workload is read, and the workload's patch waits for the check. When
// another field manager has taken one of our fields, preview fails here, in our words, before the Kubernetes provider
// would fail on the server-side-apply conflict; with takeOwnership, preview says what will be taken back.
import { getVersion } from "@pulumi/kubernetes/utilities";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadKind } from "../args";
import { type LiveWorkloadState, readOnWorker, type WorkloadRef } from "../live/workloadReads";
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

/** A listed workload as the drift check takes it. */
export interface CheckedWorkload extends WorkloadRef {
    /** The name of its read through the engine, when it is read that way. */
    readonly readName: string;
    /** The component replaces the pods of this workload when it is OnDelete (rollout.replaceOnDeletePods). */
    readonly replaces: boolean;
}

/** What the drift check gives the component. */
export interface DriftCheck {
    /**
     * What one workload's patch waits for (its `dependsOn`): at preview, the check's verdict on the live workload. It
     * resolves to no resource when no other manager holds one of our fields with another value, or when
     * `takeOwnership` takes them back (preview then says what it takes). Otherwise it fails with our message, so the
     * patch is never sent. Through `dependsOn` rather than the patch's values, the error reaches the user as written
     * (a failing input value is reported as "error serializing property ...").
     */
    gate(workloadId: string): pulumi.Input<pulumi.Resource[]>;
    /** At preview, a line for the summary per workload whose running pods this change does not replace. */
    readonly unreplaced: pulumi.Output<string[]>;
}

/** A verdict on one workload: why its patch is refused, or what preview says of its pods. */
interface Verdict {
    readonly refusal?: string;
    readonly unreplaced?: string;
}

type LiveStates = ReadonlyMap<string, LiveWorkloadState | undefined>;

/**
 * The drift check, at preview only: a read is a resource the engine keeps in the stack's state, the whole live object,
 * and at 500 workloads that made up 2.6 times and destroy 2.5 times slower. An update run without its preview
 * (`--skip-preview`, the Automation API) is still stopped by the API server's conflict, in the provider's words, with
 * nothing of that workload's patch written.
 *
 * The verdicts are made together, in one step once every live state is in: at 500 workloads, a chain of Outputs per
 * workload held the program's one thread for about a second while the engine waited for its patches.
 */
export function driftCheck(
    workloads: readonly CheckedWorkload[],
    /** Each workload's planned pod-template metadata, by id. */
    templates: pulumi.Output<(workloadId: string) => PodTemplateMetadata>,
    settings: { fieldManager: string; takeOwnership: boolean },
    report: pulumi.Resource,
    readOpts: pulumi.CustomResourceOptions,
): DriftCheck {
    if (!pulumi.runtime.isDryRun() || workloads.length === 0) return { gate: () => [], unreplaced: pulumi.output([]) };
    // Nested applies, never pulumi.all: `all` walks its values as records, and a Map has no own keys to walk.
    const verdicts = templates.apply((planned) =>
        liveStates(workloads, report, readOpts).apply(
            (live) => new Map(workloads.map((w) => [w.id, verdictOf(w, planned(w.id), live.get(w.id), settings, report)])),
        ),
    );
    return {
        gate: (id) =>
            verdicts.apply((v) => {
                const refusal = v.get(id)?.refusal;
                return refusal === undefined ? [] : refuse(refusal, report);
            }),
        unreplaced: verdicts.apply((v) => [...v.values()].flatMap((x) => (x.unreplaced === undefined ? [] : [x.unreplaced]))),
    };
}

/**
 * The live workloads, read through the Kubernetes client (the kubeconfig kubectl would use, on a worker thread) when it
 * reaches the provider's cluster: a request per namespace and kind rather than an engine step per workload, the most of
 * a preview's time at 500 workloads. Whether it does is told by a witness, the first workload the client found, read
 * through the engine as well: the same object has the same uid. Otherwise (another cluster, none, no access) each
 * workload is read through the engine, as the provider sees it, and preview says why in one line.
 */
function liveStates(workloads: readonly CheckedWorkload[], report: pulumi.Resource, opts: pulumi.CustomResourceOptions): pulumi.Output<LiveStates> {
    const engineReads = new Map<string, pulumi.Output<LiveWorkloadState | undefined>>();
    const throughEngine = (w: CheckedWorkload) => {
        const made = engineReads.get(w.id) ?? engineRead(w.readName, w, opts);
        engineReads.set(w.id, made);
        return made;
    };
    const allThroughEngine = () => pulumi.all(workloads.map(throughEngine)).apply((states): LiveStates => new Map(workloads.map((w, i) => [w.id, states[i]])));
    if (workloads.length < 2) return allThroughEngine();
    const read = readOnWorker(workloads.map(({ id, kind, namespace, name }) => ({ id, kind, namespace, name })));
    // Handed over by an apply, never walked by pulumi.output (a Map is no record).
    const states = read.then((r): LiveStates => ("states" in r ? r.states : new Map()));
    const fallBack = (why: string) => {
        pulumi.log.info(`the drift check reads each listed workload through the Kubernetes provider, one engine step each: ${why}`, report);
        return allThroughEngine();
    };
    const found = pulumi.output(
        read.then((r) => {
            if ("error" in r) return r;
            const witness = workloads.find((w) => r.states.get(w.id));
            return { server: r.server, witness, uid: witness && r.states.get(witness.id)?.metadata?.uid };
        }),
    );
    return found.apply((r): pulumi.Output<LiveStates> => {
        if ("error" in r) return fallBack(`the Kubernetes client (the kubeconfig kubectl would use) could not read them: ${r.error}`);
        const { witness, server, uid } = r;
        if (!witness) return fallBack(`the kubeconfig kubectl would use (${server}) finds none of them`);
        return throughEngine(witness).apply((state) =>
            state?.metadata?.uid === uid
                ? pulumi.output(true).apply(() => states)
                : fallBack(`the kubeconfig kubectl would use reaches another cluster (${server}) than the Kubernetes provider`),
        );
    });
}

function verdictOf(
    w: CheckedWorkload,
    planned: PodTemplateMetadata,
    found: LiveWorkloadState | undefined,
    settings: { fieldManager: string; takeOwnership: boolean },
    report: pulumi.Resource,
): Verdict {
    if (!found) return { refusal: notFound(w) };
    const { fieldManager, takeOwnership } = settings;
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
    if (!reason || (w.replaces && spec?.updateStrategy?.type === "OnDelete") || !templateChanges(planned, liveTemplate)) return {};
    pulumi.log.warn(describeUnreplaced(w.id, reason), report);
    const why = spec?.updateStrategy?.type === "OnDelete" ? "its updateStrategy is OnDelete" : "it is paused";
    return { unreplaced: `${w.id}: this change does not replace its running pods (${why}); they keep their old rules until re-created` };
}

const notFound = (w: WorkloadRef) =>
    `${w.id}: the cluster has no ${w.kind} ${w.name} in namespace ${w.namespace}; create it first, or remove it from workloads. Nothing was written.`;
