// Consul (consul-k8s transparent proxy): `consul.hashicorp.com/transparent-proxy-exclude-*` annotations.
// Consul appends them to the exclusions it computes itself (probe ports, its own UID).
import type { FieldKey } from "../rules/fields";
import { joinedValues } from "../plan/resolveScopes";
import { type MeshRenderer, renderExcludeLists } from "./adapter";

export const CONSUL_ANNOTATIONS: Partial<Record<FieldKey, string>> = {
    "inbound.excludePorts": "consul.hashicorp.com/transparent-proxy-exclude-inbound-ports",
    "outbound.excludePorts": "consul.hashicorp.com/transparent-proxy-exclude-outbound-ports",
    "outbound.excludeIpRanges": "consul.hashicorp.com/transparent-proxy-exclude-outbound-cidrs",
};

export const renderConsul: MeshRenderer = ({ effective }) =>
    renderExcludeLists("Consul", effective, CONSUL_ANNOTATIONS, joinedValues,
    );
