// The rules in force on one workload after resolution, each value with the scopes it came from.
import type { Cidr } from "../rules/cidr";
import type { FieldKey } from "../rules/fields";
import type { FullBypass } from "../rules/types";

/** Values in force that came from the same scopes (labels), in canonical order. */
export interface Provenanced {
    readonly scopes: readonly string[];
    readonly values: readonly string[];
}

export interface EffectiveField {
    readonly key: FieldKey;
    readonly all: boolean;
    readonly ports: readonly number[];
    readonly cidrs: readonly Cidr[];
    /** The ports or ranges comma-joined without spaces, the format every mesh reads ("all" not included). */
    readonly joined: string;
    /** Every value in force (`*` for "all"), grouped by the scopes it came from. */
    readonly sources: readonly Provenanced[];
    /** The chain reached the top with `merge`: union with the mesh install's defaults too. */
    readonly mergesWithInstall: boolean;
    /** The most specific scope that set the field. */
    readonly setBy: string;
}

export interface EffectiveFullBypass extends FullBypass {
    readonly scope: string;
    /** Enabled and not expired. */
    readonly active: boolean;
}

export interface EffectiveRules {
    readonly fields: Partial<Record<FieldKey, EffectiveField>>;
    readonly fullBypass?: EffectiveFullBypass;
}
