// The provider as a Pulumi plugin, run by the real CLI from a directory that is not ours (no tsconfig, no
// package.json): the schema it serves is the snapshot's, and `pulumi package gen-sdk` of that schema makes
// exactly the committed sdk/.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { findPulumiCli, stackEnv } from "../../tools/harness/pulumiCli";
import { generateSdks, missingSdkTools } from "../../tools/sdk/generateSdks";
import { cliSkipReason } from "../helpers/e2e";
import { asPackageSpec } from "../helpers/packageSpec";
import { REPO } from "../helpers/snapshot";

const cliSkip = cliSkipReason();
const cli = cliSkip ? undefined : findPulumiCli();
const sdkSkip = cli && missingSdkTools(cli);

/** The files under `dir` as git would commit them (its .gitignore files honoured), relative, with their text. */
function tree(dir: string): Map<string, string> {
    const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "."], { cwd: dir, encoding: "utf8" });
    const files = new Map<string, string>();
    for (const file of listed.split("\0").filter(Boolean)) {
        if (fs.existsSync(path.join(dir, file))) files.set(file, fs.readFileSync(path.join(dir, file), "utf8"));
    }
    return files;
}

describe("e2e: the provider as a plugin of the real Pulumi CLI", { skip: cliSkip && `skipped: ${cliSkip}` }, () => {
    let elsewhere: string;
    before(() => {
        elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "sb-plugin-"));
    });
    after(() => fs.rmSync(elsewhere, { recursive: true, force: true }));

    it("`pulumi package get-schema <provider>` from another directory serves the snapshot's schema", () => {
        const env = stackEnv({ cli: cli!, backendDir: elsewhere });
        const r = spawnSync(path.join(cli!.dir, "pulumi"), ["package", "get-schema", path.join(REPO, "provider")], {
            cwd: elsewhere,
            encoding: "utf8",
            env: { ...process.env, ...env },
            maxBuffer: 64 * 1024 * 1024,
        });
        assert.equal(r.status, 0, `get-schema failed:\n${r.stderr}`);
        // The plugin's npm install prints its progress on stdout before the schema.
        const served = JSON.parse(r.stdout.slice(r.stdout.indexOf("\n{") + 1));
        const snapshot = JSON.parse(fs.readFileSync(path.join(REPO, "tests", "snapshots", "schema.json"), "utf8"));
        assert.deepEqual(served, asPackageSpec(snapshot));
    });

    it("`pulumi package gen-sdk` of the schema makes exactly the committed sdk/", { skip: sdkSkip && `skipped: ${sdkSkip}` }, () => {
        const out = path.join(elsewhere, "sdk");
        generateSdks(out, cli!);
        execFileSync("git", ["init", "--quiet", out]); // so the generated .gitignore files apply as they do in sdk/
        const fresh = tree(out);
        const committed = tree(path.join(REPO, "sdk"));
        assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort(), "the same files (run `npm run sdk` and commit sdk/)");
        for (const [file, text] of fresh) assert.equal(committed.get(file), text, `sdk/${file} differs from what gen-sdk makes: run \`npm run sdk\``);
    });
});
