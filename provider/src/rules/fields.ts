// The six rule fields every scope may set, described once so validation, resolution and rendering
// iterate over the same table instead of repeating themselves per field.

export type Direction = "inbound" | "outbound";
export type FieldName = "excludePorts" | "includePorts" | "excludeIpRanges" | "includeIpRanges";
export type FieldKey =
    | "inbound.excludePorts"
    | "inbound.includePorts"
    | "outbound.excludePorts"
    | "outbound.includePorts"
    | "outbound.excludeIpRanges"
    | "outbound.includeIpRanges";

export interface FieldSpec {
    readonly key: FieldKey;
    readonly direction: Direction;
    readonly name: FieldName;
    readonly values: "ports" | "cidrs";
    readonly exclude: boolean;
    /** The boolean field meaning "all" (Istio `*`), where the field has one. */
    readonly allFlag?: "includeAllPorts" | "includeAllIpRanges";
    /** The field of the same direction and kind with the opposite sense. */
    readonly opposite: FieldKey;
}

export const FIELDS: readonly FieldSpec[] = [
    { key: "inbound.excludePorts", direction: "inbound", name: "excludePorts", values: "ports", exclude: true, opposite: "inbound.includePorts" },
    {
        key: "inbound.includePorts",
        direction: "inbound",
        name: "includePorts",
        values: "ports",
        exclude: false,
        allFlag: "includeAllPorts",
        opposite: "inbound.excludePorts",
    },
    { key: "outbound.excludePorts", direction: "outbound", name: "excludePorts", values: "ports", exclude: true, opposite: "outbound.includePorts" },
    { key: "outbound.includePorts", direction: "outbound", name: "includePorts", values: "ports", exclude: false, opposite: "outbound.excludePorts" },
    { key: "outbound.excludeIpRanges", direction: "outbound", name: "excludeIpRanges", values: "cidrs", exclude: true, opposite: "outbound.includeIpRanges" },
    {
        key: "outbound.includeIpRanges",
        direction: "outbound",
        name: "includeIpRanges",
        values: "cidrs",
        exclude: false,
        allFlag: "includeAllIpRanges",
        opposite: "outbound.excludeIpRanges",
    },
];
