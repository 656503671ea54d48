// The public arguments of SidecarBypass. Hand-written interfaces (not z.infer) because Pulumi's schema
// inference rejects unions, inline object types, tuples and readonly arrays; `rules/schema.ts` keeps the zod
// schema in step with these at compile time.
import type * as pulumi from "@pulumi/pulumi";

/** The service meshes whose formats the component writes. ASM and DCE 5.0 are Istio underneath. */
export const Mesh = {
    Istio: "istio",
    Kuma: "kuma",
    Kmesh: "kmesh",
    Linkerd: "linkerd",
    Consul: "consul",
} as const;
export type Mesh = (typeof Mesh)[keyof typeof Mesh];

/** The workload kinds whose pod template the component patches. */
export const WorkloadKind = {
    Deployment: "Deployment",
    StatefulSet: "StatefulSet",
    DaemonSet: "DaemonSet",
    /** `batch/v1`; its pod template is `spec.jobTemplate.spec.template`, so a change reaches the next Job it starts. */
    CronJob: "CronJob",
    /** Argo Rollouts' `argoproj.io/v1alpha1` Rollout (its CRD must be installed); its controller rolls on a template change. */
    Rollout: "Rollout",
} as const;
export type WorkloadKind = (typeof WorkloadKind)[keyof typeof WorkloadKind];

/** Cloud providers whose instance-metadata endpoints have a preset (see `excludeCloudMetadata`). */
export const CloudMetadata = {
    /** 169.254.169.254/32, fd00:ec2::254/128 (EC2 instance metadata). */
    Aws: "aws",
    /** 169.254.169.254/32, fd20:ce::254/128 (the Compute Engine metadata server). */
    Gcp: "gcp",
    /** 169.254.169.254/32 (Instance Metadata Service), 168.63.129.16/32 (WireServer). */
    Azure: "azure",
} as const;
export type CloudMetadata = (typeof CloudMetadata)[keyof typeof CloudMetadata];

/** The transport protocol a user-id exclusion applies to (both when unset). */
export const UidProtocol = {
    Tcp: "tcp",
    Udp: "udp",
} as const;
export type UidProtocol = (typeof UidProtocol)[keyof typeof UidProtocol];

/** How a field set at this scope combines with the value it would otherwise inherit. */
export const Inherit = {
    /** The most specific scope that sets the field wins (ASM's model; what an Istio annotation does). */
    Override: "override",
    /** Union with the inherited value (for the global scope: with the mesh install's defaults). */
    Merge: "merge",
} as const;
export type Inherit = (typeof Inherit)[keyof typeof Inherit];

/** Kuma MeshPassthrough mode. */
export const PassthroughMode = {
    All: "All",
    Matched: "Matched",
    None: "None",
} as const;
export type PassthroughMode = (typeof PassthroughMode)[keyof typeof PassthroughMode];

/** Kuma MeshPassthrough destination type. */
export const DestinationType = {
    Domain: "Domain",
    IP: "IP",
    CIDR: "CIDR",
} as const;
export type DestinationType = (typeof DestinationType)[keyof typeof DestinationType];

/** Kuma MeshPassthrough destination protocol. */
export const DestinationProtocol = {
    Tcp: "tcp",
    Tls: "tls",
    Grpc: "grpc",
    Http: "http",
    Http2: "http2",
} as const;
export type DestinationProtocol = (typeof DestinationProtocol)[keyof typeof DestinationProtocol];

/** Per-field inheritance for inbound rules; unset fields use the direction's `inherit`. */
export interface InboundInherit {
    excludePorts?: Inherit;
    includePorts?: Inherit;
    excludeIpRanges?: Inherit;
}

/** Per-field inheritance for outbound rules; unset fields use the direction's `inherit`. */
export interface OutboundInherit {
    excludePorts?: Inherit;
    includePorts?: Inherit;
    excludeIpRanges?: Inherit;
    includeIpRanges?: Inherit;
    excludeUids?: Inherit;
}

/** Per-field inheritance for interface rules; unset fields use the group's `inherit`. */
export interface InterfacesInherit {
    exclude?: Inherit;
    rerouteVirtual?: Inherit;
}

/** Explicit consent for rules that would otherwise be refused as dangerous. */
export interface Acknowledge {
    /** Allow excluding ports the sidecar itself listens on (Istio 15001, 15006, 15008, 15020, 15021, 15090, ...). */
    sidecarPorts?: boolean;
    /** Allow excluding every address (`0.0.0.0/0` or `::/0`, also when ranges aggregate to it). */
    allAddresses?: boolean;
    /** Allow excluding user id 0 (`outbound.excludeUids`): every process running as root would skip the sidecar. */
    rootUser?: boolean;
}

/** Traffic arriving at the pod. */
export interface InboundRules {
    /** Ports whose inbound traffic skips the sidecar (1-65535). */
    excludePorts?: pulumi.Input<pulumi.Input<number>[]>;
    /** Only these ports are captured inbound. */
    includePorts?: pulumi.Input<pulumi.Input<number>[]>;
    /** Capture every inbound port (Istio `*`). Cannot be combined with `includePorts`. */
    includeAllPorts?: pulumi.Input<boolean>;
    /**
     * Source CIDRs (IPv4 or IPv6; a bare IP means /32 or /128) whose inbound traffic skips the sidecar, e.g. a node-local
     * health checker or a scraper outside the mesh (Kuma `exclude-inbound-ips`).
     */
    excludeIpRanges?: pulumi.Input<pulumi.Input<string>[]>;
    /** Inheritance of every field in this direction; default override. */
    inherit?: Inherit;
    /** Inheritance per field, overriding `inherit`. */
    inheritFields?: InboundInherit;
    acknowledge?: Acknowledge;
}

/**
 * Outbound traffic of processes running as these user ids skips the sidecar: for init containers and agents that must
 * reach the network before the proxy runs (Kuma `exclude-outbound-ports-for-uids`, Consul `transparent-proxy-exclude-uids`).
 */
export interface UidExclusion {
    /** User ids (the `runAsUser` of the container), 0-4294967294; consecutive ids are written as a range. */
    uids: number[];
    /** Destination ports (1-65535); every port when unset. Consul can exclude a user id only for every port. */
    ports?: number[];
    /** `tcp` or `udp`; both when unset. */
    protocol?: UidProtocol;
}

/** Traffic leaving the pod. */
export interface OutboundRules {
    /** Destination ports that skip the sidecar. */
    excludePorts?: pulumi.Input<pulumi.Input<number>[]>;
    /** Destination ports captured regardless of address (Istio `includeOutboundPorts`). */
    includePorts?: pulumi.Input<pulumi.Input<number>[]>;
    /** Destination CIDRs (IPv4 or IPv6; a bare IP means /32 or /128) that skip the sidecar. */
    excludeIpRanges?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Cloud metadata endpoints that skip the sidecar, added to `excludeIpRanges` at this scope (so they follow its
     * inheritance): e.g. `["aws"]` for 169.254.169.254/32 and fd00:ec2::254/128.
     */
    excludeCloudMetadata?: CloudMetadata[];
    /** Only these destination CIDRs are captured. */
    includeIpRanges?: pulumi.Input<pulumi.Input<string>[]>;
    /** Capture every destination (Istio `*`). Cannot be combined with `includeIpRanges`. */
    includeAllIpRanges?: pulumi.Input<boolean>;
    /** Outbound traffic of these user ids (optionally only to some ports) that skips the sidecar. */
    excludeUids?: pulumi.Input<pulumi.Input<UidExclusion>[]>;
    /** Inheritance of every field in this direction; default override. */
    inherit?: Inherit;
    /** Inheritance per field, overriding `inherit`. */
    inheritFields?: OutboundInherit;
    acknowledge?: Acknowledge;
}

/** Explicit consent for interface rules that would otherwise be refused as dangerous. */
export interface InterfaceAcknowledge {
    /** Allow naming `eth0`, the pod's primary interface under most CNIs: nearly all of the pod's traffic uses it. */
    primaryInterface?: boolean;
}

/** Network interfaces of the pod (Istio's sidecar capture, both directions). */
export interface InterfaceRules {
    /**
     * Interfaces whose traffic, in and out, skips the sidecar (Istio `excludeInterfaces`), e.g. a Multus `net1`. Linux
     * names as Istio accepts them: at most 15 characters, a letter first, then letters, digits, `_`, `.` or `-`.
     */
    exclude?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Virtual interfaces (KubeVirt, a VM or docker-in-docker inside the pod) whose inbound traffic is captured as outbound
     * traffic (Istio `istio.io/reroute-virtual-interfaces`, which replaced `traffic.sidecar.istio.io/kubevirtInterfaces`).
     */
    rerouteVirtual?: pulumi.Input<pulumi.Input<string>[]>;
    /** Inheritance of every interface field; default override. */
    inherit?: Inherit;
    /** Inheritance per field, overriding `inherit`. */
    inheritFields?: InterfacesInherit;
    acknowledge?: InterfaceAcknowledge;
}

/** Take the whole pod out of the mesh (Kmesh-style), for troubleshooting. */
export interface FullBypass {
    /** `false` at a more specific scope cancels a bypass set above it. */
    enabled: boolean;
    /** Must be true when enabled: traffic skips mTLS and policy entirely. */
    acknowledged?: boolean;
    /** Why; recorded in the namespace ConfigMap and the summary. */
    reason?: string;
    /** RFC 3339 time after which the bypass is reported as expired and no longer applied. */
    expires?: string;
}

/** One non-mesh destination a Kuma MeshPassthrough allows. */
export interface PassthroughDestination {
    type: DestinationType;
    value: string;
    port?: number;
    /** Default tcp. */
    protocol?: DestinationProtocol;
}

/** Kuma MeshPassthrough for this scope: which non-mesh destinations proxies may reach. */
export interface Passthrough {
    mode: PassthroughMode;
    destinations?: PassthroughDestination[];
}

/** Rules every scope may set. */
export interface ScopeRules {
    inbound?: InboundRules;
    outbound?: OutboundRules;
    interfaces?: InterfaceRules;
    fullBypass?: FullBypass;
    /** Kuma only: a MeshPassthrough policy for this scope. */
    passthrough?: Passthrough;
}

/** Rules for every managed workload in one namespace. */
export interface NamespaceRules extends ScopeRules {
    name: string;
}

/** Rules for one workload, and the list of workloads the component manages. */
export interface WorkloadRules extends ScopeRules {
    kind: WorkloadKind;
    namespace: string;
    name: string;
    /**
     * The workload is declared in this same Pulumi program and gets its annotations from `bypassTransform`,
     * so no patch is emitted for it.
     */
    declaredInProgram?: boolean;
    /** For a StatefulSet or DaemonSet: `rollout.replaceOnDeletePods` for this workload alone. */
    replaceOnDeletePods?: boolean;
}

/** The values the Istio install uses when a pod has no annotation (`global.proxy.*` Helm values). */
export interface IstioInstallDefaults {
    includeIPRanges?: string;
    excludeIPRanges?: string;
    includeInboundPorts?: string;
    excludeInboundPorts?: string;
    includeOutboundPorts?: string;
    excludeOutboundPorts?: string;
    /** Status port, appended to the inbound excludes by the injector; default 15020. */
    statusPort?: number;
}

/** Where the cluster's injector ConfigMap lives. */
export interface IstioInjectorRef {
    /** Default `istio-system`. */
    namespace?: string;
    /** Default `istio-sidecar-injector` (`istio-sidecar-injector-<revision>` for a revision). */
    name?: string;
}

/** How Istio runs the managed workloads' data plane. */
export const IstioDataplaneMode = {
    /** A sidecar per pod (the default): traffic.sidecar.istio.io annotations decide what it captures. */
    Sidecar: "sidecar",
    /** Ambient mode (Istio 1.22+): no sidecar; a pod leaves the mesh with the istio.io/dataplane-mode: none label. */
    Ambient: "ambient",
} as const;
export type IstioDataplaneMode = (typeof IstioDataplaneMode)[keyof typeof IstioDataplaneMode];

export interface IstioOptions {
    /**
     * `sidecar` (default) or `ambient`. In ambient mode a full bypass is written as the `istio.io/dataplane-mode: none`
     * pod label, and port and range rules, which ambient does not read, are reported at preview instead of written.
     */
    dataplaneMode?: IstioDataplaneMode;
    /** The install's defaults, so merged lists stay complete (an Istio annotation replaces the default). */
    installDefaults?: pulumi.Input<IstioInstallDefaults>;
    /** Read the install's defaults from the cluster's injector ConfigMap at preview instead. */
    readInstallDefaults?: IstioInjectorRef;
}

/** Kuma passthrough cluster limits and timeouts, applied with a MeshProxyPatch. */
export interface KumaPassthroughCluster {
    maxConnections?: number;
    maxPendingRequests?: number;
    maxRequests?: number;
    maxRetries?: number;
    /** Envoy duration, e.g. `10s`. */
    connectTimeout?: string;
    /** Envoy duration, e.g. `1h`. */
    tcpIdleTimeout?: string;
}

export interface KumaOptions {
    /** The Mesh the policies belong to; default `default`. */
    mesh?: string;
    /** Kuma's system namespace (Kong Mesh: `kong-mesh-system`); default `kuma-system`. */
    systemNamespace?: string;
    /**
     * The Kuma (or Kong Mesh) version the mesh runs, e.g. `2.14` or `3.0`; default `2.14`, the current 2.x line. It
     * decides how `passthrough` is written: Kuma 2.x patches the Mesh, Kuma 3.x (which dropped the Mesh's switch and
     * defaults MeshPassthrough to None) gets a mesh-wide MeshPassthrough.
     */
    version?: string;
    /** Let proxies reach destinations outside the mesh: the Mesh's passthrough switch on 2.x, a mesh-wide MeshPassthrough on 3.x. */
    passthrough?: boolean;
    /** Tune the passthrough cluster with a MeshProxyPatch. */
    passthroughCluster?: KumaPassthroughCluster;
}

/** How `pulumi up` treats the rollout that a pod-template patch starts. */
export interface Rollout {
    /**
     * Wait for each patched workload's rollout to finish, and fail `up` naming the workload when it does not
     * become ready in time; default true. With false, `up` finishes as soon as the patches are applied.
     */
    wait?: boolean;
    /** How long to wait for one workload's rollout, in seconds (1-86400); default 600. */
    timeoutSeconds?: number;
    /**
     * Replace, during `up`, the running pods of listed StatefulSets and DaemonSets whose `updateStrategy` is OnDelete
     * (their controller replaces a pod only when it is deleted): each pod whose template a change reached is evicted
     * through the eviction API (PodDisruptionBudgets respected), one at a time, and its ready replacement awaited,
     * within `timeoutSeconds` per workload. Preview names the pods. Default false; a workload's own setting wins. It
     * reaches the cluster with the kubeconfig found the way kubectl finds it (KUBECONFIG, else ~/.kube/config).
     */
    replaceOnDeletePods?: boolean;
}

/** How a scope's rules reach the pods of workloads that are not listed in `workloads`. */
export const AdmissionMode = {
    /** A MutatingAdmissionPolicy per scope (`admissionregistration.k8s.io/v1`, GA and on by default in Kubernetes 1.36). */
    V1: "v1",
    /** The same as `v1beta1`, for Kubernetes 1.34 and 1.35 with the MutatingAdmissionPolicy feature gate and runtime-config on. */
    V1beta1: "v1beta1",
    /** No admission policy: scope rules reach only the listed workloads (and those given to bypassTransform). */
    Off: "off",
} as const;
export type AdmissionMode = (typeof AdmissionMode)[keyof typeof AdmissionMode];

/**
 * Scope rules at admission: every new pod in a scope gets the annotations and labels of that scope's rules that it
 * does not already carry (a key the pod carries wins, as ASM's levels have it). Pods of patched workloads are left
 * as their template has them; running pods keep their rules until they are re-created.
 */
export interface Admission {
    /**
     * `v1` (Kubernetes 1.36+), `v1beta1` (1.34/1.35 with the feature gate and runtime-config on) or `off` (only listed
     * workloads get rules); default `v1`.
     * @default "v1"
     */
    mode?: AdmissionMode;
    /**
     * Namespaces, besides those in `namespaces`, whose new pods get the global rules. System namespaces (kube-*, the
     * meshes' own) are reached only when named here.
     * @default []
     */
    globalNamespaces?: string[];
    /**
     * Namespace labels (all must match) that select more namespaces for the global rules; system namespaces are never
     * selected this way.
     * @default {} (none: only `globalNamespaces`)
     */
    globalNamespaceLabels?: Record<string, string>;
}

/** Arguments of SidecarBypass. */
export interface SidecarBypassArgs {
    /** Which meshes to write rules for. */
    meshes: Mesh[];
    /** Rules for every managed workload. */
    global?: ScopeRules;
    /** Rules per namespace. */
    namespaces?: NamespaceRules[];
    /** The workloads the component manages, with their own rules. */
    workloads?: WorkloadRules[];
    istio?: IstioOptions;
    kuma?: KumaOptions;
    /** Put a hash of the rendered bypass settings on the pod template; default true. */
    rolloutHash?: boolean;
    /** Whether and how long `pulumi up` waits for the rollouts it starts. */
    rollout?: Rollout;
    /**
     * Take back the fields this component declares when another field manager has taken them (someone ran
     * `kubectl patch` on one of our annotations): server-side apply with force. Off by default, so such a conflict
     * fails preview, naming the other manager and the field, and nothing is overwritten without consent.
     */
    takeOwnership?: boolean;
    /** How scope rules reach pods of workloads not listed in `workloads`: at admission, by default. */
    admission?: Admission;
}
