// The effective rules as plain data for the plan: CIDRs as their canonical text (the resolved form keeps parsed
// ranges, with BigInt bounds, which JSON cannot hold), which resolution has made already.
import type { EffectiveRules } from "../resolve/effective";
import type { FieldKey } from "../rules/fields";
import { plainValues } from "../rules/valueKinds";
import type { PlannedEffective, PlannedField } from "./types";

export function plainEffective(e: EffectiveRules): PlannedEffective {
    const fields: Partial<Record<FieldKey, PlannedField>> = {};
    for (const f of Object.values(e.fields)) {
        const v = plainValues(f.values);
        fields[f.key] = {
            key: f.key,
            all: f.all,
            ports: v.ports,
            cidrs: v.cidrs,
            names: v.names,
            uids: v.uids,
            sources: f.sources,
            mergesWithInstall: f.mergesWithInstall,
            setBy: f.setBy,
        };
    }
    return e.fullBypass ? { fields, fullBypass: e.fullBypass } : { fields };
}
