// Linkerd: `config.linkerd.io/skip-*` annotations. Ports may be written as inclusive ranges, which keeps
// long lists short; an annotation replaces the Helm default (proxyInit.ignore*Ports).
import type { FieldKey } from "../rules/fields";
import { toPortRanges } from "../rules/ports";
import { joinedValues } from "../plan/resolveScopes";
import { type MeshRenderer, renderExcludeLists } from "./adapter";

export const LINKERD_ANNOTATIONS: Partial<Record<FieldKey, string>> = {
    "inbound.excludePorts": "config.linkerd.io/skip-inbound-ports",
    "outbound.excludePorts": "config.linkerd.io/skip-outbound-ports",
    "outbound.excludeIpRanges": "config.linkerd.io/skip-subnets",
};

export const renderLinkerd: MeshRenderer = ({ effective }) =>
    renderExcludeLists(
        "Linkerd",
        effective,
        LINKERD_ANNOTATIONS,
        (f) => (f.ports.length > 0 ? toPortRanges(f.ports).join(",") : joinedValues(f)),
        (key) => `Linkerd reads an empty ${key} annotation as its Helm default, so an empty list cannot be expressed`,
    );
