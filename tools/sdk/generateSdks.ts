// Regenerates sdk/ (or another folder) from the schema snapshot with the real `pulumi package gen-sdk`:
// `npm run sdk`. It needs the Pulumi CLI and its Python and Go language hosts, as a user's install has them.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findPulumiCli, missingLanguageHosts, PULUMI_INSTALL_HINT, type PulumiCli } from "../harness/pulumiCli";
import { SDK_LANGUAGES, sdkSchema } from "./sdkSchema";

export const REPO = path.resolve(__dirname, "..", "..", "..");
export const SNAPSHOT = path.join(REPO, "tests", "snapshots", "schema.json");

/** What the CLI lacks to generate every SDK, or undefined when nothing. */
export function missingSdkTools(cli: PulumiCli): string | undefined {
    const missing = missingLanguageHosts(cli, SDK_LANGUAGES);
    return missing.length ? `the Pulumi CLI at ${cli.dir} lacks ${missing.join(" and ")}` : undefined;
}

/** Writes `<out>/python`, `<out>/go` and `<out>/schema.json` (the input they were made from). */
export function generateSdks(out: string, cli: PulumiCli): void {
    const schema = sdkSchema(JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "sb-gen-sdk-"));
    try {
        const input = path.join(work, "schema.json");
        fs.writeFileSync(input, `${JSON.stringify(schema, null, 2)}\n`);
        fs.mkdirSync(out, { recursive: true });
        for (const language of SDK_LANGUAGES) {
            fs.rmSync(path.join(out, language), { recursive: true, force: true });
            const r = spawnSync(path.join(cli.dir, "pulumi"), ["package", "gen-sdk", input, "--language", language, "--out", out], {
                encoding: "utf8",
                env: { ...process.env, PATH: [cli.dir, process.env.PATH ?? ""].join(path.delimiter), PULUMI_SKIP_UPDATE_CHECK: "true" },
            });
            if (r.status !== 0) throw new Error(`pulumi package gen-sdk --language ${language} failed:\n${r.stdout}${r.stderr}`);
        }
        fs.copyFileSync(input, path.join(out, "schema.json"));
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

if (require.main === module) {
    const cli = findPulumiCli();
    const missing = cli ? missingSdkTools(cli) : `no Pulumi CLI on PATH or in ~/.pulumi/bin; ${PULUMI_INSTALL_HINT}`;
    if (!cli || missing) {
        console.error(`[sdk] cannot generate: ${missing}`);
        process.exit(1);
    }
    const out = path.resolve(process.argv[2] ?? path.join(REPO, "sdk"));
    generateSdks(out, cli);
    console.log(`[sdk] generated ${SDK_LANGUAGES.join(" and ")} SDKs from ${path.relative(REPO, SNAPSHOT)} into ${out} (Pulumi CLI ${cli.version})`);
}
