// `npm run bench:instructions`: the machine instructions one plan of the bench's rule set takes (validation included,
// after a full collection, as `npm run bench` times it), counted by valgrind's cachegrind. On a shared 2-core machine
// the wall time of the same code moves by a third between runs; its count here does not move at all, so two trees are
// compared by it. A change moves the count by its own work and by where the collector then happens to run (some tens
// of millions), and it counts work, not cache misses or waiting: it stands beside the timings, not for them. Prints a
// figure; never fails on it. Without valgrind it says so in one line.
import { spawnSync } from "node:child_process";
import { BypassPlanner } from "../provider/index";
import { BENCH_NOW, benchArgs } from "./benchArgs";

const WARM_UP = 2;
const PLANS = Number(process.env.BENCH_PLANS ?? 3);

/** Plans the bench's rule set `count` times after the warm-up, each after a full collection: the child's work. */
function planTimes(count: number): void {
    const args = benchArgs();
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < WARM_UP + count; i++) {
        gc?.();
        new BypassPlanner(args, { now: BENCH_NOW }).plan("bench");
    }
}

/** The instructions a child that plans `count` times executes (start-up and warm-up included), or why there is none. */
function instructions(count: number): number | string {
    // V8 made deterministic (one thread, the collector included, no timers): the same code gives the same count.
    const node = [process.execPath, "--expose-gc", "--predictable", __filename, "--plans", String(count)];
    const r = spawnSync("valgrind", ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", "--smc-check=all-non-file", ...node], {
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
    });
    if (r.error) return (r.error as NodeJS.ErrnoException).code === "ENOENT" ? "valgrind is not on PATH (Debian: apt-get install valgrind)" : r.error.message;
    const refs = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
    if (r.status !== 0 || !refs) return `valgrind exited ${r.status}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`;
    return Number(refs[1].replaceAll(",", ""));
}

function main(): void {
    const plans = process.argv.indexOf("--plans");
    if (plans !== -1) {
        planTimes(Number(process.argv[plans + 1]));
        return;
    }
    // The difference between a child that plans PLANS times more and one that does not is the plans' own work.
    const base = instructions(0);
    if (typeof base === "string") {
        console.log(`bench:instructions skipped: ${base}`);
        return;
    }
    const more = instructions(PLANS);
    if (typeof more === "string") throw new Error(more);
    const perPlan = (more - base) / PLANS;
    console.log(`planBypass instructions (valgrind cachegrind, node ${process.version}): ${(perPlan / 1e6).toFixed(0)} M per plan (mean of ${PLANS})`);
}

main();
