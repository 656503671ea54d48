// The rule fields every scope may set, described once so validation, resolution and rendering iterate over the
// same table instead of repeating themselves per field.
import type { ValueKind } from "./valueKinds";

/** Where a field sits in a scope's rules: `inbound`, `outbound` or `interfaces`. */
export type FieldGroup = "inbound" | "outbound" | "interfaces";
export type FieldName = "excludePorts" | "includePorts" | "excludeIpRanges" | "includeIpRanges" | "excludeUids" | "exclude" | "rerouteVirtual";
export type FieldKey =
    | "inbound.excludePorts"
    | "inbound.includePorts"
    | "inbound.excludeIpRanges"
    | "outbound.excludePorts"
    | "outbound.includePorts"
    | "outbound.excludeIpRanges"
    | "outbound.includeIpRanges"
    | "outbound.excludeUids"
    | "interfaces.exclude"
    | "interfaces.rerouteVirtual";

export interface FieldSpec {
    readonly key: FieldKey;
    readonly group: FieldGroup;
    readonly name: FieldName;
    /** What its values are (see valueKinds). */
    readonly values: ValueKind;
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
    { key: "inbound.excludeIpRanges", group: "inbound", name: "excludeIpRanges", values: "cidrs", exclude: true },
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

/** Each field's spec by its key. */
export const FIELD_SPECS = Object.fromEntries(FIELDS.map((f) => [f.key, f])) as Readonly<Record<FieldKey, FieldSpec>>;
