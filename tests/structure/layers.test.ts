// The data flows one way: rules → resolve → meshes → plan → live (the running cluster, through the Kubernetes client)
// → emit (and review, the pull-request comment from a preview, and status, the command that reads what is in force).
// A file may import from its own folder or an
// earlier one, never a later one, and no files import each other in a cycle.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { MESHES } from "../../provider/src/meshes/registry";
import { REPO } from "../helpers/snapshot";

const SRC = join(REPO, "provider", "src");
const LAYERS = ["rules", "resolve", "meshes", "plan", "live", "emit", "review", "status"];

function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
    );
}

/** Each source file's relative imports, as files under provider/src. */
function importGraph(): Map<string, string[]> {
    const graph = new Map<string, string[]>();
    for (const file of sourceFiles(SRC)) {
        const text = readFileSync(file, "utf8");
        const targets = [...text.matchAll(/^(?:import|export)[^;]*?from "(\.[^"]+)"/gms)].map((m) => `${relative(SRC, resolve(dirname(file), m[1]))}.ts`);
        graph.set(relative(SRC, file), targets);
    }
    return graph;
}

/** The layer of a file: its folder's place in the flow; `args.ts` (the public types) comes before all. */
function layer(file: string): number {
    const folder = file.includes("/") ? file.slice(0, file.indexOf("/")) : "";
    return folder === "" ? -1 : LAYERS.indexOf(folder);
}

describe("layering of provider/src", () => {
    const graph = importGraph();

    it("has every file in one of the step folders (or args.ts)", () => {
        const stray = [...graph.keys()].filter((f) => f !== "args.ts" && layer(f) < 0);
        assert.deepEqual(stray, []);
    });

    it("imports only from the same or an earlier step", () => {
        const back = [...graph].flatMap(([from, targets]) => targets.filter((to) => layer(to) > layer(from)).map((to) => `${from} → ${to}`));
        assert.deepEqual(back, []);
    });

    it("has no import cycle", () => {
        const state = new Map<string, "open" | "done">();
        const cycles: string[] = [];
        const visit = (f: string, path: string[]): void => {
            if (state.get(f) === "done") return;
            if (state.get(f) === "open") {
                cycles.push([...path.slice(path.indexOf(f)), f].join(" → "));
                return;
            }
            state.set(f, "open");
            for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
            state.set(f, "done");
        };
        for (const f of graph.keys()) visit(f, []);
        assert.deepEqual(cycles, []);
    });

    it("writes the keys of its labels and annotations in rules/names.ts only", () => {
        // A string literal that starts a key of the product's domain, outside the one module that names them.
        const elsewhere = sourceFiles(SRC)
            .filter((f) => relative(SRC, f) !== join("rules", "names.ts"))
            .flatMap((f) =>
                readFileSync(f, "utf8")
                    .split("\n")
                    .flatMap((line, i) => (/["'`]sidecar-bypass\.io\//.test(line) ? [`${relative(SRC, f)}:${i + 1}`] : [])),
            );
        assert.deepEqual(elsewhere, []);
    });

    it("names no mesh in the code of rules/ and resolve/: what one mesh needs lives in its adapter", () => {
        const names = Object.values(MESHES).flatMap((m) => [m.id, m.displayName]);
        const mesh = new RegExp(`\\b(${names.join("|")})`, "i");
        const found = sourceFiles(SRC)
            .filter((f) => ["rules", "resolve"].includes(relative(SRC, f).split("/")[0]))
            .flatMap((f) => codeTexts(f).flatMap((t) => (mesh.test(t.text) ? [`${relative(SRC, f)}:${t.line}: ${t.text}`] : [])));
        assert.deepEqual(found, []);
    });
});

/** The identifiers and string literals of a file with their lines: its code without its comments (which may cite a mesh's source). */
function codeTexts(file: string): Array<{ line: number; text: string }> {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const out: Array<{ line: number; text: string }> = [];
    const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node) || ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isRegularExpressionLiteral(node)) {
            out.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text });
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return out;
}
