// How the drift check reads the live workloads through the Kubernetes client: one list per namespace and kind where
// several of a kind are patched there, a get for one, a missing workload as none, any other failure as the whole
// read's, and never more than eight requests at a time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Clients } from "../../provider/src/live/clients";
import { readWorkloads, type WorkloadRef } from "../../provider/src/live/workloadReads";

const ref = (kind: WorkloadRef["kind"], namespace: string, name: string): WorkloadRef => ({ id: `${kind}/${namespace}/${name}`, kind, namespace, name });
const served = (namespace: string, name: string) => ({ metadata: { namespace, name, uid: `uid-${namespace}-${name}` }, spec: {} });

/** A client over a fixed set of objects that records each request and how many were in flight at once. */
function fakeClients(objects: Record<string, string[]>, fail?: string) {
    const requests: string[] = [];
    let inFlight = 0;
    let most = 0;
    const request = async <T>(what: string, answer: () => T): Promise<T> => {
        requests.push(what);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        if (fail && what.includes(fail)) throw Object.assign(new Error("forbidden"), { code: 403 });
        return answer();
    };
    const objectsApi = {
        list: (apiVersion: string, kind: string, namespace: string) =>
            request(`list ${apiVersion} ${kind} ${namespace}`, () => ({ items: (objects[`${kind}/${namespace}`] ?? []).map((n) => served(namespace, n)) })),
        read: (o: { apiVersion: string; kind: string; metadata: { name: string; namespace: string } }) =>
            request(`get ${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, () => {
                if (!(objects[`${o.kind}/${o.metadata.namespace}`] ?? []).includes(o.metadata.name)) throw Object.assign(new Error("not found"), { code: 404 });
                return served(o.metadata.namespace, o.metadata.name);
            }),
    };
    const c = { objects: objectsApi, server: "https://fake" } as unknown as Clients;
    return { c, requests, most: () => most };
}

describe("readWorkloads", () => {
    it("lists a namespace's kind once for several workloads, gets a lone one, and maps a missing workload to none", async () => {
        const { c, requests } = fakeClients({ "Deployment/shop": ["cart", "orders", "other"], "CronJob/shop": ["nightly"] });
        const states = await readWorkloads(c, [
            ref("Deployment", "shop", "cart"),
            ref("Deployment", "shop", "orders"),
            ref("Deployment", "shop", "gone"),
            ref("CronJob", "shop", "nightly"),
            ref("StatefulSet", "db", "missing"),
        ]);
        assert.deepEqual(requests.sort(), ["get apps/v1 StatefulSet db/missing", "get batch/v1 CronJob shop/nightly", "list apps/v1 Deployment shop"]);
        assert.equal(states.get("Deployment/shop/cart")?.metadata?.uid, "uid-shop-cart");
        assert.equal(states.get("CronJob/shop/nightly")?.metadata?.uid, "uid-shop-nightly");
        assert.equal(states.get("Deployment/shop/gone"), undefined);
        assert.ok(states.has("StatefulSet/db/missing") && states.get("StatefulSet/db/missing") === undefined);
        assert.equal(states.size, 5);
    });

    it("500 workloads in 50 namespaces: 50 lists, at most eight at a time", async () => {
        const objects: Record<string, string[]> = {};
        const refs: WorkloadRef[] = [];
        for (let n = 0; n < 50; n++) {
            objects[`Deployment/ns-${n}`] = Array.from({ length: 10 }, (_, w) => `w-${w}`);
            for (let w = 0; w < 10; w++) refs.push(ref("Deployment", `ns-${n}`, `w-${w}`));
        }
        const { c, requests, most } = fakeClients(objects);
        const states = await readWorkloads(c, refs);
        assert.equal(requests.length, 50);
        assert.ok(most() <= 8 && most() > 1, `${most()} in flight`);
        assert.ok(refs.every((r) => states.get(r.id)?.metadata?.uid === `uid-${r.namespace}-${r.name}`));
    });

    it("a refusal other than not found fails the whole read (the check then reads through the provider)", async () => {
        const { c } = fakeClients({ "Deployment/shop": ["cart"] }, "shop/cart");
        await assert.rejects(readWorkloads(c, [ref("Deployment", "shop", "cart")]), /forbidden/);
    });
});
