// The schema as the Pulumi CLI prints it (`pulumi package get-schema`): the CLI reads what the plugin serves
// into its Go PackageSpec and writes that back. So the Node.js inference's own `optional` markers go (a
// property is optional when `required` does not list it), empty `required` and `dependencies` lists are
// omitted, and `config` is always written. Nothing else may differ.
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function asPackageSpec(inferred: { [key: string]: Json }): { [key: string]: Json } {
    const strip = (value: Json): Json => {
        if (Array.isArray(value)) return value.map(strip);
        if (value === null || typeof value !== "object") return value;
        const out: { [key: string]: Json } = {};
        for (const [k, v] of Object.entries(value)) {
            if (k === "optional") continue;
            if ((k === "required" || k === "dependencies") && Array.isArray(v) && v.length === 0) continue;
            out[k] = strip(v);
        }
        return out;
    };
    const spec = strip(inferred) as { [key: string]: Json };
    return { ...spec, config: spec.config ?? {} };
}
