// A field as one scope sets it. Its texts are made once here, however many workloads the scope reaches.
import type { Inherit } from "../args";
import type { FieldSetting } from "./types";
import { type FieldValues, valueTexts } from "./valueKinds";

export function fieldSetting(values: FieldValues, inherit: Inherit, all = false): FieldSetting {
    const texts = valueTexts(values);
    return { all, values, inherit, texts: all ? ["*", ...texts] : texts };
}
