// Linkerd: `config.linkerd.io/skip-*` annotations. Ports may be written as inclusive ranges, which keeps
// long lists short; an annotation replaces the Helm default (proxyInit.ignore*Ports).
//
// Checked against linkerd/linkerd2 b24cd40 (pkg/inject/inject.go ~600: the annotation overrides
// proxyInit.skipSubnets; charts/partials/templates/_proxy-init.tpl ~45: passed as --subnets-to-ignore) and
// linkerd2-proxy-init 183e791 (pkg/iptables/iptables.go ~225 and ~396: each subnet becomes
// `-A PROXY_INIT_REDIRECT -j RETURN -s <subnet>`, a *source* match on the *inbound* chain only).
// So `skip-subnets` cannot exclude outbound destinations; writing it for an outbound rule would let inbound
// traffic from those sources past the proxy (mTLS and policy) and leave the outbound traffic proxied.
import type { FieldKey } from "../rules/fields";
import { toPortRanges } from "../rules/ports";
import { joinValues } from "../rules/valueKinds";
import { type MeshAdapter, renderExcludeLists } from "./adapter";
import { readAnnotationTable } from "./readBack";

export const LINKERD_ANNOTATIONS: Partial<Record<FieldKey, string>> = {
    "inbound.excludePorts": "config.linkerd.io/skip-inbound-ports",
    "outbound.excludePorts": "config.linkerd.io/skip-outbound-ports",
};

const CANNOT: Partial<Record<FieldKey, string>> = {
    "outbound.excludeIpRanges":
        "Linkerd cannot exclude outbound destinations by address: its only address setting, config.linkerd.io/skip-subnets, " +
        "skips inbound traffic *from* those sources (proxy-init --subnets-to-ignore), which would open the pod to them past mTLS " +
        "and policy; outbound.excludeIpRanges is not applied for Linkerd (exclude the destination ports with outbound.excludePorts instead)",
    // linkerd2-proxy-init 183e791 (proxy-init/cmd/root.go flags, pkg/iptables/iptables.go ~188) matches a user only to
    // skip the proxy's own traffic (--proxy-uid, from config.linkerd.io/proxy-uid), and has no interface flag;
    // linkerd2 b24cd40 pkg/k8s/labels.go has no other annotation for either.
    "outbound.excludeUids":
        "Linkerd cannot exclude traffic by user id: proxy-init matches a user only to skip the proxy's own traffic (--proxy-uid, " +
        "config.linkerd.io/proxy-uid, which must stay the proxy's); outbound.excludeUids is not applied for Linkerd",
    "interfaces.exclude": "Linkerd's proxy-init has no interface setting; interfaces.exclude is not applied for Linkerd",
    "interfaces.rerouteVirtual": "Linkerd's proxy-init has no interface setting; interfaces.rerouteVirtual is not applied for Linkerd",
};

export const linkerd: MeshAdapter<undefined, "linkerd"> = {
    id: "linkerd",
    displayName: "Linkerd",
    sidecarPorts: new Map([
        [4140, "outbound proxy"],
        [4143, "inbound proxy"],
        [4190, "control"],
        [4191, "admin / metrics"],
    ]),
    annotationKeys: Object.values(LINKERD_ANNOTATIONS),
    labelKeys: [],
    readBack: (pod) => readAnnotationTable(LINKERD_ANNOTATIONS, pod, { portRanges: true }),
    render: ({ effective }) =>
        renderExcludeLists(
            "Linkerd",
            effective,
            LINKERD_ANNOTATIONS,
            (f) => (f.values.kind === "ports" ? toPortRanges(f.values.list).join(",") : joinValues(f.values)),
            (key) => `Linkerd reads an empty ${key} annotation as its Helm default, so an empty list cannot be expressed`,
            CANNOT,
        ),
};
