// Kmesh: the `kmesh.net/bypass: enabled` pod label takes the whole pod out of the mesh (both directions,
// applied live by the Kmesh daemon when it runs with --enable-bypass). It has no ports or ranges, and no sidecar
// ports of its own (its data plane is in the kernel).
import { emptyRendered, type MeshAdapter } from "./adapter";

export const KMESH_BYPASS_LABEL = "kmesh.net/bypass";

export const kmesh: MeshAdapter<undefined, "kmesh"> = {
    id: "kmesh",
    displayName: "Kmesh",
    sidecarPorts: new Map(),
    annotationKeys: [],
    labelKeys: [KMESH_BYPASS_LABEL],
    render: ({ effective, meshes }) => {
        const out = emptyRendered();
        if (effective.fullBypass?.active) out.labels[KMESH_BYPASS_LABEL] = "enabled";
        if (meshes.length === 1 && Object.keys(effective.fields).length > 0) {
            // The bypass label is all Kmesh reads (kmesh-net/kmesh ec501a98 pkg/controller/bypass/bypass_controller.go).
            out.notes.push("Kmesh bypasses whole pods only; port, range, user-id and interface rules are not applied for Kmesh");
        }
        return out;
    },
    readBack: (pod) => {
        const value = pod.labels[KMESH_BYPASS_LABEL];
        if (value === undefined) return undefined;
        const rules = value === "enabled" ? { fullBypass: { enabled: true, acknowledged: true } } : {};
        return { keys: { [KMESH_BYPASS_LABEL]: value }, rules, fieldKeys: {} };
    },
};
