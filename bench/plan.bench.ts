// `npm run bench`: time and memory of planBypass for 10,000 workloads in 500 namespaces with 5,000 CIDRs
// spread over the scopes. Prints figures (target: under 200 ms and 150 MB on a 2-core machine); it is not
// a test and never fails on speed.
import { performance } from "node:perf_hooks";
import { BypassPlanner } from "../provider/index";
import { BENCH_NOW, BENCH_SIZE, benchArgs } from "./benchArgs";

const { NAMESPACES, WORKLOADS } = BENCH_SIZE;

function mb(bytes: number): string {
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function main(): void {
    const args = benchArgs();
    const gc = (globalThis as { gc?: () => void }).gc;
    const runs: Array<{ total: number; validate: number; plan: number; heap: number }> = [];
    for (let i = 0; i < 6; i++) {
        gc?.();
        const heap0 = process.memoryUsage().heapUsed;
        const t0 = performance.now();
        const planner = new BypassPlanner(args, { now: BENCH_NOW });
        const t1 = performance.now();
        const plan = planner.plan("bench");
        const t2 = performance.now();
        const heap = process.memoryUsage().heapUsed - heap0;
        if (plan.workloads.length !== WORKLOADS) throw new Error("wrong plan");
        runs.push({ total: t2 - t0, validate: t1 - t0, plan: t2 - t1, heap });
    }
    const warm = runs.slice(1);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`planBypass: ${WORKLOADS} workloads, ${NAMESPACES} namespaces, 5000 CIDRs, meshes istio+kuma (node ${process.version})`);
    console.log(`  first run (cold JIT):   ${runs[0].total.toFixed(0)} ms`);
    console.log(
        `  median of ${warm.length} warm runs: ${median(warm.map((r) => r.total)).toFixed(0)} ms` +
            `  (validate+normalise ${median(warm.map((r) => r.validate)).toFixed(0)} ms, resolve+render+describe ${median(warm.map((r) => r.plan)).toFixed(0)} ms)`,
    );
    console.log(`  heap retained by one plan: ${mb(median(warm.map((r) => r.heap)))}${gc ? "" : " (run with --expose-gc for a cleaner figure)"}`);
    console.log(`  process peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`);
    console.log(`  targets: < 200 ms, < 150 MB`);
}

main();
