// The schema Pulumi infers for the component: what Python, Go and YAML users get. A snapshot, so any
// change to the public surface is reviewed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { SidecarBypass } from "../../provider/index";
import { matchSnapshot, REPO } from "../helpers/snapshot";

describe("inferred schema", () => {
    it("infers the component's schema and matches the snapshot", async () => {
        const provider = new ComponentProvider({ components: [SidecarBypass], name: "sidecar-bypass", dirname: join(REPO, "provider") });
        const schema = JSON.parse(await provider.getSchema());
        const resource = schema.resources["sidecar-bypass:index:SidecarBypass"];
        assert.ok(resource, "component missing from schema");
        assert.deepEqual(Object.keys(resource.properties).sort(), ["effectiveRules", "summary"]);
        assert.deepEqual(resource.requiredInputs, ["meshes"]);
        matchSnapshot("schema", schema);
    });
});
