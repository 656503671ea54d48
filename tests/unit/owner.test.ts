// One owner per component instance: its field manager and object names, and reading an owner back from a manager.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { describeManager, fieldManagerOf, objectPrefixOf, ownerOfManager } from "../../provider/index";

const owner = { project: "infra", stack: "prod", component: "platform" };

describe("component owners", () => {
    it("names the field manager after the project, stack and component, and reads them back", () => {
        assert.equal(fieldManagerOf(owner), "sidecar-bypass:infra/prod/platform");
        assert.deepEqual(ownerOfManager(fieldManagerOf(owner)), { kind: "component", manager: "sidecar-bypass:infra/prod/platform", owner });
        // A component's name may hold '/'; a project's and a stack's may not.
        const nested = { ...owner, component: "team/a" };
        assert.deepEqual(ownerOfManager(fieldManagerOf(nested)).kind === "component" && ownerOfManager(fieldManagerOf(nested)), {
            kind: "component",
            manager: "sidecar-bypass:infra/prod/team/a",
            owner: nested,
        });
        assert.equal(describeManager(fieldManagerOf(owner)), "the sidecar-bypass component 'platform' of stack 'prod' (project 'infra')");
    });

    it("keeps a field manager within the API server's 128 characters, its own, and the same at every run", () => {
        fc.assert(
            fc.property(
                fc.string({ minLength: 1, maxLength: 40 }),
                fc.string({ minLength: 1, maxLength: 20 }),
                fc.string({ minLength: 1, maxLength: 200 }),
                (project, stack, component) => {
                    const o = { project: project.replace(/\//g, "-"), stack: stack.replace(/\//g, "-"), component };
                    const m = fieldManagerOf(o);
                    assert.ok(m.length <= 128, m);
                    assert.equal(fieldManagerOf({ ...o }), m);
                    assert.equal(ownerOfManager(m).kind, "component");
                    const read = ownerOfManager(m);
                    if (read.kind === "component" && read.owner) assert.deepEqual(read.owner, o);
                },
            ),
        );
        const long = { ...owner, component: "c".repeat(200) };
        assert.notEqual(fieldManagerOf(long), fieldManagerOf({ ...long, component: `${"c".repeat(199)}d` }));
        assert.match(
            describeManager(fieldManagerOf(long)),
            /^the sidecar-bypass component whose field manager is 'sidecar-bypass:infra\/prod\/c+~[0-9a-f]{10}'$/,
        );
    });

    it("names objects apart for owners a Kubernetes name alone would merge", () => {
        const a = objectPrefixOf({ project: "a-b", stack: "c", component: "x" });
        const b = objectPrefixOf({ project: "a", stack: "b-c", component: "x" });
        const c = objectPrefixOf({ project: "a-b", stack: "c", component: "X" });
        assert.equal(new Set([a, b, c]).size, 3);
        assert.match(objectPrefixOf(owner), /^sidecar-bypass-platform-prod-[0-9a-f]{6}$/);
    });

    it("tells the shared manager of earlier versions and other tools apart from components", () => {
        assert.deepEqual(ownerOfManager("sidecar-bypass"), { kind: "shared", manager: "sidecar-bypass" });
        assert.deepEqual(ownerOfManager("kubectl-patch"), { kind: "other", manager: "kubectl-patch" });
        assert.equal(describeManager("kubectl-patch"), "'kubectl-patch'");
    });
});
