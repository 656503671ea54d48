// A field as one scope sets it. Its texts are made once here, however many workloads the scope reaches.
import type { Inherit } from "../args";
import type { FieldSetting } from "./types";
import { type FieldValues, type ValueKind, valuesOf, valueTexts } from "./valueKinds";

export function fieldSetting(values: FieldValues, inherit: Inherit, all = false): FieldSetting {
    const texts = valueTexts(values);
    return { all, values, inherit, texts: all ? ["*", ...texts] : texts };
}

/** No values of a kind: a field set to an empty list, or to "all" alone. */
export function noValues(kind: ValueKind): FieldValues {
    switch (kind) {
        case "ports":
            return valuesOf("ports", []);
        case "cidrs":
            return valuesOf("cidrs", []);
        case "names":
            return valuesOf("names", []);
        case "uids":
            return valuesOf("uids", []);
    }
}
