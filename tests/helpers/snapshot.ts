// Snapshots live in tests/snapshots (committed), not next to the compiled tests. Set UPDATE_SNAPSHOTS=1
// to write them; otherwise a missing snapshot fails, so CI never passes on a snapshot it just wrote.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const REPO = join(__dirname, "..", "..", "..");

export function matchSnapshot(name: string, value: unknown): void {
    const file = join(REPO, "tests", "snapshots", `${name}.json`);
    const text = `${JSON.stringify(value, null, 2)}\n`;
    if (process.env.UPDATE_SNAPSHOTS === "1") {
        mkdirSync(join(REPO, "tests", "snapshots"), { recursive: true });
        writeFileSync(file, text);
        return;
    }
    assert.ok(existsSync(file), `snapshot ${file} is missing; run with UPDATE_SNAPSHOTS=1 and review it`);
    assert.equal(text, readFileSync(file, "utf8"), `snapshot ${name} changed; if intended, run with UPDATE_SNAPSHOTS=1`);
}
