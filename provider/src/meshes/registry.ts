// The meshes the package writes for: one adapter each. Everything that differs by mesh (validation's guardrails,
// the keys the transform watches, the objects emitted, the explanation) is read from here.
import type { Mesh } from "../args";
import type { MeshAdapter } from "./adapter";
import { consul } from "./consul";
import { istio } from "./istio";
import { kmesh } from "./kmesh";
import { kuma } from "./kuma/kuma";
import { linkerd } from "./linkerd";

/** Any set of adapters by id; `MESHES` is the package's own. */
export type MeshRegistry = Readonly<Record<string, MeshAdapter<unknown, string>>>;

// `satisfies` makes a value of the Mesh enum without an adapter (or an adapter under the wrong id) a compile error.
export const MESHES = { istio, kuma, kmesh, linkerd, consul } satisfies { readonly [M in Mesh]: MeshAdapter<unknown, M> };

/** Every annotation key and label key any adapter may write on a pod template, and the rollout hash. */
export function podTemplateKeys(registry: MeshRegistry): { annotations: string[]; labels: string[] } {
    const adapters = Object.values(registry);
    return { annotations: adapters.flatMap((a) => a.annotationKeys), labels: adapters.flatMap((a) => a.labelKeys) };
}
