// `npm run bench`: time and memory of planBypass for 10,000 workloads in 500 namespaces with 5,000 CIDRs
// spread over the scopes. Prints figures (target: under 200 ms and 150 MB on a 2-core machine); it is not
// a test and never fails on speed.
import { performance } from "node:perf_hooks";
import { BypassPlanner, type PlainBypassArgs } from "../provider/index";

const NAMESPACES = 500;
const WORKLOADS = 10_000;

function v4(i: number, prefix: number): string {
    return `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/${prefix}`;
}

/** 5,000 CIDRs: 500 global, 6 per namespace (3,000), 1 on each of 1,500 workloads. */
export function benchArgs(): PlainBypassArgs {
    let cidr = 0;
    const next = (prefix = 24) => v4(cidr++ * 7, prefix);
    const global = { outbound: { excludeIpRanges: Array.from({ length: 500 }, () => next()) } };
    const namespaces = Array.from({ length: NAMESPACES }, (_, n) => ({
        name: `team-${n}`,
        inbound: { excludePorts: [7000 + (n % 50), 8000] },
        outbound: { excludeIpRanges: Array.from({ length: 6 }, () => next()), inherit: "merge" as const },
    }));
    const workloads = Array.from({ length: WORKLOADS }, (_, w) => ({
        kind: (["Deployment", "StatefulSet", "DaemonSet"] as const)[w % 3],
        namespace: `team-${w % NAMESPACES}`,
        name: `app-${w}`,
        ...(w % 20 < 3 ? { outbound: { excludeIpRanges: [next(32)], inherit: "merge" as const } } : {}),
    }));
    if (cidr !== 5000) throw new Error(`bench generated ${cidr} CIDRs, expected 5000`);
    return { meshes: ["istio", "kuma"], global, namespaces, workloads };
}

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
        const planner = new BypassPlanner(args, { now: new Date("2026-11-21T00:00:00Z") });
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
    console.log(`  median of ${warm.length} warm runs: ${median(warm.map((r) => r.total)).toFixed(0)} ms` +
        `  (validate+normalise ${median(warm.map((r) => r.validate)).toFixed(0)} ms, resolve+render+describe ${median(warm.map((r) => r.plan)).toFixed(0)} ms)`);
    console.log(`  heap retained by one plan: ${mb(median(warm.map((r) => r.heap)))}${gc ? "" : " (run with --expose-gc for a cleaner figure)"}`);
    console.log(`  process peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`);
    console.log(`  targets: < 200 ms, < 150 MB`);
}

main();
