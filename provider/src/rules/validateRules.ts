// validate → normalise: plain arguments in, NormalisedRules out, every problem collected with its path. The meshes
// are given (their traits: names, sidecar ports, options), so what one mesh needs lives in that mesh's adapter.
import type { z } from "zod";
import { IssueCollector, joinPath, type ValidationIssue } from "./issues";
import type { MeshTraits, ScopeExtension, SettingsOf } from "./meshTraits";
import { workloadId } from "./names";
import { normaliseScope, type ScopeContext } from "./normaliseScope";
import { argsSchemas, argsShapeSchema, type PlainBypassArgs, scopeSchemas } from "./schema";
import { schemaKeys, suggestKey } from "./suggestKey";
import type { AdmissionSettings, NormalisedRules, NormalisedScope, NormalisedWorkload } from "./types";
import { mayBeOnDelete } from "./workloadKinds";

export interface ValidateOptions {
    /** The time expiries are compared with; default now. */
    now?: Date;
}

export interface ValidatedRules<Settings> {
    rules: NormalisedRules<Settings>;
    warnings: ValidationIssue[];
}

/** Checks and normalises the arguments for these meshes; throws BypassValidationError listing every problem. */
export function validateRules<R extends Readonly<Record<string, MeshTraits>>>(
    args: Omit<PlainBypassArgs, "meshes"> & { readonly meshes: readonly string[] },
    meshes: R,
    options: ValidateOptions = {},
): ValidatedRules<SettingsOf<R>> {
    const issues = new IssueCollector();
    // Every key the schemas know, for "did you mean": gathered only when an unknown key is met.
    let known: ReadonlySet<string> | undefined;
    const knownKeys = () => (known ??= schemaKeys(argsSchemas(meshes)));
    const parse = <S extends z.ZodType>(schema: S, raw: unknown, path: string): z.output<S> | undefined => {
        const r = schema.safeParse(raw);
        if (r.success) return r.data;
        reportZodIssues(r.error.issues, path, issues, knownKeys);
        return undefined;
    };

    const top = parse(argsShapeSchema(meshes), args, "");
    if (!top) {
        issues.throwIfErrors();
        throw new Error("unreachable: a failed parse reports at least one issue");
    }
    const selected = [...new Set(top.meshes)];
    const ctx: ScopeContext = {
        issues,
        now: options.now ?? new Date(),
        meshes: selected.map((id) => meshes[id]),
        extensions: Object.values(meshes).flatMap((m) => (m.scopeExtension ? [m.scopeExtension] : [])),
    };
    const schemas = scopeSchemas(meshes);

    const globalRef = { level: "global", label: "global", path: "global" } as const;
    const parsedGlobal = parse(schemas.global, top.global ?? {}, "global");
    const global: NormalisedScope = parsedGlobal ? normaliseScope(parsedGlobal, globalRef, ctx) : { ref: globalRef, fields: {} };

    const namespaces = new Map<string, NormalisedScope>();
    const podRuleNamespaces = new Set<string>();
    const namespacePaths = new Map<string, string>();
    (top.namespaces ?? []).forEach((raw, i) => {
        const path = `namespaces[${i}]`;
        const parsed = parse(schemas.namespace, raw, path);
        if (!parsed) return;
        const seen = namespacePaths.get(parsed.name);
        if (seen) {
            issues.error(`${path}.name`, `namespace '${parsed.name}' is already listed at ${seen}; merge the two entries`);
            return;
        }
        namespacePaths.set(parsed.name, path);
        if (setsPodFields(parsed, ctx.extensions)) podRuleNamespaces.add(parsed.name);
        namespaces.set(parsed.name, normaliseScope(parsed, { level: "namespace", label: `namespace/${parsed.name}`, path }, ctx));
    });

    const workloads: NormalisedWorkload[] = [];
    const workloadPaths = new Map<string, string>();
    (top.workloads ?? []).forEach((raw, i) => {
        const path = `workloads[${i}]`;
        const parsed = parse(schemas.workload, raw, path);
        if (!parsed) return;
        const label = workloadId(parsed);
        const seen = workloadPaths.get(label);
        if (seen) {
            issues.error(path, `${label} is already listed at ${seen}; merge the two entries`);
            return;
        }
        workloadPaths.set(label, path);
        const scope = normaliseScope(parsed, { level: "workload", label, path }, ctx);
        if (parsed.replaceOnDeletePods !== undefined && !mayBeOnDelete(parsed.kind)) {
            issues.error(
                `${path}.replaceOnDeletePods`,
                `applies to StatefulSets and DaemonSets, whose updateStrategy may be OnDelete; a ${parsed.kind}'s controller replaces its pods itself`,
            );
        }
        workloads.push({
            ...scope,
            kind: parsed.kind,
            namespace: parsed.namespace,
            name: parsed.name,
            declaredInProgram: parsed.declaredInProgram ?? false,
            replaceOnDeletePods: parsed.replaceOnDeletePods,
        });
    });

    const settings: Record<string, unknown> = {};
    for (const [id, mesh] of Object.entries(meshes)) {
        if (!mesh.options) continue;
        const raw = (top as Record<string, unknown>)[id];
        const parsed = raw === undefined ? undefined : parse(mesh.options.schema, raw, id);
        settings[id] = mesh.options.read(parsed, { issues, selected: selected.includes(id) });
    }

    const admission: AdmissionSettings = {
        mode: top.admission?.mode ?? "v1",
        globalNamespaces: [...new Set(top.admission?.globalNamespaces ?? [])].sort(),
        globalNamespaceLabels: top.admission?.globalNamespaceLabels ?? {},
        podRuleNamespaces,
        globalSetsPodFields: parsedGlobal !== undefined && setsPodFields(parsedGlobal, ctx.extensions),
    };
    const withWorkloads = new Set(workloads.map((w) => w.namespace));
    for (const [name, path] of namespacePaths) {
        // At admission a namespace's rules reach every new pod in it, listed or not.
        if (admission.mode === "off" && !withWorkloads.has(name)) {
            issues.warn(
                path,
                `no workload in namespace '${name}' is listed in workloads; its port and range rules reach only workloads given to bypassTransform (admission.mode is off)`,
            );
        }
    }

    const rules: NormalisedRules<SettingsOf<R>> = {
        meshes: selected,
        global,
        namespaces,
        workloads,
        // Each entry is what that mesh's own `read` returned.
        settings: settings as SettingsOf<R>,
        rolloutHash: top.rolloutHash ?? true,
        rollout: {
            wait: top.rollout?.wait ?? true,
            timeoutSeconds: top.rollout?.timeoutSeconds ?? 600,
            replaceOnDeletePods: top.rollout?.replaceOnDeletePods ?? false,
        },
        takeOwnership: top.takeOwnership ?? false,
        admission,
    };
    for (const [id, mesh] of Object.entries(meshes)) {
        mesh.check?.(rules, settings[id], { issues, selected: selected.includes(id) });
    }
    issues.throwIfErrors();
    return { rules, warnings: issues.warnings };
}

/**
 * Whether a scope as written sets a field that renders onto pods: anything but its name and the meshes' scope
 * extensions (cluster objects, not pod fields). Read from the keys written, not their values, so an Output value
 * (absent from the plan of the plain values) still counts: which admission policies exist must not depend on values
 * that arrive later.
 */
function setsPodFields(scope: object, extensions: readonly ScopeExtension[]): boolean {
    return Object.keys(scope).some((k) => k !== "name" && !extensions.some((e) => e.key === k));
}

function reportZodIssues(list: readonly z.core.$ZodIssue[], base: string, issues: IssueCollector, known: () => ReadonlySet<string>): void {
    for (const issue of list) {
        const path = joinPath(base, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)));
        if (issue.code !== "unrecognized_keys") {
            issues.error(path, issue.message);
            continue;
        }
        for (const key of issue.keys) {
            const hint = suggestKey(key, known());
            issues.error(joinPath(path, key), `unknown field '${key}'${hint && hint !== key ? `; did you mean '${hint}'?` : ""}`);
        }
    }
}
