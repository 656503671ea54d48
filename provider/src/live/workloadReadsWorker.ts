// The drift check's reads, on a thread of their own. Loading the Kubernetes client (about 0.8 s of compiling) and
// reading 50 lists would otherwise hold the program's one thread while it sends the engine its 500 patches, and the
// engine waits for them: at 500 workloads that thread is what a preview waits for.
import { parentPort, workerData } from "node:worker_threads";
import { clients } from "./clients";
import { type ClientRead, readWorkloads, type WorkloadRef } from "./workloadReads";

async function main(workloads: readonly WorkloadRef[]): Promise<ClientRead> {
    try {
        const c = clients();
        return { states: await readWorkloads(c, workloads), server: c.server };
    } catch (e) {
        return { error: e instanceof Error ? e.message.split("\n")[0] : String(e) };
    }
}

main(workerData as readonly WorkloadRef[]).then((r) => parentPort?.postMessage(r));
