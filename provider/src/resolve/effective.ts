// The rules in force on one workload after resolution, each value with the scopes it came from.
import type { FieldKey } from "../rules/fields";
import type { FieldSetting, NormalisedFullBypass } from "../rules/types";

/** Values in force that came from the same scopes (labels), in canonical order. */
export interface Provenanced {
    readonly scopes: readonly string[];
    readonly values: readonly string[];
}

/** A field in force: `all` and the values of the settings in force, merged along the chain. */
export interface EffectiveField extends Pick<FieldSetting, "all" | "values"> {
    readonly key: FieldKey;
    /** Every value in force (`*` for "all"), grouped by the scopes it came from. */
    readonly sources: readonly Provenanced[];
    /** The chain reached the top with `merge`: union with the mesh install's defaults too. */
    readonly mergesWithInstall: boolean;
    /** The most specific scope that set the field. */
    readonly setBy: string;
}

export interface EffectiveFullBypass extends NormalisedFullBypass {
    readonly scope: string;
    /** Enabled and not expired. */
    readonly active: boolean;
}

export interface EffectiveRules {
    readonly fields: Partial<Record<FieldKey, EffectiveField>>;
    readonly fullBypass?: EffectiveFullBypass;
}
