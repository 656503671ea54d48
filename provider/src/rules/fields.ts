// The rule fields every scope may set, described once so validation, resolution and rendering iterate over the
// same table instead of repeating themselves per field.

/** Where a field sits in a scope's rules: `inbound`, `outbound` or `interfaces`. */
export type FieldGroup = "inbound" | "outbound" | "interfaces";
export type FieldName = "excludePorts" | "includePorts" | "excludeIpRanges" | "includeIpRanges" | "excludeUids" | "exclude" | "rerouteVirtual";
export type FieldKey =
    | "inbound.excludePorts"
    | "inbound.includePorts"
    | "outbound.excludePorts"
    | "outbound.includePorts"
    | "outbound.excludeIpRanges"
    | "outbound.includeIpRanges"
    | "outbound.excludeUids"
    | "interfaces.exclude"
    | "interfaces.rerouteVirtual";

/** What a field's values are: ports, CIDRs, user-id rules or network interface names. */
export type FieldValues = "ports" | "cidrs" | "uids" | "names";

export interface FieldSpec {
    readonly key: FieldKey;
    readonly group: FieldGroup;
    readonly name: FieldName;
    readonly values: FieldValues;
    readonly exclude: boolean;
    /** The boolean field meaning "all" (Istio `*`), where the field has one. */
    readonly allFlag?: "includeAllPorts" | "includeAllIpRanges";
    /** The field of the same group and kind with the opposite sense, where there is one. */
    readonly opposite?: FieldKey;
}

export const FIELDS: readonly FieldSpec[] = [
    { key: "inbound.excludePorts", group: "inbound", name: "excludePorts", values: "ports", exclude: true, opposite: "inbound.includePorts" },
    {
        key: "inbound.includePorts",
        group: "inbound",
        name: "includePorts",
        values: "ports",
        exclude: false,
        allFlag: "includeAllPorts",
        opposite: "inbound.excludePorts",
    },
    { key: "outbound.excludePorts", group: "outbound", name: "excludePorts", values: "ports", exclude: true, opposite: "outbound.includePorts" },
    { key: "outbound.includePorts", group: "outbound", name: "includePorts", values: "ports", exclude: false, opposite: "outbound.excludePorts" },
    { key: "outbound.excludeIpRanges", group: "outbound", name: "excludeIpRanges", values: "cidrs", exclude: true, opposite: "outbound.includeIpRanges" },
    {
        key: "outbound.includeIpRanges",
        group: "outbound",
        name: "includeIpRanges",
        values: "cidrs",
        exclude: false,
        allFlag: "includeAllIpRanges",
        opposite: "outbound.excludeIpRanges",
    },
    { key: "outbound.excludeUids", group: "outbound", name: "excludeUids", values: "uids", exclude: true },
    { key: "interfaces.exclude", group: "interfaces", name: "exclude", values: "names", exclude: true, opposite: "interfaces.rerouteVirtual" },
    { key: "interfaces.rerouteVirtual", group: "interfaces", name: "rerouteVirtual", values: "names", exclude: false, opposite: "interfaces.exclude" },
];

/** How a field's values are joined when shown: `,`, except user-id rules, whose own text holds commas. */
export function valueSeparator(key: FieldKey): string {
    return key === "outbound.excludeUids" ? ";" : ",";
}
