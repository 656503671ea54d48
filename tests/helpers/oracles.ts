// The judges (the meshes' own code) are built by hand where no registry serves them, so a suite skips, in one line,
// where its judge is missing. REQUIRE_ORACLES=1 turns every such skip into a failure, so a green run promises that
// every judge ran.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

export const ORACLES_REQUIRED = process.env.REQUIRE_ORACLES === "1";

/** The `skip` of a judge's suite: the reason in one line, or nothing when the judge is there or is required. */
export function judgeSkip(reason: string | undefined): string | undefined {
    return reason && !ORACLES_REQUIRED ? `SKIPPED, not silently: ${reason}` : undefined;
}

/** For a suite's `before`: fails it, naming the missing judge, when REQUIRE_ORACLES=1 and the judge is missing. */
export function requireJudge(reason: string | undefined): void {
    if (reason) assert.fail(`REQUIRE_ORACLES=1, but a judge is missing: ${reason}`);
}

/**
 * Why Istio's (or Consul's) tools cannot be built here: the project builds them from the Go module proxy with
 * tools/build-*.sh, which needs Go on PATH.
 */
export function goSkipReason(what = "Istio's tools (tools/build-istio.sh)"): string | undefined {
    return spawnSync("go", ["version"], { encoding: "utf8" }).status === 0 ? undefined : `no Go toolchain (go) on PATH to build ${what} from the module proxy`;
}
