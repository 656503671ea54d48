// What validation needs to know about a mesh. The adapters in `meshes/` provide it; validation takes them as an
// argument, so this step never imports a later one.
import type { z } from "zod";
import type { IssueCollector } from "./issues";
import type { NormalisedRules, NormalisedScope } from "./types";

/** Where a mesh's options are read: the collector for their problems, and whether the mesh is selected. */
export interface OptionsContext {
    readonly issues: IssueCollector;
    /** The mesh is in `meshes`; options of a mesh that is not are still checked, and may warn. */
    readonly selected: boolean;
}

/** A mesh's own options (`args.<mesh id>`): their structure, and how they become settings. */
export interface MeshOptions<Schema extends z.ZodType, Settings> {
    readonly schema: Schema;
    /** Defaults applied, values checked (errors and warnings go to `ctx.issues`). `parsed` is undefined when unset. */
    read(parsed: z.output<Schema> | undefined, ctx: OptionsContext): Settings;
}

/**
 * Rules a scope may set for one mesh alone, under a key of their own (Kuma's `passthrough`): their schema, and how
 * they are checked and normalised. Validation and resolution carry them by key without knowing what they are; the
 * mesh that declared them reads them back with `extensionOf`.
 */
export interface ScopeExtension<Schema extends z.ZodType = z.ZodType, Value = unknown> {
    /** The key in a scope's rules, e.g. `passthrough`. */
    readonly key: string;
    readonly schema: Schema;
    /** Checked and normalised; problems go to `issues` at `path` (the key's path in the arguments). */
    normalise(parsed: z.output<Schema>, path: string, issues: IssueCollector): Value;
}

/** An extension from its schema and normaliser, the normaliser typed by the schema's output. */
export function scopeExtension<Schema extends z.ZodType, Value>(
    key: string,
    schema: Schema,
    normalise: (parsed: z.output<Schema>, path: string, issues: IssueCollector) => Value,
): ScopeExtension<Schema, Value> {
    return { key, schema, normalise };
}

/** What a scope set under an extension's key, normalised; undefined when it set nothing there. */
export function extensionOf<Value>(ext: ScopeExtension<z.ZodType, Value>, scope: NormalisedScope): Value | undefined {
    // normaliseScope stores under the key what this extension's normalise returned.
    return scope.extensions?.[ext.key] as Value | undefined;
}

export interface MeshTraits<Settings = unknown> {
    readonly id: string;
    /** As people write it, e.g. in messages. */
    readonly displayName: string;
    /** Ports the sidecar uses itself, and what for: excluding one needs `acknowledge.sidecarPorts`. */
    readonly sidecarPorts: ReadonlyMap<number, string>;
    /** The mesh's own options, read from the argument named by its id; absent when it has none. */
    readonly options?: MeshOptions<z.ZodType, Settings>;
    /** Rules a scope may set for this mesh alone, under their own key. */
    readonly scopeExtension?: ScopeExtension;
    /** Checks of the whole rule set that only this mesh makes (e.g. how its policies merge). */
    check?(rules: NormalisedRules, settings: Settings, ctx: OptionsContext): void;
}

/** The settings each mesh's `options.read` returns, by mesh id. */
export type SettingsOf<T extends Readonly<Record<string, MeshTraits>>> = {
    readonly [K in keyof T]: T[K] extends MeshTraits<infer S> ? S : never;
};

/** A mesh's options from their schema and reader, the reader typed by the schema's output. */
export function meshOptions<Schema extends z.ZodType, Settings>(
    schema: Schema,
    read: (parsed: z.output<Schema> | undefined, ctx: OptionsContext) => Settings,
): MeshOptions<z.ZodType, Settings> {
    // validateRules parses with this schema before it calls `read`, so the output is the schema's.
    return { schema, read: (parsed, ctx) => read(parsed as z.output<Schema> | undefined, ctx) };
}
