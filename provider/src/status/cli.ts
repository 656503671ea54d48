#!/usr/bin/env node
// `sidecar-bypass status`: per workload a component declares (from its records) and per namespace an admission policy
// of ours reaches, whether the running pods carry the declared rules; a non-zero exit when any pod is stale, for CI.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { clients } from "../live/clients";
import { changeComment, type PreviewJson } from "../review/changeComment";
import { assessScope, assessWorkload, formatTable, type StatusRow } from "./assess";
import { observeScopes, observeWorkloads } from "./cluster";
import { restartStale } from "./restart";

const USAGE = `usage: sidecar-bypass comment [PREVIEW_JSON]
  Prints the pull-request comment for \`pulumi preview --json\` (read from the file, else stdin): per workload the rule
  values added and removed with their scope, which roll, which admission policies change, what was reported.
usage: sidecar-bypass status [--component NAME] [--namespace NS] [-o table|json] [--restart-stale] [--timeout SECONDS]
  Reads the cluster of the current kubeconfig (KUBECONFIG, else ~/.kube/config) and prints, per workload a component
  declares and per namespace its admission policies reach, whether the running pods carry the declared rules.
  Exit status: 0 when every pod is up to date, 1 when any is stale, 2 on a usage or cluster error.
  --restart-stale  restarts exactly the stale workloads (a rollout restart; an OnDelete workload's pods are evicted
                   one at a time, each replacement awaited), after saying which.`;

export async function main(argv: readonly string[]): Promise<number> {
    const [command, ...rest] = argv;
    if (command === "comment") return comment(rest);
    if (command !== "status") {
        process.stderr.write(`${USAGE}\n`);
        return 2;
    }
    let values: { component?: string; namespace?: string; output?: string; "restart-stale"?: boolean; timeout?: string };
    try {
        ({ values } = parseArgs({
            args: [...rest],
            options: {
                component: { type: "string" },
                namespace: { type: "string", short: "n" },
                output: { type: "string", short: "o", default: "table" },
                "restart-stale": { type: "boolean" },
                timeout: { type: "string", default: "600" },
            },
        }));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return 2;
    }
    if (values.output !== "table" && values.output !== "json") {
        process.stderr.write(`-o takes table or json, not '${values.output}'\n`);
        return 2;
    }
    const timeout = Number(values.timeout);
    if (!Number.isInteger(timeout) || timeout < 1) {
        process.stderr.write(`--timeout takes a whole number of seconds, not '${values.timeout}'\n`);
        return 2;
    }
    const only = { ...(values.component ? { component: values.component } : {}), ...(values.namespace ? { namespace: values.namespace } : {}) };
    const c = clients();
    const workloads = await observeWorkloads(c, only);
    // A listed workload's pods are judged by its template, not by the admission policy of their namespace.
    const listed = new Set(workloads.flatMap((w) => w.pods.map((p) => `${w.namespace}/${p.name}`)));
    const scopes = (await observeScopes(c, only)).map((sc) => ({ ...sc, pods: sc.pods.filter((p) => !listed.has(`${sc.namespace}/${p.name}`)) }));
    const rows: StatusRow[] = [...workloads.map(assessWorkload), ...scopes.map(assessScope)];
    process.stdout.write(values.output === "json" ? `${JSON.stringify(rows, null, 2)}\n` : `${formatTable(rows)}\n`);
    const stale = rows.some((r) => r.stale.length > 0);
    if (!values["restart-stale"] || !stale) return stale ? 1 : 0;
    const say = (a: { target: string; what: string }) => process.stderr.write(`restarting ${a.target}: ${a.what}\n`);
    const skipped = await restartStale(c, rows, timeout, say);
    for (const s of skipped) process.stderr.write(`not restarted ${s.target}: ${s.what}\n`);
    return skipped.length > 0 ? 1 : 0;
}

/** `sidecar-bypass comment [file]`: the comment for a preview's JSON. */
function comment(args: readonly string[]): number {
    if (args.length > 1) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
    }
    let preview: PreviewJson;
    try {
        preview = JSON.parse(readFileSync(args[0] ?? 0, "utf8")) as PreviewJson;
    } catch (e) {
        process.stderr.write(`sidecar-bypass comment: cannot read the preview's JSON (pulumi preview --json): ${(e as Error).message}\n`);
        return 2;
    }
    process.stdout.write(changeComment(preview));
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: unknown) => {
            const body = (e as { body?: unknown }).body;
            process.stderr.write(`sidecar-bypass status: ${(e as Error).message ?? e}${body ? ` ${JSON.stringify(body)}` : ""}\n`);
            process.exit(2);
        },
    );
}
