// The edge of the drift check: at preview the live workload is read (a read of the cluster, as Istio's injector
// ConfigMap is read for its install defaults), and the workload's patch waits for the check. When another field
// manager has taken one of our fields, preview fails here, in our words, before the Kubernetes provider would fail on
// the server-side-apply conflict; with takeOwnership, preview says what will be taken back.
import { getVersion } from "@pulumi/kubernetes/utilities";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadKind } from "../args";
import { describeUnreplaced, type LiveRolloutSpec, templateChanges, unreplacedReason } from "../plan/podReplacement";
import { describeOtherComponents, describeTakenFields, type ManagedFieldsEntry, otherComponentManagers, takenFields } from "../plan/takenFields";
import { templateOf, WORKLOAD_KINDS } from "../rules/workloadKinds";
import { SKIP_AWAIT } from "./fieldManager";
import { refuse } from "./refusal";
import type { PodTemplateMetadata } from "./workloadPatch";

/** A live workload as the Kubernetes provider reads it: the parts the check looks at (absent parts read as none). */
class LiveWorkload extends pulumi.CustomResource {
    declare readonly metadata: pulumi.Output<{ managedFields?: ManagedFieldsEntry[] } | undefined>;
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
    resourceName: string,
    w: { id: string; kind: WorkloadKind; namespace: string; name: string },
    template: pulumi.Output<PodTemplateMetadata>,
    /** `replaces`: the component replaces the pods of this workload when it is OnDelete (rollout.replaceOnDeletePods). */
    settings: { fieldManager: string; takeOwnership: boolean; replaces: boolean },
    report: pulumi.Resource,
    opts: pulumi.CustomResourceOptions,
): LiveCheck {
    if (!pulumi.runtime.isDryRun()) return { gate: pulumi.output([]), unreplaced: pulumi.output(undefined) };
    const live = new LiveWorkload(resourceName, w, opts);
    const { fieldManager, takeOwnership } = settings;
    // The check's verdict is a value, not a rejection: only the gate fails with it, so the message reaches the user as
    // written, and the summary (which reads what the check says of the pods) never fails with it as well.
    const verdict = pulumi.all([template, live.metadata, live.spec]).apply(([planned, metadata, spec]): { refusal?: string; unreplaced?: string } => {
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

/** What the live check gives the component: the gate its patch waits for, and what preview says of its pods. */
export interface LiveCheck {
    readonly gate: pulumi.Output<pulumi.Resource[]>;
    /** At preview, when this change does not replace the running pods: a line for the summary. */
    readonly unreplaced: pulumi.Output<string | undefined>;
}
