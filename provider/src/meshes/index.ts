import type { Mesh } from "../args";
import type { MeshRenderer } from "./adapter";
import { renderConsul } from "./consul";
import { renderIstio } from "./istio";
import { renderKmesh } from "./kmesh";
import { renderKuma } from "./kuma";
import { renderLinkerd } from "./linkerd";

export const RENDERERS: Record<Mesh, MeshRenderer> = {
    istio: renderIstio,
    kuma: renderKuma,
    kmesh: renderKmesh,
    linkerd: renderLinkerd,
    consul: renderConsul,
};
