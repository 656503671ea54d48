// The committed SDKs in sdk/ were generated from the current schema snapshot, and their package metadata
// names the plugin and version the provider serves. (Regenerating them byte for byte with the real
// `pulumi package gen-sdk` is the e2e tier's tests/e2e/plugin.test.ts, which needs the Pulumi CLI.)
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { GO_MODULE, PYTHON_PACKAGE, sdkSchema } from "../../tools/sdk/sdkSchema";
import { REPO } from "../helpers/snapshot";

const read = (...p: string[]) => fs.readFileSync(path.join(REPO, ...p), "utf8");
const provider = JSON.parse(read("provider", "package.json")) as { name: string; version: string };
const pluginJson = { resource: true, name: provider.name, version: provider.version };

describe("committed SDKs", () => {
    it("were generated from the schema snapshot (else run `npm run sdk`)", () => {
        const expected = sdkSchema(JSON.parse(read("tests", "snapshots", "schema.json")));
        assert.deepEqual(JSON.parse(read("sdk", "schema.json")), expected, "sdk/schema.json is stale: run `npm run sdk` and commit sdk/");
    });

    it("Python: the package, its version, and the plugin it asks the engine for", () => {
        const pyproject = read("sdk", "python", "pyproject.toml");
        assert.match(pyproject, new RegExp(`^\\s*name = "${PYTHON_PACKAGE}"$`, "m"));
        assert.match(pyproject, new RegExp(`^\\s*version = "${provider.version.replaceAll(".", "\\.")}"$`, "m"));
        assert.deepEqual(JSON.parse(read("sdk", "python", PYTHON_PACKAGE, "pulumi-plugin.json")), pluginJson);
    });

    it("Go: the module path, and the plugin it asks the engine for", () => {
        assert.match(read("sdk", "go", "go.mod"), new RegExp(`^module ${GO_MODULE}$`, "m"));
        assert.deepEqual(JSON.parse(read("sdk", "go", "sidecarbypass", "pulumi-plugin.json")), pluginJson);
    });
});
