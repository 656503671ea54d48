// Every language's example in examples/, as a user would run it: the real Pulumi CLI and the language's own
// host run the project in place (Python in a virtual environment the test makes, Go built with the module
// proxy, YAML after `pulumi package add` in a fresh directory) against the embedded control plane: up, the pod
// templates on the API server carry the planned annotations, destroy removes them.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { effectiveTable, type PlainBypassArgs, planBypass } from "../../provider/index";
import { findPulumiCli, missingLanguageHosts, stackEnv } from "../../tools/harness/pulumiCli";
import { cliSkipReason, E2eCluster, E2eStack } from "../helpers/e2e";
import { languageExample } from "../helpers/examples";
import { REPO } from "../helpers/snapshot";

const EXAMPLES = path.join(REPO, "examples");
const PROVIDER = path.join(REPO, "provider");

const cliSkip = cliSkipReason();
const cli = cliSkip ? undefined : findPulumiCli();
const onPath = (tool: string, args: string[]) => spawnSync(tool, args, { encoding: "utf8" }).status === 0;
/** Why a language's example cannot run here (said in one line by the skip), or undefined. */
function languageSkip(language: string, toolchain?: { tool: string; args: string[]; what: string }): string | undefined {
    if (!cli) return undefined;
    if (toolchain && !onPath(toolchain.tool, toolchain.args)) return `skipped: no ${toolchain.what} (${toolchain.tool}) on PATH`;
    const missing = missingLanguageHosts(cli, [language]);
    return missing.length ? `skipped: the Pulumi CLI at ${cli.dir} lacks ${missing.join(", ")} (shipped with the Pulumi CLI)` : undefined;
}
const pythonSkip = languageSkip("python", { tool: "python3", args: ["--version"], what: "Python 3" });
const goSkip = languageSkip("go", { tool: "go", args: ["version"], what: "Go toolchain" });
// The YAML host comes from the module proxy through tools/build-yaml.sh, which needs Go.
const yamlSkip = cli && !onPath("go", ["version"]) ? "skipped: no Go toolchain (go) on PATH to build the YAML language host" : undefined;

describe("e2e: the examples, one per language", { skip: cliSkip && `skipped: ${cliSkip}` }, () => {
    let cluster: E2eCluster;
    before(async () => {
        cluster = new E2eCluster("e2e-examples");
        await cluster.seed([{ namespace: "payments", name: "ledger" }]);
    });
    after(() => cluster?.stop());

    /**
     * Preview (where the drift check reads each workload, in the language's own host), up, check the live pod templates
     * and outputs against the plan of `rules`, destroy, check nothing of ours is left.
     */
    async function runExample(name: string, workDir: string, rules: PlainBypassArgs, toolPath: readonly string[] = []): Promise<void> {
        const s = await E2eStack.open(cluster, `example-${name}`, { workDir, path: toolPath });
        try {
            // What is checked (pod templates, effective rules) does not depend on the names the component gives its objects.
            const plan = planBypass(rules);
            const preview = await s.stack.preview({ color: "never" });
            assert.ok((preview.changeSummary.create ?? 0) > 0, `${name}: preview plans the patches: ${JSON.stringify(preview.changeSummary)}`);
            const up = await s.stack.up({ color: "never" });
            assert.equal(up.summary.result, "succeeded");
            for (const w of plan.workloads) {
                const live = cluster.deployment(w.namespace, w.name).spec.template.metadata;
                for (const [k, v] of Object.entries(w.annotations)) assert.equal(live.annotations?.[k], v, `${name}: ${w.id} annotation ${k}`);
            }
            assert.deepEqual((await s.stack.outputs()).effectiveRules.value, effectiveTable(plan), `${name}: effectiveRules output`);
            await s.stack.destroy({ color: "never" });
            for (const w of plan.workloads.filter((w) => !w.declaredInProgram)) {
                const annotations = cluster.deployment(w.namespace, w.name).spec.template.metadata.annotations ?? {};
                for (const k of Object.keys(w.annotations)) assert.ok(!(k in annotations), `${name}: ${w.id} ${k} removed by destroy`);
            }
        } finally {
            await s.stack.destroy({ color: "never" }).catch(() => undefined);
            await s.remove();
        }
    }

    it("TypeScript: the package imported directly, and the transform on a Deployment the program declares", async () => {
        const rules = languageExample();
        rules.workloads?.push({ kind: "Deployment", namespace: "payments", name: "reports", declaredInProgram: true });
        await runExample("typescript", path.join(EXAMPLES, "typescript"), rules);
    });

    it("Python: through the generated SDK in sdk/python, in a virtual environment", { skip: pythonSkip }, async () => {
        const dir = path.join(EXAMPLES, "python");
        const venv = path.join(dir, "venv");
        if (!fs.existsSync(path.join(venv, "bin", "python"))) execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
        execFileSync(path.join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt"], {
            cwd: dir,
            stdio: "inherit",
        });
        await runExample("python", dir, languageExample());
    });

    it("Go: through the generated SDK in sdk/go, built with the module proxy", { skip: goSkip }, async () => {
        await runExample("go", path.join(EXAMPLES, "go"), languageExample());
    });

    it("YAML: `pulumi package add` of the provider in a fresh directory, then up", { skip: yamlSkip }, async () => {
        const yamlBin = execFileSync("bash", [path.join(REPO, "tools", "build-yaml.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
            .trim()
            .split("\n")
            .pop()!;
        // The example's program without its `packages:` entry, in a directory with no tsconfig or package.json.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-example-yaml-"));
        try {
            const project = fs.readFileSync(path.join(EXAMPLES, "yaml", "Pulumi.yaml"), "utf8").replace(/^packages:\n(?: {2}.*\n)+/m, "");
            assert.doesNotMatch(project, /^packages:/m);
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), project);
            const env = stackEnv({ cli: cli!, backendDir: dir });
            const add = spawnSync(path.join(cli!.dir, "pulumi"), ["package", "add", PROVIDER], {
                cwd: dir,
                encoding: "utf8",
                env: { ...process.env, ...env, PATH: [yamlBin, env.PATH].join(path.delimiter) },
            });
            assert.equal(add.status, 0, `pulumi package add failed:\n${add.stdout}${add.stderr}`);
            assert.match(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"), new RegExp(`^packages:\\n {2}sidecar-bypass: ${PROVIDER}$`, "m"));
            await runExample("yaml", dir, languageExample(), [yamlBin]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
