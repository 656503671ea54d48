// The schema the SDKs are generated from: the schema the plugin serves (the committed snapshot) plus the
// per-language package settings the inferred schema cannot carry (Pulumi's Node.js host writes only
// `respectSchemaVersion`). Pure, so a unit test can check the committed sdk/schema.json without a Pulumi CLI.

/** The languages we generate and commit; the Node.js package is the provider itself. */
export const SDK_LANGUAGES = ["python", "go"] as const;
export type SdkLanguage = (typeof SDK_LANGUAGES)[number];

/** The Go module the SDK is published as (sdk/go/go.mod); a tag `sdk/go/v<version>` versions it. */
export const GO_MODULE = "github.com/sidecar-bypass/sidecar-bypass/sdk/go";
export const GO_IMPORT = `${GO_MODULE}/sidecarbypass`;
export const PYTHON_PACKAGE = "pulumi_sidecar_bypass";

interface PackageSchema {
    name: string;
    version: string;
    language?: Record<string, Record<string, unknown>>;
    meta?: Record<string, unknown>;
    [key: string]: unknown;
}

export function sdkSchema(served: PackageSchema): PackageSchema {
    const language = served.language ?? {};
    return {
        ...served,
        language: {
            ...language,
            go: { ...language.go, importBasePath: GO_IMPORT },
            python: { ...language.python, packageName: PYTHON_PACKAGE, pyproject: { enabled: true } },
        },
        // A Go SDK with its own go.mod (module GO_MODULE), so it is used like any Go module.
        meta: { ...served.meta, supportPack: true },
    };
}
