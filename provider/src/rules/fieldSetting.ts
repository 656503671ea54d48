// A field as one scope sets it. Its text forms are made once here, however many workloads the scope reaches.
import type { Inherit } from "../args";
import type { Cidr } from "./cidr";
import type { FieldSetting } from "./types";

export function fieldSetting(all: boolean, ports: readonly number[], cidrs: readonly Cidr[], inherit: Inherit): FieldSetting {
    const cidrTexts = cidrs.map((c) => c.text);
    const values = ports.length > 0 ? ports.map(String) : cidrTexts;
    return { all, ports, cidrs, cidrTexts, inherit, texts: all ? ["*", ...values] : values, joined: values.join(",") };
}
