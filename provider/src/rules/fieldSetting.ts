// A field as one scope sets it. Its text forms are made once here, however many workloads the scope reaches.
import type { Inherit } from "../args";
import type { Cidr } from "./cidr";
import type { FieldSetting, UidRule } from "./types";

/** The values of one field; a field has values of one kind only. */
export interface FieldValuesIn {
    readonly all?: boolean;
    readonly ports?: readonly number[];
    readonly cidrs?: readonly Cidr[];
    readonly names?: readonly string[];
    readonly uids?: readonly UidRule[];
}

export function fieldSetting(v: FieldValuesIn, inherit: Inherit): FieldSetting {
    const all = v.all ?? false;
    const ports = v.ports ?? [];
    const cidrs = v.cidrs ?? [];
    const names = v.names ?? [];
    const uids = v.uids ?? [];
    const cidrTexts = cidrs.map((c) => c.text);
    const values = ports.length > 0 ? ports.map(String) : cidrs.length > 0 ? cidrTexts : names.length > 0 ? [...names] : uids.map((u) => u.text);
    const joined = values.join(uids.length > 0 ? ";" : ",");
    return { all, ports, cidrs, cidrTexts, names, uids, inherit, texts: all ? ["*", ...values] : values, joined };
}
